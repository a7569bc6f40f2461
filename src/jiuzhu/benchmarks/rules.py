"""Columnar dibao evaluation (Ibis over DuckDB) versus the single-case engine run per household.

``seconds`` is the median time from having the input (Arrow tables in memory, or reading the two
Parquet files when paths are given) to having every household's amount and every single-person
enrollment. With ``parquet=True`` the bench writes its synthetic population to Parquet files in a
temporary directory first and then times from reading them. The baseline runs
``jiuzhu.rules.evaluate.evaluate`` on the §6 JSON request of each household of a sample and is
scaled linearly to the whole population; the sample's results (household rows and single-person
enrollments) are also checked against the batch.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from jiuzhu.batch.dibao import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, evaluate_dibao_table
from jiuzhu.batch.synthetic import generate, single_case_requests
from jiuzhu.rules.evaluate import evaluate

from .common import median_seconds, peak_rss_mb

BASELINE_SAMPLE = 2_000
PARQUET_ROW_GROUP = 256 * 1024


def _fen(text: str) -> int:
    return int(Decimal(text) * 100)


def _sample_parity(persons, households, tables, policy: str, as_of: date) -> tuple[int, float, int]:
    """(mismatching households, seconds of the single-case engine, sample size) on the first households."""
    sample_n = min(BASELINE_SAMPLE, households.num_rows)
    sample_h = households.slice(0, sample_n)
    sample_ids = sample_h.column("household_id").combine_chunks()
    sample_p = persons.filter(pc.is_in(persons.column("household_id"), value_set=sample_ids))
    requests = single_case_requests(sample_p, sample_h, as_of=as_of)
    started = time.perf_counter()
    outputs = {hid: evaluate(request, policy) for hid, request in requests.items()}
    sample_seconds = time.perf_counter() - started

    table, singles = tables
    got = {r["household_id"]: r for r in table.filter(pc.is_in(table.column("household_id"), value_set=sample_ids)).to_pylist()}
    enrolled: dict[int, list] = {}
    for r in singles.filter(pc.is_in(singles.column("household_id"), value_set=sample_ids)).to_pylist():
        enrolled.setdefault(r["household_id"], []).append((r["person_id"], r["monthly_amount_fen"]))
    mismatches = 0
    for hid, o in outputs.items():
        expected = (o["status"], o["class"], _fen(o["monthly_amount"]),
                    [(int(e["member"][1:]), _fen(e["monthly_amount"])) for e in o["single_person_enrollments"]])
        row = got[hid]
        mismatches += expected != (row["status"], row["class"], row["monthly_amount_fen"], enrolled.get(hid, []))
    return mismatches, sample_seconds, sample_n


def run(*, households: int = 100_000, repeat: int = 3, policy: str = "reference", as_of: date = date(2026, 12, 1),
        persons_path: str | None = None, households_path: str | None = None, out: str | None = None,
        out_single: str | None = None, parquet: bool = False, seed: int = 0) -> dict:
    if (persons_path is None) != (households_path is None):
        raise ValueError("give both persons and households Parquet files, or neither")
    with tempfile.TemporaryDirectory(prefix="jiuzhu-bench-rules-") as scratch:
        if persons_path is None and parquet:  # the bench writes its own population to Parquet first
            persons_path, households_path = str(Path(scratch, "persons.parquet")), str(Path(scratch, "households.parquet"))
            generated_p, generated_h = generate(households, as_of=as_of, policy=policy, seed=seed)
            # lz4 and 256 Ki-row groups: decoded in parallel, a little faster to read than one snappy group
            pq.write_table(generated_p, persons_path, compression="lz4", row_group_size=PARQUET_ROW_GROUP)
            pq.write_table(generated_h, households_path, compression="lz4", row_group_size=PARQUET_ROW_GROUP)
            del generated_p, generated_h
            source = f"Parquet files written by the bench from synthetic data (seed {seed})"
        elif persons_path is not None:
            source = f"Parquet files {persons_path}, {households_path}"
        if persons_path is not None:
            for path, columns in ((persons_path, PERSON_COLUMNS), (households_path, HOUSEHOLD_COLUMNS)):
                missing = [c for c in columns if c not in pq.read_schema(path).names]
                if missing:
                    raise ValueError(f"{path} lacks columns: {', '.join(missing)}")

            def load():
                # only the columns used; the low-cardinality strings stay dictionary-encoded
                return (pq.read_table(persons_path, columns=list(PERSON_COLUMNS), read_dictionary=["disability_kind"]),
                        pq.read_table(households_path, columns=list(HOUSEHOLD_COLUMNS), read_dictionary=["area_type"]))
        else:
            generated = generate(households, as_of=as_of, policy=policy, seed=seed)

            def load():
                return generated
            source = f"synthetic in-memory Arrow tables (seed {seed})"

        result = {}

        def batch():
            persons, hh = load()
            result["persons"], result["households"] = persons, hh
            result["tables"] = evaluate_dibao_table(persons, hh, policy=policy, as_of=as_of)

        seconds = median_seconds(batch, repeat)
    tables, persons, hh = result["tables"], result["persons"], result["households"]
    total = hh.num_rows
    if out:
        pq.write_table(tables.households, out)
    if out_single:
        pq.write_table(tables.single_person, out_single)
    mismatches, sample_seconds, sample_n = _sample_parity(persons, hh, tables, policy, as_of)
    baseline_seconds = sample_seconds * total / sample_n if sample_n else 0.0
    return {
        "bench": "rules", "households": total, "seconds": round(seconds, 6),
        "per_second": round(total / seconds, 1) if seconds else None,
        "baseline": "single-case-engine-per-household", "baseline_seconds": round(baseline_seconds, 3),
        "ratio": round(baseline_seconds / seconds, 1) if seconds else None,
        "peak_rss_mb": peak_rss_mb(), "engine": "duckdb", "database": None,
        "single_person_enrollments": tables.single_person.num_rows,
        "notes": f"program dibao, policy {policy}, as_of {as_of.isoformat()}; input: {source}; seconds = median of "
                 f"{repeat} runs of load + Ibis/DuckDB evaluation to Arrow tables of household amounts and "
                 f"single-person enrollments; baseline_seconds = "
                 f"jiuzhu.rules.evaluate on the JSON request of each of the first {sample_n} households "
                 f"({sample_seconds:.3f} s, excluding building the requests) scaled linearly to {total}; "
                 f"parity on that sample (households and single-person enrollments): {mismatches} mismatches",
    }
