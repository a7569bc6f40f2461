"""Columnar dibao evaluation (Ibis over DuckDB) versus the single-case engine run per household,
the one-query DuckDB bound and OpenFisca-Core.

``seconds`` / ``cpu_seconds`` are the median wall / process-CPU time from having the input (Arrow
tables in memory, or the two Parquet files when paths are given) to having every household's amount
and every single-person enrollment (written to Parquet when ``out`` is given). With ``parquet=True``
the bench writes its synthetic population to Parquet files in a temporary directory first and then
times from reading them. From Parquet, the rules read the files with DuckDB
(:func:`jiuzhu.batch.dibao_files.evaluate_dibao_files`), and each repeat also runs the bound
(:mod:`.rules_bound`: one hand-written SQL statement of the reference formula over the same files)
whose output must equal the rules' household decisions; ``openfisca_python`` adds the OpenFisca-Core
baseline (:mod:`.rules_openfisca`) whose totals must equal the rules'. The single-case baseline runs
``jiuzhu.rules.evaluate.evaluate`` on the §6 JSON request of each household of a sample and is
scaled linearly to the whole population; the sample's results (household rows and single-person
enrollments) are also checked against the batch.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from jiuzhu.batch.dibao import HOUSEHOLD_COLUMNS, OUTPUT_SCHEMA, PERSON_COLUMNS, evaluate_dibao_table
from jiuzhu.batch.dibao_files import check_columns, evaluate_dibao_files
from jiuzhu.batch.engines import duckdb_connection
from jiuzhu.batch.synthetic import generate, single_case_requests
from jiuzhu.rules.evaluate import evaluate

from .common import peak_rss_mb
from .rules_bound import bound_sql, run_bound
from .rules_openfisca import run_baseline, totals

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


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(started: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - started[0], cpu - started[1]


def _median(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def _from_files(persons_path: str, households_path: str, scratch: str, *, repeat: int, policy: str, as_of: date,
                out: str | None, out_single: str | None) -> dict:
    """Median wall and CPU seconds of the rules from the files and of the one-query bound, run in
    turn on one DuckDB connection; with ``out`` both write their household decisions to Parquet."""
    check_columns(persons_path, households_path)
    con = duckdb_connection()
    bound_out = str(Path(scratch, "bound.parquet")) if out else None
    with_bound = bound_sql(persons_path, households_path, policy=policy, as_of=as_of) is not None  # 补差 only
    ours: list[tuple[float, float]] = []
    bound: list[tuple[float, float]] = []
    tables, bound_table = None, None
    for _ in range(repeat):
        started = _clock()
        tables = evaluate_dibao_files(persons_path, households_path, policy=policy, as_of=as_of, out=out,
                                      out_single=out_single, con=con)
        ours.append(_since(started))
        if with_bound:
            started = _clock()
            bound_table = run_bound(con.con, persons_path, households_path, policy=policy, as_of=as_of, out=bound_out)
            bound.append(_since(started))
    assert tables is not None
    result: dict = {"tables": tables, "ours": _median(ours), "bound": None, "bound_equal": None}
    if with_bound:
        if bound_out:
            bound_table = pq.read_table(bound_out).cast(OUTPUT_SCHEMA)
        result["bound"] = _median(bound)
        result["bound_equal"] = bool(bound_table is not None and bound_table.equals(tables.households))
    return result


def run(*, households: int = 100_000, repeat: int = 3, policy: str = "reference", as_of: date = date(2026, 12, 1),
        persons_path: str | None = None, households_path: str | None = None, out: str | None = None,
        out_single: str | None = None, parquet: bool = False, seed: int = 0,
        openfisca_python: str | None = None) -> dict:
    if (persons_path is None) != (households_path is None):
        raise ValueError("give both persons and households Parquet files, or neither")
    files = None
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
        if persons_path is not None and households_path is not None:
            files = _from_files(persons_path, households_path, scratch, repeat=repeat, policy=policy, as_of=as_of,
                                out=out, out_single=out_single)
            tables = files["tables"]
            seconds, cpu_seconds = files["ours"]
            persons = pq.read_table(persons_path, columns=list(PERSON_COLUMNS))
            hh = pq.read_table(households_path, columns=list(HOUSEHOLD_COLUMNS))
            openfisca, openfisca_note = run_baseline(openfisca_python, persons_path, households_path, scratch,
                                                     policy=policy, as_of=as_of, repeat=repeat)
        else:
            persons, hh = generate(households, as_of=as_of, policy=policy, seed=seed)
            source = f"synthetic in-memory Arrow tables (seed {seed})"
            runs = []
            for _ in range(repeat):
                started = _clock()
                tables = evaluate_dibao_table(persons, hh, policy=policy, as_of=as_of)
                runs.append(_since(started))
            seconds, cpu_seconds = _median(runs)
            if out:
                pq.write_table(tables.households, out)
            if out_single:
                pq.write_table(tables.single_person, out_single)
            openfisca, openfisca_note = None, "OpenFisca baseline and one-query bound need Parquet input (--parquet)"
    total = hh.num_rows
    mismatches, sample_seconds, sample_n = _sample_parity(persons, hh, tables, policy, as_of)
    baseline_seconds = sample_seconds * total / sample_n if sample_n else 0.0
    bound = files["bound"] if files else None
    ours_totals = totals(tables)
    of_seconds = openfisca["seconds"] if openfisca else None
    timed = ("reading the two Parquet files with DuckDB" if files else "the in-memory Arrow tables") + \
        (", evaluation and writing both outputs to Parquet" if files and out else
         ", evaluation to Arrow tables of household amounts and single-person enrollments")
    return {
        "bench": "rules", "households": total, "seconds": round(seconds, 6), "cpu_seconds": round(cpu_seconds, 6),
        "per_second": round(total / seconds, 1) if seconds else None,
        "baseline": "single-case-engine-per-household", "baseline_seconds": round(baseline_seconds, 3),
        "ratio": round(baseline_seconds / seconds, 1) if seconds else None,
        "bound_seconds": round(bound[0], 6) if bound else None,
        "bound_cpu_seconds": round(bound[1], 6) if bound else None,
        "bound_ratio": round(seconds / bound[0], 3) if bound else None,
        "bound_cpu_ratio": round(cpu_seconds / bound[1], 3) if bound else None,
        "bound_equal": files["bound_equal"] if files else None,
        "openfisca_seconds": round(of_seconds, 3) if of_seconds is not None else None,
        "openfisca_cpu_seconds": round(openfisca["cpu_seconds"], 3) if openfisca else None,
        "openfisca_read_seconds": round(openfisca["read_seconds"], 3) if openfisca else None,
        "openfisca_speedup": round((of_seconds + openfisca["read_seconds"]) / seconds, 2)
        if openfisca and seconds else None,
        "openfisca_speedup_without_read": round(of_seconds / seconds, 2) if openfisca and seconds else None,
        "openfisca_totals_equal": (openfisca["totals"] == ours_totals) if openfisca else None,
        "openfisca_core": openfisca["openfisca_core"] if openfisca else None,
        "totals": ours_totals,
        "peak_rss_mb": peak_rss_mb(), "engine": "duckdb", "database": None,
        "single_person_enrollments": tables.single_person.num_rows,
        "notes": f"program dibao, policy {policy}, as_of {as_of.isoformat()}; input: {source}; seconds / "
                 f"cpu_seconds = median of {repeat} runs (wall / process CPU of all threads) of {timed}; "
                 f"bound = one hand-written DuckDB SQL statement of the reference formula over the same files "
                 f"(household decisions only, to Parquet when --out is given, else to Arrow), run in turn with "
                 f"the rules, {_bound_note(files)}; {openfisca_note}"
                 f"{_OPENFISCA_NOTE if openfisca else ''}; "
                 f"baseline_seconds = jiuzhu.rules.evaluate on the JSON request of each of the first {sample_n} "
                 f"households ({sample_seconds:.3f} s, excluding building the requests) scaled linearly to "
                 f"{total}; parity on that sample (households and single-person enrollments): {mismatches} mismatches",
    }


_OPENFISCA_NOTE = (" (benchmarks/openfisca_baseline, the same formula as an OpenFisca-Core tax-benefit system run "
                   "in a subprocess: openfisca_seconds = median of the same number of runs of loading the columns "
                   "as numpy arrays, building the simulation and computing amounts and enrollments; "
                   "openfisca_read_seconds = reading the two Parquet files to numpy arrays with pyarrow in this "
                   "process, which OpenFisca cannot do; openfisca_speedup = (openfisca_seconds + "
                   "openfisca_read_seconds) / seconds; its totals compared with the rules')")


def _bound_note(files: dict | None) -> str:
    if files is None:
        return "not run (in-memory input)"
    if files["bound"] is None:
        return "not run (分档 policy: the bound covers 补差 only)"
    return "its output " + ("equal to" if files["bound_equal"] else "DIFFERENT from") + " the rules' household decisions"
