"""`jiuzhu bench simulate`: a standard change (both dibao standards raised by 5 % from the 1st of the
month after ``as_of``) simulated over N synthetic households with :mod:`jiuzhu.batch.simulation` —
evaluation under the policy in force and under the changed one (``evaluate_dibao_pair``: the member
totals, which a standard change leaves alone, grouped once), join with the caseload (the
households dibao under the policy in force are the enrolled ones), movements, totals by township,
affected list and histogram — against the single-case engine (``jiuzhu.rules.evaluate``, twice per
household) on a sample, scaled linearly, in the same run; the sample's movements are checked
against the batch's.
"""

from __future__ import annotations

import os
import time
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from jiuzhu.batch.dibao import evaluate_dibao_pair
from jiuzhu.batch.engines import duckdb_connection
from jiuzhu.batch.simulation import META_SCHEMA, affected, histogram, simulate
from jiuzhu.batch.synthetic import generate, single_case_requests
from jiuzhu.rules.evaluate import evaluate_facts, result_dict
from jiuzhu.rules.params import Policy, load_policy
from jiuzhu.rules.params.overlay import with_dated_values
from jiuzhu.rules.parse import parse_facts

from .common import median_seconds, peak_rss_mb

BASELINE_SAMPLE = 1_000
TOWNSHIPS = 20


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def changed_policy(policy: Policy, start: date, raise_by: Decimal = Decimal("1.05")) -> Policy:
    additions = {}
    for area in ("urban", "rural"):
        key = f"dibao.standard.{area}"
        value = (Decimal(policy.lookup(key, start)) * raise_by).quantize(Decimal("1"))
        additions[key] = [(start, value, "bench simulate")]
    return with_dated_values(policy, additions)


def meta_for(households: pa.Table, old_households: pa.Table) -> pa.Table:
    """Synthetic caseload: households dibao under the policy in force are enrolled at its amount.
    Built with Arrow kernels only (no Python list of a million values)."""
    n = households.num_rows
    hid = households["household_id"]
    index = pa.array(hid.to_numpy() % TOWNSHIPS)
    township = pa.array([f"330127{100 + i:03d}000" for i in range(TOWNSHIPS)], pa.string()).take(index)
    village = pa.array([f"330127{100 + i:03d}201" for i in range(TOWNSHIPS)], pa.string()).take(index)
    enrolled = pc.equal(old_households["status"], "dibao")
    return pa.table({
        "household_id": hid, "village": village, "township": township,
        "area_type": households["area_type"], "head_name": pa.repeat(pa.scalar("", pa.string()), n),
        "persons": pa.repeat(pa.scalar(0, pa.int64()), n),
        "enrolled": pc.if_else(enrolled, "dibao", ""), "enrollment_status": pc.if_else(enrolled, "active", ""),
        "current_class": pc.fill_null(old_households["class"], ""), "current_fen": old_households["monthly_amount_fen"],
    }).cast(META_SCHEMA)


def run_simulation(persons, households, before: Policy, after: Policy, start: date) -> dict:
    con = duckdb_connection()
    old, new = evaluate_dibao_pair(persons, households, before=before, after=after, as_of=start, con=con)
    rows, towns = simulate(meta_for(households, old.households), old, new)
    moved = affected(rows)
    return {"rows": rows, "towns": towns, "affected": moved.num_rows, "histogram": histogram(moved["diff_fen"])}


def _movement(old: dict, new: dict, enrolled: bool) -> str:
    o, n = old["status"] == "dibao", new["status"] == "dibao"
    if not o and n:
        return "amount" if enrolled else "enter"
    if not enrolled:
        return "none"
    if o and not n:
        return "leave"
    if o and n and old["class"] != new["class"]:
        return "class"
    if o and n and old["monthly_amount"] != new["monthly_amount"]:
        return "amount"
    return "none"


def _sample(persons, households, rows: pa.Table, before, after, start) -> tuple[int, float, int]:
    n = min(BASELINE_SAMPLE, households.num_rows)
    ids = households["household_id"].slice(0, n).combine_chunks()
    sample_p = persons.filter(pc.is_in(persons["household_id"], value_set=ids))
    requests = single_case_requests(sample_p, households.slice(0, n), as_of=start)
    started = time.perf_counter()
    results = {h: (result_dict(evaluate_facts(parse_facts(r), before)), result_dict(evaluate_facts(parse_facts(r), after)))
               for h, r in requests.items()}
    seconds = time.perf_counter() - started
    got = {r["household_id"]: r for r in rows.filter(pc.is_in(rows["household_id"], value_set=ids)).to_pylist()}
    mismatches = sum(_movement(o, nw, o["status"] == "dibao") != got[h]["movement"] for h, (o, nw) in results.items())
    return mismatches, seconds, n


def run(*, households: int = 100_000, repeat: int = 3, policy: str = "reference", as_of: date = date(2026, 12, 1),
        seed: int = 0, **_) -> dict:
    start = _first_of_next_month(as_of)
    before = load_policy(policy)
    after = changed_policy(before, start)
    persons, hh = generate(households, as_of=start, policy=policy, seed=seed)
    result: dict = {}
    cpu: list[float] = []

    def once():
        started = time.process_time()
        result.update(run_simulation(persons, hh, before, after, start))
        cpu.append(time.process_time() - started)

    seconds = median_seconds(once, repeat)
    rows, towns = result["rows"], result["towns"]
    mismatches, sample_seconds, n = _sample(persons, hh, rows, before, after, start)
    baseline = sample_seconds * hh.num_rows / n if n else 0.0
    counts = pc.value_counts(rows["movement"])
    diff = pc.sum(towns["diff_fen"]).as_py() or 0
    return {
        "bench": "simulate", "households": hh.num_rows, "seconds": round(seconds, 3),
        "per_second": round(hh.num_rows / seconds, 1) if seconds else None,
        "baseline": "single-case-engine-twice-per-household", "baseline_seconds": round(baseline, 3),
        "ratio": round(baseline / seconds, 1) if seconds else None, "peak_rss_mb": peak_rss_mb(),
        "cpu_seconds": round(sorted(cpu)[len(cpu) // 2], 3), "load_average": round(os.getloadavg()[0], 2),
        "engine": "duckdb", "database": None,
        "movements": dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist())),
        "affected": result["affected"], "diff_month_yuan": str(Decimal(diff) / 100),
        "parity_mismatches": mismatches,
        "notes": f"policy {policy}: both dibao standards × 1.05 from {start.isoformat()}; seconds = median of {repeat} "
                 "runs of evaluation under both policies + join with the caseload + totals by township + affected "
                 f"list + histogram (synthetic in-memory Arrow tables, seed {seed}); cpu_seconds = CPU time of the process (all "
                 "threads) in the median run, a check on a machine shared with other work (load_average); baseline_seconds = "
                 f"jiuzhu.rules evaluate_facts under both policies on each of the first {n} households "
                 f"({sample_seconds:.3f} s) scaled linearly; parity on that sample: {mismatches} mismatches",
    }
