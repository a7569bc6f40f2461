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
from pathlib import Path

import numpy as np

AS_OF = date(2026, 11, 30)
POPULATION_PER_HOUSEHOLD = 35
GENERATOR_VERSION = 4  # bump when the synthetic data change, so old files are not reused
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

    from jiuzhu.batch import verification as v
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
    # cases: households of 1–5 members, obligors for a third of them; the case persons are the first
    # persons of the population (so they have department rows like everyone else)
    size = rng.choice(np.arange(1, 6), n, p=[0.25, 0.3, 0.22, 0.15, 0.08])
    obligors = rng.choice(np.arange(0, 3), n, p=[0.7, 0.2, 0.1])
    per = size + obligors
    hh = np.repeat(np.arange(1, n + 1), per)
    k = np.arange(len(hh)) - np.repeat(np.cumsum(per) - per, per)
    role = np.where(k < np.repeat(size, per), "member", "obligor")
    bidx = pop.bidx.slice(0, len(hh))
    no_id = (role == "obligor") & (rng.random(len(hh)) < 0.03)
    persons = pa.table({"case_id": hh, "household_id": hh, "role": role, "ref_id": np.arange(1, len(hh) + 1),
                        "bidx": pa.array(np.where(no_id, None, bidx.to_numpy(zero_copy_only=False)), pa.string()),
                        "wage": np.where(role == "member", rng.integers(0, 300_000, len(hh)), 0),
                        "business": np.zeros(len(hh), dtype=np.int64), "property": np.zeros(len(hh), dtype=np.int64),
                        "transfer": np.where(role == "member", rng.integers(0, 50_000, len(hh)), 0)})
    households = pa.table({
        "case_id": np.arange(1, n + 1), "household_id": np.arange(1, n + 1),
        "area_type": np.array(["urban", "rural"])[rng.integers(0, 2, n)], "policy": np.full(n, "reference"),
        "size": size, "financial": rng.integers(0, 5_000_000, n), "vehicle_count": rng.integers(0, 2, n),
        "max_vehicle_value": rng.integers(0, 8_000_000, n), "residential_properties": rng.integers(0, 3, n),
        "business_capital": np.zeros(n, dtype=np.int64)})
    pq.write_table(persons.cast(v.PERSONS_SCHEMA), out / "persons.parquet")
    pq.write_table(households.cast(v.HOUSEHOLDS_SCHEMA), out / "households.parquet")
    meta = {"households": n, "persons": persons.num_rows, "population": len(pop), "department_rows": rows,
            "generate_seconds": round(time.perf_counter() - started, 1),
            "blind_index_per_second": int(len(pop) / index_seconds)}
    (out / "meta.json").write_text(json.dumps(meta))
    return meta


def timed_run(out: str, engine: str = "duckdb") -> dict:
    """The timed job (meant for a fresh process): read, match, total, write."""
    import pyarrow.parquet as pq

    from jiuzhu.batch import verification as v
    from jiuzhu.batch.datasets import DATASETS
    from jiuzhu.batch.ingest import write_parquet
    from jiuzhu.rules.params import load_policy

    out = Path(out)
    terms = v.asset_terms({"reference": load_policy("reference")}, AS_OF)
    started = time.perf_counter()
    persons = pq.read_table(out / "persons.parquet")
    households = pq.read_table(out / "households.parquet")
    snapshots = {code: out / "snapshots" / f"{code}.parquet" for code in DATASETS}
    result = v.run(persons, households, snapshots, as_of=AS_OF, terms=terms, engine=engine)
    for name in ("items", "persons", "households"):
        write_parquet(getattr(result, name), out / "result" / f"{name}.parquet")
    seconds = time.perf_counter() - started
    hh = result.households
    return {"seconds": round(seconds, 2), "peak_rss_mb": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "items": result.items.num_rows, "inconsistent": hh.num_rows - int(sum(hh.column("consistent").to_pylist())),
            "asset_failing": int(sum(any(r) for r in zip(*(hh.column(c).to_pylist() for c in (
                "ast_financial", "ast_vehicle", "ast_property", "ast_business")))))}


def naive_seconds_per_household(out: str, sample: int, seed: int) -> float:
    """Per household: one query per source for its persons, sums in Python (the per-case way)."""
    import duckdb
    import pyarrow.parquet as pq

    from jiuzhu.batch.datasets import DATASETS

    out = Path(out)
    persons = pq.read_table(out / "persons.parquet").to_pylist()
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
                               [str(out / "snapshots" / f"{code}.parquet"), *keys]).fetchall()
            for key, value in rows:
                totals[(key, code)] = totals.get((key, code), 0) + (value or 0)
    return (time.perf_counter() - started) / len(chosen)


def _in_child(fn, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def run(*, households: int, repeat: int = 1, seed: int = 0, sample: int = 10, engine: str = "duckdb",
        sizes: list[int] | None = None) -> dict:
    sizes = sizes or sorted({max(households // 10, 1), max(households * 3 // 10, 1), households})
    rows, data_state, generated = [], set(), 0.0
    for n in sizes:
        out = _data_dir(n, seed)
        if (out / "meta.json").exists():
            data_state.add("reused")
        else:
            _in_child(generate, n, seed, str(out))
            data_state.add("generated")
        meta = json.loads((out / "meta.json").read_text())
        generated += meta["generate_seconds"] if "generated" in data_state else 0
        timing = _in_child(timed_run, str(out), engine)
        rows.append({**{k: meta[k] for k in ("households", "persons", "department_rows")}, **timing})
    last = rows[-1]
    per_household = naive_seconds_per_household(str(_data_dir(households, seed)), sample, seed)
    baseline = per_household * households
    meta = json.loads((_data_dir(households, seed) / "meta.json").read_text())
    return {
        "bench": "verify", "households": households, "persons": last["persons"],
        "department_rows": last["department_rows"], "seconds": last["seconds"],
        "per_second": int(households / last["seconds"]), "peak_rss_mb": last["peak_rss_mb"], "engine": engine,
        "database": "none", "baseline": "duckdb-query-per-household", "baseline_seconds": round(baseline, 1),
        "ratio": round(baseline / last["seconds"], 1), "sizes": rows, "data": "+".join(sorted(data_state)),
        "blind_index_per_second": meta["blind_index_per_second"], "cpus": os.cpu_count(),
        "notes": (f"seconds: read Parquet snapshots and case tables, match, totals, asset test, differences, write "
                  f"results (one run per size, each in a fresh process; peak_rss_mb is that process's). "
                  f"baseline measured on {sample} households (one query per source per household) and scaled "
                  f"linearly to {households}. Data {'+'.join(sorted(data_state))} under var/bench/verify "
                  f"(generation not timed: {round(generated, 1)} s this run)."),
    }
