"""``jiuzhu bench selfcheck --enrollments N --json``: the 自查自纠 department checks (jiuzhu.batch.selfcheck)
over N live enrollments against the department snapshots of the verification bench (issue 15: ≤ 30 s
for 1 000 000 enrollments on DuckDB).

Data: the verification bench's files for ``--households H`` (default 100 000: a department population of
35 H persons, thirteen snapshots, ≈ 50 million rows; generated once under ``VAR_DIR/bench/verify`` and
reused by both benches). The enrolled population is drawn from the persons the departments know (the
户籍 snapshot's blind indexes): N enrollments of 1–3 covered persons each (single-person enrollments and
small households), first months 2018–2026, in the 400 villages of the demo county; written once under
``VAR_DIR/bench/selfcheck`` (not timed). Timed, in a fresh process: reading the enrolled population,
the seven department checks on DuckDB (vehicle, market entity, public-employer provident fund, residential
property bought after the enrollment began, death, deposits above the threshold, a prison term during the
enrollment) and writing the hits.

Baseline: the per-person way — for each enrollment of a sample, one DuckDB query per snapshot file for
its persons' blind indexes, the checks in Python — scaled linearly to N. The three database checks
(last verification above the line, late approvals, relatives not filed) read the case tables, not the snapshots, and are not
part of this bench.
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

from . import verify

AS_OF = verify.AS_OF
POLICY = "330127000000"
GENERATOR_VERSION = 1
LIMIT_SECONDS = 30.0
CHECKS = ("vehicle", "business", "public_salary", "property_purchase", "death", "large_deposit", "prison")


def _data_dir(n: int, households: int, seed: int) -> Path:
    base = Path(os.environ.get("JIUZHU_VAR_DIR") or Path(__file__).resolve().parents[3] / "var")
    return base / "bench" / "selfcheck" / f"g{GENERATOR_VERSION}-e{n}-h{households}-s{seed}"


def snapshot_paths(households: int, seed: int) -> dict:
    from jiuzhu.batch.selfcheck import USED

    folder = verify._data_dir(households, seed) / "snapshots"
    return {code: folder / f"{code}.parquet" for code in USED}


def generate(n: int, households: int, seed: int, out: str) -> dict:
    """The enrolled population: ``n`` enrollments over persons of the verification bench's departments."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from jiuzhu.batch.selfcheck import POPULATION_SCHEMA

    started = time.perf_counter()
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    known = pc.unique(pq.read_table(snapshot_paths(households, seed)["hukou_death"], columns=["bidx"]).column("bidx"))
    sizes = rng.choice(np.arange(1, 4), n, p=[0.55, 0.3, 0.15])
    persons = int(sizes.sum())
    if persons > len(known):
        raise ValueError(f"{n} enrollments need {persons} persons; the departments know {len(known)} "
                         f"(use more --households)")
    chosen = rng.choice(len(known), persons, replace=False)
    enrollment = np.repeat(np.arange(1, n + 1, dtype=np.int64), sizes)
    villages = np.array([f"330127{100 + t:03d}{201 + v:03d}" for t in range(20) for v in range(20)])
    region = villages[rng.integers(0, len(villages), n)][enrollment - 1]
    start_days = rng.integers((date(2018, 1, 1) - date(1970, 1, 1)).days, (date(2026, 11, 1) - date(1970, 1, 1)).days, n)
    first_month = pa.array(start_days[enrollment - 1].astype(np.int32)).cast(pa.date32())
    population = pa.table({
        "enrollment_id": enrollment, "person_id": np.arange(1, persons + 1, dtype=np.int64), "household_id": enrollment,
        "region": pa.array(region), "bidx": known.take(pa.array(chosen)), "started": first_month,
        "policy": pa.array(np.full(persons, POLICY)),
    }).cast(POPULATION_SCHEMA)
    pq.write_table(population, out_dir / "population.parquet")
    meta = {"enrollments": n, "persons": persons, "department_population": len(known),
            "generate_seconds": round(time.perf_counter() - started, 1)}
    (out_dir / "meta.json").write_text(json.dumps(meta))
    return meta


def _terms():
    from jiuzhu.batch import selfcheck as s
    from jiuzhu.rules.params import load_policy
    from jiuzhu.rules.selfcheck import selfcheck_terms

    return s.terms_table([selfcheck_terms(load_policy(POLICY), AS_OF, POLICY)])


def _cpu() -> float:
    """User + system CPU seconds of this process (DuckDB's threads included): with other work on the
    machine, wall time grows while this stays."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_run(out: str, households: int, seed: int, engine: str = "duckdb") -> dict:
    """The timed checks (meant for a fresh process): read, match, check, write."""
    import pyarrow.parquet as pq

    from jiuzhu.batch import selfcheck as s
    from jiuzhu.batch.ingest import write_parquet

    terms = _terms()
    cpu0 = _cpu()
    started = time.perf_counter()
    population = pq.read_table(Path(out) / "population.parquet")
    result = s.run(population, snapshot_paths(households, seed), checks=list(CHECKS), as_of=AS_OF, terms=terms,
                   engine=engine)
    write_parquet(result.hits, Path(out) / "result" / "hits.parquet")
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu0
    counts: dict = {}
    for c in result.hits.column("check").to_pylist():
        counts[c] = counts.get(c, 0) + 1
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "peak_rss_mb": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "hits": result.hits.num_rows, "matched": result.matched, "counts": dict(sorted(counts.items()))}


def naive_checks(rows: dict, persons: list[dict], t: dict) -> set:
    """The seven department checks in plain Python for one enrollment's persons (rows: dicts per snapshot):
    the hits as (check, person_id)."""
    from jiuzhu.rules.selfcheck import PUBLIC_EMPLOYER_MARKERS

    found = set()
    for p in persons:
        b, pid = p["bidx"], p["person_id"]
        mine = {code: [r for r in table if r["bidx"] == b] for code, table in rows.items()}
        if any(r["vehicle_type"] in ("car", "truck") and r["registered_on"] <= AS_OF for r in mine["vehicle"]):
            found.add(("vehicle", pid))
        if any(r["status"] == "active" and r["registered_on"] <= AS_OF for r in mine["market_entity"]):
            found.add(("business", pid))
        if any(t["salary_since"] <= r["month"] <= AS_OF and any(m in (r["employer"] or "") for m in PUBLIC_EMPLOYER_MARKERS)
               for r in mine["housing_fund"]):
            found.add(("public_salary", pid))
        if any(r["usage"] == "residential" and p["started"] <= r["registered_on"] <= AS_OF for r in mine["real_estate"]):
            found.add(("property_purchase", pid))
        if any(r["status"] == "deceased" and r["event_date"] <= AS_OF for r in mine["hukou_death"]):
            found.add(("death", pid))
        deposits = [r["balance"] or 0 for r in mine["bank_deposit"] if r["balance_date"] <= AS_OF]
        if deposits and sum(deposits) > t["deposit_threshold_fen"]:
            found.add(("large_deposit", pid))
        if any(r["start_on"] <= AS_OF and (r["end_on"] is None or r["end_on"] >= p["started"]) for r in mine["prison"]):
            found.add(("prison", pid))
    return found


def naive_seconds_per_enrollment(out: str, households: int, seed: int, sample: int) -> tuple[float, int]:
    """Per enrollment: one query per snapshot file for its persons, the checks in Python."""
    import duckdb
    import pyarrow.parquet as pq

    from jiuzhu.batch.selfcheck import USED

    population = pq.read_table(Path(out) / "population.parquet", columns=["enrollment_id", "person_id", "bidx", "started"])
    ids = population.column("enrollment_id").to_numpy()
    chosen = set(np.random.default_rng(seed).choice(np.unique(ids), min(sample, len(np.unique(ids))),
                                                    replace=False).tolist())
    by_enrollment: dict = {}
    for row in population.filter(np.isin(ids, list(chosen))).to_pylist():
        by_enrollment.setdefault(row["enrollment_id"], []).append(row)
    t = _terms().to_pylist()[0]
    paths = snapshot_paths(households, seed)
    con = duckdb.connect()
    started = time.perf_counter()
    hits = 0
    for persons in by_enrollment.values():
        keys = [p["bidx"] for p in persons]
        marks = ", ".join("?" for _ in keys)
        rows = {}
        for code, columns in USED.items():
            cur = con.execute(f"SELECT bidx, {', '.join(columns)} FROM read_parquet(?) WHERE bidx IN ({marks})",
                              [str(paths[code]), *keys])
            names = [d[0] for d in cur.description]
            rows[code] = [dict(zip(names, r)) for r in cur.fetchall()]
        hits += len(naive_checks(rows, persons, t))
    return (time.perf_counter() - started) / max(len(by_enrollment), 1), hits


def _in_child(fn, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def run(*, enrollments: int, households: int = 100_000, seed: int = 0, sample: int = 20, engine: str = "duckdb",
        **_) -> dict:
    import pyarrow.parquet as pq

    state = set()
    if (verify._data_dir(households, seed) / "meta.json").exists():
        state.add("reused")
    else:
        _in_child(verify.generate, households, seed, str(verify._data_dir(households, seed)))
        state.add("generated")
    out = _data_dir(enrollments, households, seed)
    if not (out / "meta.json").exists():
        _in_child(generate, enrollments, households, seed, str(out))
        state.add("generated")
    meta = json.loads((out / "meta.json").read_text())
    snapshot_rows = sum(pq.ParquetFile(path).metadata.num_rows for path in snapshot_paths(households, seed).values())
    timing = _in_child(timed_run, str(out), households, seed, engine)
    per_enrollment, _naive_hits = naive_seconds_per_enrollment(str(out), households, seed, sample)
    baseline = per_enrollment * enrollments
    return {
        "bench": "selfcheck", "enrollments": enrollments, "persons": meta["persons"],
        "department_population": meta["department_population"], "department_rows": snapshot_rows,
        "seconds": timing["seconds"], "cpu_seconds": timing["cpu_seconds"],
        "load_average_1m": round(os.getloadavg()[0], 1), "limit_seconds": LIMIT_SECONDS, "within_limit": timing["seconds"] <= LIMIT_SECONDS,
        "per_second": int(enrollments / max(timing["seconds"], 1e-9)), "baseline": "duckdb-query-per-enrollment",
        "baseline_seconds": round(baseline, 1), "ratio": round(baseline / max(timing["seconds"], 1e-9), 1),
        "peak_rss_mb": timing["peak_rss_mb"], "engine": engine, "database": "none", "hits": timing["hits"],
        "matched": timing["matched"], "counts": timing["counts"], "data": "+".join(sorted(state)), "cpus": os.cpu_count(),
        "notes": (f"seconds: read the enrolled population ({meta['persons']} persons of {enrollments} enrollments), "
                  f"the seven department checks against {snapshot_rows} rows of the verification bench's seven snapshots read (--households {households}: "
                  f"a department population of {meta['department_population']}), write the hits; one fresh process, "
                  f"peak_rss_mb is its own. baseline measured on {sample} enrollments (one query per snapshot per "
                  f"enrollment, checks in Python) and scaled linearly to {enrollments}. cpu_seconds: user+system CPU "
                  f"of the timed process (all its threads); load_average_1m: the machine's load when the run ended "
                  f"(other work shares the {os.cpu_count()} cores). Data "
                  f"{'+'.join(sorted(state))} under var/bench/verify and var/bench/selfcheck (generation not timed). "
                  f"The three database checks and the item inserts are not part of this bench."),
    }
