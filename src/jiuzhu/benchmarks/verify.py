"""``jiuzhu bench verify --households N --json``: the verification matching job at scale.

N households (≈ 3 N case persons: members and obligors, about 1 % without a valid ID number) are
matched against the thirteen department snapshots of a population of 35 N persons (≈ 530 department
rows per household: ≥ 50 million rows for N = 100 000), as Parquet files keyed by the HMAC-SM3 blind
index, exactly as ingestion writes them. Timed: reading the case tables and the snapshots, matching,
per-person and per-household totals, the asset test and the differences, writing the three result
tables (jiuzhu.batch.verification.run on DuckDB). Each size runs in a fresh process so that its peak
memory is its own. Three sizes (N/10, 3N/10, N) show the growth.

Baseline: the naive per-household loop — for each household of a sample, one DuckDB query per
source file for its persons' blind indexes, then Python sums — scaled linearly to N.

The generated files are kept under ``VAR_DIR/bench/verify`` and reused by later runs (the JSON says
``"data": "reused"``); generating is not timed.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import time
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np

AS_OF = date(2026, 11, 30)
POPULATION_PER_HOUSEHOLD = 35
GENERATOR_VERSION = 4  # bump when the synthetic data change, so old files are not reused
PARTITIONED_VERSION = 1  # the same for the partitioned layout (jiuzhu.benchmarks.partitioned)
SPARK_LOCAL = {"master": "local[2]", "memory": "6g", "partitions": 8}  # the parity run's Spark (docs/scaling.md)
ROWS_PER_PERSON = 15.3  # department rows per person of the synthetic population (all thirteen datasets)
BENCH_KEY = bytes.fromhex("5a" * 32)  # blind-index key of the synthetic data (never a real key)


def _data_dir(n: int, seed: int) -> Path:
    base = Path(os.environ.get("JIUZHU_VAR_DIR") or Path(__file__).resolve().parents[3] / "var")
    return base / "bench" / "verify" / f"g{GENERATOR_VERSION}-n{n}-s{seed}"


def _ring():
    from jiuzhu.core.crypto import KeyRing

    return KeyRing("b", {"b": bytes(16)}, BENCH_KEY)


def generate(n: int, seed: int, out: str) -> dict:
    """Write the case tables and the thirteen snapshots for ``n`` households into ``out``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from jiuzhu.batch.datasets import DATASETS
    from jiuzhu.batch.synthetic_departments import write_snapshots
    from jiuzhu.batch.synthetic_population import synthetic_population

    started = time.perf_counter()
    out = Path(out)
    (out / "snapshots").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    pop = synthetic_population(n * POPULATION_PER_HOUSEHOLD, as_of=AS_OF, seed=seed)
    t0 = time.perf_counter()
    pop.bidx = pa.array(_ring().blind_index_many(pop.id_number.to_pylist(), purpose="id_number"), pa.string())
    index_seconds = time.perf_counter() - t0
    pop.id_number = None
    rows = write_snapshots(DATASETS, pop, out / "snapshots", as_of=AS_OF, seed=seed)
    persons, households = _cases(n, pop.bidx, rng)
    pq.write_table(persons, out / "persons.parquet")
    pq.write_table(households, out / "households.parquet")
    meta = {"households": n, "persons": persons.num_rows, "population": len(pop), "department_rows": rows,
            "generate_seconds": round(time.perf_counter() - started, 1),
            "blind_index_per_second": int(len(pop) / index_seconds)}
    (out / "meta.json").write_text(json.dumps(meta))
    return meta


def _cases(n: int, population_bidx, rng, first: int = 0):
    """(persons, households) of ``n`` cases numbered from ``first + 1``: households of 1–5 members,
    obligors for a third of them; the case persons are the first persons of ``population_bidx`` (so they
    have department rows like everyone else)."""
    import pyarrow as pa

    from jiuzhu.batch import verification as v

    size = rng.choice(np.arange(1, 6), n, p=[0.25, 0.3, 0.22, 0.15, 0.08])
    obligors = rng.choice(np.arange(0, 3), n, p=[0.7, 0.2, 0.1])
    per = size + obligors
    hh = np.repeat(np.arange(first + 1, first + n + 1), per)
    k = np.arange(len(hh)) - np.repeat(np.cumsum(per) - per, per)
    role = np.where(k < np.repeat(size, per), "member", "obligor")
    bidx = population_bidx.slice(0, len(hh))
    no_id = (role == "obligor") & (rng.random(len(hh)) < 0.03)
    persons = pa.table({"case_id": hh, "household_id": hh, "role": role,
                        "ref_id": np.arange(first * 8 + 1, first * 8 + len(hh) + 1),
                        "bidx": pa.array(np.where(no_id, None, bidx.to_numpy(zero_copy_only=False)), pa.string()),
                        "wage": np.where(role == "member", rng.integers(0, 300_000, len(hh)), 0),
                        "business": np.zeros(len(hh), dtype=np.int64), "property": np.zeros(len(hh), dtype=np.int64),
                        "transfer": np.where(role == "member", rng.integers(0, 50_000, len(hh)), 0)})
    households = pa.table({
        "case_id": np.arange(first + 1, first + n + 1), "household_id": np.arange(first + 1, first + n + 1),
        "area_type": np.array(["urban", "rural"])[rng.integers(0, 2, n)], "policy": np.full(n, "reference"),
        "size": size, "financial": rng.integers(0, 5_000_000, n), "vehicle_count": rng.integers(0, 2, n),
        "max_vehicle_value": rng.integers(0, 8_000_000, n), "residential_properties": rng.integers(0, 3, n),
        "business_capital": np.zeros(n, dtype=np.int64)})
    return persons.cast(v.PERSONS_SCHEMA), households.cast(v.HOUSEHOLDS_SCHEMA)


def naive_seconds_per_household(out: str, sample: int, seed: int) -> float:
    """Per household: one query per source for its persons, sums in Python (the per-case way); over
    the first part of the partitioned data in ``out``."""
    import duckdb
    import pyarrow.parquet as pq

    from jiuzhu.batch.datasets import DATASETS

    from .partitioned import part_name

    out = Path(out)
    persons = pq.read_table(out / "persons" / part_name(0)).to_pylist()
    by_case: dict = {}
    for p in persons:
        if p["bidx"]:
            by_case.setdefault(p["case_id"], []).append(p["bidx"])
    chosen = np.random.default_rng(seed).choice(sorted(by_case), size=min(sample, len(by_case)), replace=False)
    con = duckdb.connect()
    started = time.perf_counter()
    for case_id in chosen:
        keys = by_case[int(case_id)]
        totals: dict = {}
        for code, ds in sorted(DATASETS.items()):
            amount = next((r.amount for r in ds.rules if r.amount), None)
            column = amount or "row_no"
            marks = ", ".join("?" for _ in keys)
            rows = con.execute(f"SELECT bidx, {column} FROM read_parquet(?) WHERE bidx IN ({marks})",
                               [str(out / "snapshots" / code / part_name(0)), *keys]).fetchall()
            for key, value in rows:
                totals[(key, code)] = totals.get((key, code), 0) + (value or 0)
    return (time.perf_counter() - started) / len(chosen)


def build_part(index: int, folder: Path, *, households: int, per_household: int, seed: int) -> dict:
    """Part ``index`` of the partitioned data (jiuzhu.benchmarks.partitioned): ``households × per_household``
    persons, their thirteen snapshots, and ``households`` cases drawn from the part's first persons."""
    from jiuzhu.batch.datasets import DATASETS

    from . import partitioned

    pop = partitioned.population_part(index, households * per_household, as_of=AS_OF, seed=seed, key=BENCH_KEY)
    rows = partitioned.write_snapshot_parts(DATASETS, pop, folder / "snapshots", index, as_of=AS_OF, seed=seed)
    persons, cases = _cases(households, pop.bidx, np.random.default_rng([seed, index]), first=index * households)
    partitioned.write_table(persons, folder / "persons" / partitioned.part_name(index))
    partitioned.write_table(cases, folder / "households" / partitioned.part_name(index))
    return {"households": households, "persons": persons.num_rows, "population": len(pop), "department_rows": rows}


def _scale_dir(per_part: int, per_household: int, seed: int) -> Path:
    return _data_dir(0, seed).parent / f"p{PARTITIONED_VERSION}-h{per_part}-x{per_household}-s{seed}"


def _sources(folder: Path, parts: int) -> tuple[list[str], list[str], dict]:
    from jiuzhu.batch.datasets import DATASETS

    from .partitioned import part_files

    return (part_files(folder, "persons", parts), part_files(folder, "households", parts),
            {code: part_files(folder / "snapshots", code, parts) for code in sorted(DATASETS)})


def timed_scale_run(folder: str, parts: int, engine: str = "duckdb", settings: dict | None = None) -> dict:
    """The timed job over the first ``parts`` parts (meant for a fresh process): the engine reads the
    Parquet parts, matches, totals and writes the three sorted result files itself."""
    from jiuzhu.batch import verification as v
    from jiuzhu.batch.engines import connect
    from jiuzhu.rules.params import load_policy

    folder_ = Path(folder)
    terms = v.asset_terms({"reference": load_policy("reference")}, AS_OF)
    wall, cpu = time.perf_counter(), time.process_time()
    con = connect(engine, **(settings or {}))
    persons, households, snapshots = _sources(folder_, parts)
    counts = v.run_to_files(persons, households, snapshots, folder_ / "result" / f"{engine}-{parts}", as_of=AS_OF,
                            terms=terms, engine=engine, con=con)
    return {"seconds": round(time.perf_counter() - wall, 2), "cpu_seconds": round(time.process_time() - cpu, 1),
            "peak_rss_mb": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), **counts}


def parity(folder: str, parts: int) -> dict:
    """The job on DuckDB and on Spark (local mode) over the first ``parts`` parts, in memory
    (jiuzhu.batch.verification.run): are the three result tables identical?"""
    from jiuzhu.batch import verification as v
    from jiuzhu.batch.engines import connect
    from jiuzhu.rules.params import load_policy

    terms = v.asset_terms({"reference": load_policy("reference")}, AS_OF)
    persons, households, snapshots = _sources(Path(folder), parts)
    import pyarrow.parquet as pq

    p_t = pq.ParquetDataset(persons).read()
    h_t = pq.ParquetDataset(households).read()
    out, results = {}, {}
    for engine in ("duckdb", "pyspark"):
        started = time.perf_counter()
        con = connect(engine, **SPARK_LOCAL) if engine == "pyspark" else connect(engine)
        results[engine] = v.run(p_t, h_t, snapshots, as_of=AS_OF, terms=terms, engine=engine, con=con)
        out[f"{engine}_seconds"] = round(time.perf_counter() - started, 1)
    duck, spark = results["duckdb"], results["pyspark"]
    out["identical"] = all(getattr(duck, n).to_pylist() == getattr(spark, n).cast(getattr(duck, n).schema).to_pylist()
                           for n in ("items", "persons", "households"))
    out.update(items=duck.items.num_rows, households=duck.households.num_rows)
    return out


def _in_child(fn, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def run(*, households: int, seed: int = 0, sample: int = 10, engine: str = "duckdb", sizes: list[int] | None = None,
        dept_rows: int | None = None, per_part: int = 10_000, workers: int = 2, memory_limit: str | None = "12GB",
        temp_directory: str | None = None, parity_rows: int = 0, **_) -> dict:
    """The job at four sizes (N/100, N/10, 3N/10, N; rounded to whole parts of ``per_part`` households)
    over one partitioned generation; ``dept_rows`` sets the department rows for N households (default
    ≈ 535 per household: 35 persons of the population per household)."""
    from . import partitioned

    per_part = max(1, min(per_part, households))
    per_household = POPULATION_PER_HOUSEHOLD if not dept_rows else max(1, round(dept_rows / households / ROWS_PER_PERSON))
    parts_of = [max(1, -(-n // per_part)) for n in (sizes or [households // 100, households // 10,
                                                              households * 3 // 10, households])]
    parts_of = sorted(set(parts_of))
    folder = _scale_dir(per_part, per_household, seed)
    state = "reused" if partitioned.parts_done(folder) >= parts_of[-1] else "generated"
    gen = partitioned.generate(partial(build_part, households=per_part, per_household=per_household, seed=seed),
                               parts_of[-1], folder, workers=workers)
    temp = temp_directory or str(folder / "duckdb-tmp")
    settings = {"memory_limit": memory_limit, "temp_directory": temp} if engine == "duckdb" else {}
    rows = []
    for parts in parts_of:
        meta = partitioned.summed(folder, parts)
        timing = _in_child(timed_scale_run, str(folder), parts, engine, settings)
        rows.append({**{k: int(meta[k]) for k in ("households", "persons", "department_rows")}, **timing})
    last = rows[-1]
    per_household_naive = naive_seconds_per_household(str(folder), sample, seed)
    baseline = per_household_naive * last["households"]
    result = {
        "bench": "verify", "households": last["households"], "persons": last["persons"],
        "department_rows": last["department_rows"], "seconds": last["seconds"], "cpu_seconds": last["cpu_seconds"],
        "per_second": int(last["households"] / last["seconds"]), "peak_rss_mb": last["peak_rss_mb"],
        "engine": engine, "memory_limit": settings.get("memory_limit"), "database": "none",
        "baseline": "duckdb-query-per-household", "baseline_seconds": round(baseline, 1),
        "ratio": round(baseline / last["seconds"], 1), "sizes": rows, "data": state, "parts": parts_of[-1],
        "generate": {k: gen[k] for k in ("cpu_seconds", "wall_seconds")}, "cpus": os.cpu_count(),
        "notes": (f"seconds/cpu_seconds: the engine reads the partitioned Parquet ({per_part} households and "
                  f"{per_part * per_household} persons of the department population per part), matches, totals, "
                  f"runs the asset test and writes the three sorted result files (one fresh process per size; "
                  f"peak_rss_mb is that process's; cpu_seconds counts all its threads). baseline measured on "
                  f"{sample} households over the first part's files (one query per source per household) and "
                  f"scaled linearly: a lower bound, each of its queries scans more files at larger sizes. Data "
                  f"{state} under var/bench/verify (generation not timed)."),
    }
    if parity_rows:
        parts = max(1, -(-parity_rows // max(1, rows[0]["department_rows"] // parts_of[0])))
        result["parity"] = {"parts": parts, "department_rows": int(partitioned.summed(folder, parts)["department_rows"]),
                            **_in_child(parity, str(folder), parts)}
    return result
