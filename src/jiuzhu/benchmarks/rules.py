"""Columnar dibao evaluation (Ibis over DuckDB) versus the single-case engine run per household.

``seconds`` is the median time from having the input (Arrow tables in memory, or reading the two
Parquet files when paths are given) to having every household's amount. The baseline runs
``jiuzhu.rules.evaluate.evaluate`` on the §6 JSON request of each household of a sample and is
scaled linearly to the whole population; the sample's results are also checked against the batch.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pyarrow.compute as pc
import pyarrow.parquet as pq

from jiuzhu.batch.dibao import evaluate_dibao_table
from jiuzhu.batch.synthetic import generate, single_case_requests
from jiuzhu.rules.evaluate import evaluate

from .common import median_seconds, peak_rss_mb

BASELINE_SAMPLE = 2_000


def run(*, households: int = 100_000, repeat: int = 3, policy: str = "reference", as_of: date = date(2026, 12, 1),
        persons_path: str | None = None, households_path: str | None = None, out: str | None = None,
        seed: int = 0) -> dict:
    if (persons_path is None) != (households_path is None):
        raise ValueError("give both persons and households Parquet files, or neither")
    if persons_path is not None:
        def load():
            return pq.read_table(persons_path), pq.read_table(households_path)
        source = f"Parquet files {persons_path}, {households_path}"
    else:
        generated = generate(households, as_of=as_of, policy=policy, seed=seed)

        def load():
            return generated
        source = f"synthetic in-memory Arrow tables (seed {seed})"

    result = {}

    def batch():
        persons, hh = load()
        result["persons"], result["households"] = persons, hh
        result["table"] = evaluate_dibao_table(persons, hh, policy=policy, as_of=as_of)

    seconds = median_seconds(batch, repeat)
    table, persons, hh = result["table"], result["persons"], result["households"]
    total = hh.num_rows
    if out:
        pq.write_table(table, out)

    sample_n = min(BASELINE_SAMPLE, total)
    sample_h = hh.slice(0, sample_n)
    sample_ids = sample_h.column("household_id").combine_chunks()
    sample_p = persons.filter(pc.is_in(persons.column("household_id"), value_set=sample_ids))
    requests = single_case_requests(sample_p, sample_h, as_of=as_of)
    started = time.perf_counter()
    outputs = {hid: evaluate(request, policy) for hid, request in requests.items()}
    sample_seconds = time.perf_counter() - started
    baseline_seconds = sample_seconds * total / sample_n if sample_n else 0.0

    got = {r["household_id"]: r for r in table.filter(pc.is_in(table.column("household_id"), value_set=sample_ids)).to_pylist()}
    mismatches = sum(
        1 for hid, o in outputs.items()
        if (o["status"], o["class"], int(Decimal(o["monthly_amount"]) * 100))
        != (got[hid]["status"], got[hid]["class"], got[hid]["monthly_amount_fen"])
    )
    return {
        "bench": "rules", "households": total, "seconds": round(seconds, 6),
        "per_second": round(total / seconds, 1) if seconds else None,
        "baseline": "single-case-engine-per-household", "baseline_seconds": round(baseline_seconds, 3),
        "ratio": round(baseline_seconds / seconds, 1) if seconds else None,
        "peak_rss_mb": peak_rss_mb(), "engine": "duckdb", "database": None,
        "notes": f"program dibao, policy {policy}, as_of {as_of.isoformat()}; input: {source}; seconds = median of "
                 f"{repeat} runs of load + Ibis/DuckDB evaluation to an Arrow table of amounts; baseline_seconds = "
                 f"jiuzhu.rules.evaluate on the JSON request of each of the first {sample_n} households "
                 f"({sample_seconds:.3f} s, excluding building the requests) scaled linearly to {total}; "
                 f"parity on that sample: {mismatches} mismatches",
    }
