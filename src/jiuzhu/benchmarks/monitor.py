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

import json
import multiprocessing
import os
import resource
import time
from datetime import date
from pathlib import Path

import numpy as np

AS_OF = date(2026, 11, 30)
POLICY = "330127000000"
GENERATOR_VERSION = 1
BENCH_KEY = bytes.fromhex("6b" * 32)  # blind-index key of the synthetic data (never a real key)
CATEGORY_SHARES = {"dibao": 0.40, "tekun": 0.05, "edge": 0.20, "rigid_expenditure": 0.10, "temporary": 0.10,
                   "left": 0.15}


def _data_dir(n: int, seed: int) -> Path:
    base = Path(os.environ.get("JIUZHU_VAR_DIR") or Path(__file__).resolve().parents[3] / "var")
    return base / "bench" / "monitor" / f"g{GENERATOR_VERSION}-p{n}-s{seed}"


def _blind_index(numbers, chunk: int = 1_000_000):
    import pyarrow as pa

    from jiuzhu.core.crypto import KeyRing

    ring = KeyRing("b", {"b": bytes(16)}, BENCH_KEY)
    parts = [pa.array(ring.blind_index_many(numbers.slice(i, chunk).to_pylist(), purpose="id_number"), pa.string())
             for i in range(0, len(numbers), chunk)]
    return pa.concat_arrays(parts)


def generate(n: int, seed: int, out: str) -> dict:
    """Write the population, the seven snapshots and the known keys for ``n`` monitored persons."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from jiuzhu.batch import monitoring as m
    from jiuzhu.batch.synthetic_departments import write_snapshots
    from jiuzhu.batch.synthetic_population import synthetic_population

    started = time.perf_counter()
    out = Path(out)
    (out / "snapshots").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    pop = synthetic_population(n + n // 2, as_of=AS_OF, seed=seed)
    t0 = time.perf_counter()
    pop.bidx = _blind_index(pop.id_number)
    index_seconds = time.perf_counter() - t0
    pop.id_number = pop.name = None
    rows = write_snapshots(m.USED, pop, out / "snapshots", as_of=AS_OF, seed=seed)
    # monitored persons: a random n of the department population, grouped into households of 1–5
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
        "person_id": np.arange(1, n + 1, dtype=np.int64), "household_id": household.astype(np.int64),
        "region": pa.array(villages[h_region[household - 1]]), "bidx": pop.bidx.take(pa.array(chosen)),
        "category": pa.array(cats[h_cat[household - 1]]), "is_head": first,
        "earning": np.where(pop.employed[chosen], pop.wage_fen[chosen], 0).astype(np.int64),
        "policy": pa.array(np.full(n, POLICY)),
    }).cast(m.POPULATION_SCHEMA)
    pq.write_table(population, out / "population.parquet")
    known_ids = rng.choice(np.arange(1, n + 1), max(n // 100, 1), replace=False)
    known = pa.table({"dedup_key": pa.array([f"death:{i}" for i in known_ids], pa.string())})
    pq.write_table(known, out / "known.parquet")
    meta = {"persons": n, "households": h_count, "department_population": len(pop), "department_rows": rows,
            "known_keys": known.num_rows, "generate_seconds": round(time.perf_counter() - started, 1),
            "blind_index_per_second": int(len(pop) / index_seconds)}
    (out / "meta.json").write_text(json.dumps(meta))
    return meta


def _terms():
    from jiuzhu.batch import monitoring as m
    from jiuzhu.rules.monitoring import monitor_terms
    from jiuzhu.rules.params import load_policy

    return m.terms_table([monitor_terms(load_policy(POLICY), AS_OF, POLICY)])


def timed_run(out: str, engine: str = "duckdb") -> dict:
    """The timed scan (meant for a fresh process): read, scan, de-duplicate, write."""
    import pyarrow.parquet as pq

    from jiuzhu.batch import monitoring as m
    from jiuzhu.batch.ingest import write_parquet

    out = Path(out)
    terms = _terms()
    started = time.perf_counter()
    population = pq.read_table(out / "population.parquet")
    known = pq.read_table(out / "known.parquet")
    snapshots = {code: out / "snapshots" / f"{code}.parquet" for code in m.USED}
    result = m.run(population, snapshots, as_of=AS_OF, terms=terms, known=known, engine=engine)
    write_parquet(result.alerts, out / "result" / "alerts.parquet")
    seconds = time.perf_counter() - started
    counts: dict = {}
    for t in result.alerts.column("type").to_pylist():
        counts[t] = counts.get(t, 0) + 1
    return {"seconds": round(seconds, 2), "peak_rss_mb": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
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

    out = Path(out)
    population = pq.read_table(out / "population.parquet", columns=["household_id", "bidx", "category"])
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
                              [str(out / "snapshots" / f"{code}.parquet"), *keys])
            names = [d[0] for d in cur.description]
            rows[code] = [dict(zip(names, r)) for r in cur.fetchall()]
        alerts += len(naive_rules(rows, members, t))
    return (time.perf_counter() - started) / len(by_household), alerts


def _in_child(fn, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def run(*, persons: int, seed: int = 0, sample: int = 20, engine: str = "duckdb", **_) -> dict:
    out = _data_dir(persons, seed)
    state = "reused"
    if not (out / "meta.json").exists():
        _in_child(generate, persons, seed, str(out))
        state = "generated"
    meta = json.loads((out / "meta.json").read_text())
    timing = _in_child(timed_run, str(out), engine)
    per_household, _ = naive_seconds_per_household(str(out), sample, seed)
    baseline = per_household * meta["households"]
    return {
        "bench": "monitor", "persons": persons, "households": meta["households"],
        "department_rows": meta["department_rows"], "seconds": timing["seconds"],
        "per_second": int(persons / timing["seconds"]), "baseline": "duckdb-query-per-household",
        "baseline_seconds": round(baseline, 1), "ratio": round(baseline / timing["seconds"], 1),
        "peak_rss_mb": timing["peak_rss_mb"], "engine": engine, "database": "none", "alerts": timing["alerts"],
        "candidates": timing["candidates"], "matched": timing["matched"], "counts": timing["counts"],
        "data": state, "cpus": os.cpu_count(),
        "notes": (f"seconds: read the population ({persons} persons) and {meta['known_keys']} known dedup keys, scan "
                  f"{meta['department_rows']} department rows of 7 Parquet snapshots (population of "
                  f"{meta['department_population']}), rules, de-duplication, write the alerts; one fresh process, "
                  f"peak_rss_mb is its own. baseline measured on {sample} households (one query per snapshot per "
                  f"household, rules in Python) and scaled linearly to {meta['households']} households. Data {state} "
                  f"under var/bench/monitor (generation not timed: {meta['generate_seconds']} s when generated). "
                  f"No database writes (the service's bulk insert of alerts is not part of this bench)."),
    }

