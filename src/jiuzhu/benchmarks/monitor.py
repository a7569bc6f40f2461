"""``jiuzhu bench monitor --persons N --json``: the monitoring scan (jiuzhu.batch.monitoring) at scale.

N monitored persons (households of 1–5 in 400 villages of the demo county; dibao, 特困, 低保边缘,
刚性支出, 临时救助 and recently left) inside a department population of 1.5 N persons (the departments
know everyone, not only the monitored), with the seven snapshots the rules read (medical costs,
disability, hukou/death, unemployment, student, vehicle, real estate) as Parquet files keyed by the
HMAC-SM3 blind index, exactly as ingestion writes them, plus 1 % of the persons' dedup keys already
stored (a re-scan). Timed, in a fresh process: reading the population and the known keys, the scan
on DuckDB (match, rules, de-duplication) and writing the alert table.

Baseline: the naive per-household loop — for each household of a sample, one DuckDB query per
snapshot file for its members' blind indexes, then the rules in Python — scaled linearly to N.

The generated files are kept under ``VAR_DIR/bench/monitor`` and reused (``"data": "reused"``).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np

AS_OF = date(2026, 11, 30)
POLICY = "330127000000"
PARTITIONED_VERSION = 1  # bump when the synthetic data change, so old files are not reused
BENCH_KEY = bytes.fromhex("6b" * 32)  # blind-index key of the synthetic data (never a real key)
CATEGORY_SHARES = {"dibao": 0.40, "tekun": 0.05, "edge": 0.20, "rigid_expenditure": 0.10, "temporary": 0.10,
                   "left": 0.15}


def _known(n: int, rng, first: int = 0):
    import pyarrow as pa

    known_ids = first + rng.choice(np.arange(1, n + 1), max(n // 100, 1), replace=False)
    return pa.table({"dedup_key": pa.array([f"death:{i}" for i in known_ids], pa.string())})


def _monitored(n: int, pop, rng, offset: int = 0):
    """(population table, households): a random ``n`` of the department population ``pop``, grouped
    into households of 1–5, person and household numbers from ``offset + 1``."""
    import pyarrow as pa

    from jiuzhu.batch import monitoring as m

    chosen = np.sort(rng.choice(len(pop), n, replace=False))
    sizes = rng.choice(np.arange(1, 6), n // 2 + 5, p=[0.3, 0.3, 0.2, 0.12, 0.08])
    household = np.repeat(np.arange(1, len(sizes) + 1), sizes)[:n]
    first = np.r_[True, household[1:] != household[:-1]]
    h_count = int(household[-1])
    villages = np.array([f"330127{100 + t:03d}{201 + v:03d}" for t in range(20) for v in range(20)])
    cats = np.array(list(CATEGORY_SHARES))
    h_cat = rng.choice(len(cats), h_count, p=list(CATEGORY_SHARES.values()))
    h_region = rng.integers(0, len(villages), h_count)
    population = pa.table({
        "person_id": np.arange(offset + 1, offset + n + 1, dtype=np.int64),
        "household_id": offset + household.astype(np.int64),
        "region": pa.array(villages[h_region[household - 1]]), "bidx": pop.bidx.take(pa.array(chosen)),
        "category": pa.array(cats[h_cat[household - 1]]), "is_head": first,
        "earning": np.where(pop.employed[chosen], pop.wage_fen[chosen], 0).astype(np.int64),
        "policy": pa.array(np.full(n, POLICY)),
    }).cast(m.POPULATION_SCHEMA)
    return population, h_count


def _terms():
    from jiuzhu.batch import monitoring as m
    from jiuzhu.rules.monitoring import monitor_terms
    from jiuzhu.rules.params import load_policy

    return m.terms_table([monitor_terms(load_policy(POLICY), AS_OF, POLICY)])


def build_part(index: int, folder: Path, *, persons: int, seed: int) -> dict:
    """Part ``index`` of the partitioned data (jiuzhu.benchmarks.partitioned): a department population of
    1.5 × ``persons``, its seven snapshots, ``persons`` monitored of them and 1 % known dedup keys."""
    from jiuzhu.batch import monitoring as m

    from . import partitioned

    pop = partitioned.population_part(index, persons + persons // 2, as_of=AS_OF, seed=seed, key=BENCH_KEY)
    rows = partitioned.write_snapshot_parts(m.USED, pop, folder / "snapshots", index, as_of=AS_OF, seed=seed)
    rng = np.random.default_rng([seed, index])
    population, households = _monitored(persons, pop, rng, offset=index * persons)
    known = _known(persons, rng, first=index * persons)
    partitioned.write_table(population, folder / "population" / partitioned.part_name(index))
    partitioned.write_table(known, folder / "known" / partitioned.part_name(index))
    return {"persons": persons, "households": households, "department_population": len(pop),
            "department_rows": rows, "known_keys": known.num_rows}


def _scale_dir(per_part: int, seed: int) -> Path:
    base = Path(os.environ.get("JIUZHU_VAR_DIR") or Path(__file__).resolve().parents[3] / "var")
    return base / "bench" / "monitor" / f"p{PARTITIONED_VERSION}-m{per_part}-s{seed}"


def timed_scale_run(folder: str, parts: int, engine: str = "duckdb", settings: dict | None = None) -> dict:
    """The timed scan over the first ``parts`` parts (meant for a fresh process): the engine reads the
    population and snapshot parts, scans, de-duplicates; the alerts are written to Parquet."""
    import pyarrow.parquet as pq

    from jiuzhu.batch import monitoring as m
    from jiuzhu.batch.engines import connect
    from jiuzhu.batch.ingest import write_parquet

    from .partitioned import part_files

    folder_ = Path(folder)
    terms = _terms()
    wall, cpu = time.perf_counter(), time.process_time()
    con = connect(engine, **(settings or {}))
    known = pq.ParquetDataset(part_files(folder_, "known", parts)).read()
    snapshots = {code: part_files(folder_ / "snapshots", code, parts) for code in m.USED}
    result = m.run(part_files(folder_, "population", parts), snapshots, as_of=AS_OF, terms=terms, known=known,
                   engine=engine, con=con)
    write_parquet(result.alerts, folder_ / "result" / f"{engine}-{parts}" / "alerts.parquet")
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    counts: dict = {}
    for t in result.alerts.column("type").to_pylist():
        counts[t] = counts.get(t, 0) + 1
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 1),
            "peak_rss_mb": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "alerts": result.alerts.num_rows, "candidates": result.candidates, "matched": result.matched,
            "counts": dict(sorted(counts.items()))}


def naive_rules(rows: dict, members: list[dict], t: dict) -> set:
    """The same rules in plain Python for one household's rows (dicts per snapshot): the alerts found,
    as tuples starting with (type, blind index)."""
    found = set()
    since, event_since = t["medical_since"], t["event_since"]
    for p in members:
        b = p["bidx"]
        medical = [r for r in rows["medical_expense"] if r["bidx"] == b and since <= r["settled_on"] <= AS_OF]
        if sum(r["self_paid"] or 0 for r in medical) > t["medical_threshold_fen"]:
            found.add(("medical_expense", b))
        for r in rows["disability"]:
            if r["bidx"] == b and r["grade"] <= t["severe_max_grade"] and event_since <= r["certified_on"] <= AS_OF:
                found.add(("severe_disability", b, r["certified_on"]))
        for r in rows["hukou_death"]:
            if r["bidx"] == b and r["status"] == "deceased" and r["event_date"] <= AS_OF:
                found.add(("death", b))
        for r in rows["unemployment"]:
            if r["bidx"] == b and r["registered_on"] <= AS_OF and (r["ended_on"] is None or r["ended_on"] > AS_OF):
                found.add(("unemployment", b, r["registered_on"]))
        for r in rows["student"]:
            if (r["bidx"] == b and p["category"] in ("dibao", "tekun", "edge") and event_since <= r["enrolled_on"] <= AS_OF
                    and r["stage"] in ("preschool", "senior", "vocational", "college")):
                found.add(("school_entry", b, r["stage"], r["enrolled_on"]))
        if p["category"] in ("dibao", "tekun"):
            for r in rows["vehicle"]:
                if r["bidx"] == b and r["vehicle_type"] in ("car", "truck") and event_since <= r["registered_on"] <= AS_OF:
                    found.add(("new_vehicle", b, r["registered_on"]))
            for r in rows["real_estate"]:
                if r["bidx"] == b and r["usage"] == "residential" and event_since <= r["registered_on"] <= AS_OF:
                    found.add(("new_property", b, r["registered_on"]))
    return found


def naive_seconds_per_household(out: str, sample: int, seed: int) -> tuple[float, int]:
    """Per household: one query per snapshot file for its members, the rules in Python."""
    import duckdb
    import pyarrow.parquet as pq

    from jiuzhu.batch import monitoring as m

    from .partitioned import part_name

    out = Path(out)
    population = pq.read_table(out / "population" / part_name(0), columns=["household_id", "bidx", "category"])
    households = population.column("household_id").to_numpy()
    chosen = set(np.random.default_rng(seed).choice(np.unique(households), sample, replace=False).tolist())
    mask = np.isin(households, list(chosen))
    by_household: dict = {}
    for row in population.filter(mask).to_pylist():
        by_household.setdefault(row["household_id"], []).append(row)
    t = _terms().to_pylist()[0]
    con = duckdb.connect()
    started = time.perf_counter()
    alerts = 0
    for members in by_household.values():
        keys = [p["bidx"] for p in members]
        marks = ", ".join("?" for _ in keys)
        rows = {}
        for code, columns in m.USED.items():
            cur = con.execute(f"SELECT bidx, {', '.join(columns)} FROM read_parquet(?) WHERE bidx IN ({marks})",
                              [str(out / "snapshots" / code / part_name(0)), *keys])
            names = [d[0] for d in cur.description]
            rows[code] = [dict(zip(names, r)) for r in cur.fetchall()]
        alerts += len(naive_rules(rows, members, t))
    return (time.perf_counter() - started) / len(by_household), alerts


def _in_child(fn, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def run(*, persons: int, seed: int = 0, sample: int = 20, engine: str = "duckdb", sizes: list[int] | None = None,
        per_part: int = 300_000, workers: int = 2, memory_limit: str | None = "12GB",
        temp_directory: str | None = None, **_) -> dict:
    """The scan at four sizes (N/100, N/10, 3N/10, N; rounded to whole parts of ``per_part`` monitored
    persons) over one partitioned generation."""
    from . import partitioned

    per_part = max(1, min(per_part, persons))
    parts_of = sorted({max(1, -(-n // per_part)) for n in (sizes or [persons // 100, persons // 10,
                                                                     persons * 3 // 10, persons])})
    folder = _scale_dir(per_part, seed)
    state = "reused" if partitioned.parts_done(folder) >= parts_of[-1] else "generated"
    gen = partitioned.generate(partial(build_part, persons=per_part, seed=seed), parts_of[-1], folder,
                               workers=workers)
    temp = temp_directory or str(folder / "duckdb-tmp")
    settings = {"memory_limit": memory_limit, "temp_directory": temp} if engine == "duckdb" else {}
    rows = []
    for parts in parts_of:
        meta = partitioned.summed(folder, parts)
        timing = _in_child(timed_scale_run, str(folder), parts, engine, settings)
        rows.append({**{k: int(meta[k]) for k in ("persons", "households", "department_rows", "known_keys")},
                     **timing})
    last = rows[-1]
    per_household, _ = naive_seconds_per_household(str(folder), sample, seed)
    baseline = per_household * last["households"]
    return {
        "bench": "monitor", "persons": last["persons"], "households": last["households"],
        "department_rows": last["department_rows"], "seconds": last["seconds"], "cpu_seconds": last["cpu_seconds"],
        "per_second": int(last["persons"] / last["seconds"]), "baseline": "duckdb-query-per-household",
        "baseline_seconds": round(baseline, 1), "ratio": round(baseline / last["seconds"], 1),
        "peak_rss_mb": last["peak_rss_mb"], "engine": engine, "memory_limit": settings.get("memory_limit"),
        "database": "none", "alerts": last["alerts"], "candidates": last["candidates"], "matched": last["matched"],
        "counts": last["counts"], "sizes": [{k: v for k, v in r.items() if k != "counts"} for r in rows],
        "data": state, "parts": parts_of[-1], "generate": {k: gen[k] for k in ("cpu_seconds", "wall_seconds")},
        "cpus": os.cpu_count(),
        "notes": (f"seconds/cpu_seconds: the engine reads the partitioned Parquet ({per_part} monitored persons "
                  f"in a department population of {per_part + per_part // 2} per part: population, known dedup "
                  f"keys, 7 snapshots), rules, de-duplication; the alerts written to Parquet; one fresh process "
                  f"per size, peak_rss_mb is its own, cpu_seconds counts all its threads. baseline measured on "
                  f"{sample} households over the first part's files (one query per snapshot per household, rules "
                  f"in Python) and scaled linearly to {last['households']} households: a lower bound. Data "
                  f"{state} under var/bench/monitor (generation not timed). No database writes."),
    }
