"""The columnar dibao straight from Parquet files (DuckDB reads them) equals the Arrow-table path,
which test_parity.py checks against the single-case engine; the one-query bound of the rules bench
equals both; the OpenFisca baseline's inputs and totals."""

from __future__ import annotations

import json
import os
import sys
from datetime import date

import numpy as np
import pyarrow.parquet as pq
import pytest

from jiuzhu.batch.dibao import OUTPUT_SCHEMA, SINGLE_PERSON_SCHEMA, evaluate_dibao_table
from jiuzhu.batch.dibao_files import evaluate_dibao_files
from jiuzhu.batch.engines import duckdb_connection
from jiuzhu.batch.synthetic import generate
from jiuzhu.benchmarks.rules_bound import bound_sql, run_bound
from jiuzhu.benchmarks.rules_openfisca import export_inputs, run_baseline, totals


def _files(tmp_path, n: int, as_of: date, policy: str = "reference", seed: int = 11):
    persons, households = generate(n, as_of=as_of, policy=policy, seed=seed)
    pq.write_table(persons, tmp_path / "p.parquet", row_group_size=1000)
    pq.write_table(households, tmp_path / "h.parquet", row_group_size=1000)
    return persons, households, str(tmp_path / "p.parquet"), str(tmp_path / "h.parquet")


@pytest.mark.parametrize("policy, as_of", [("reference", date(2026, 7, 1)), ("330127000000", date(2026, 12, 1))])
def test_files_equal_the_table_path_and_write_both_outputs(tmp_path, policy, as_of):
    persons, households, p, h = _files(tmp_path, 3000, as_of, policy)
    want = evaluate_dibao_table(persons, households, policy=policy, as_of=as_of)
    got = evaluate_dibao_files(p, h, policy=policy, as_of=as_of, out=str(tmp_path / "a.parquet"),
                               out_single=str(tmp_path / "s.parquet"))
    assert want.single_person.num_rows > 0
    assert got.households.equals(want.households) and got.single_person.equals(want.single_person)
    assert pq.read_table(tmp_path / "a.parquet").equals(want.households)
    assert pq.read_table(tmp_path / "s.parquet").equals(want.single_person)
    assert got.households.schema == OUTPUT_SCHEMA and got.single_person.schema == SINGLE_PERSON_SCHEMA


def test_files_errors_name_the_problem(tmp_path):
    persons, households, p, h = _files(tmp_path, 50, date(2026, 7, 1))
    pq.write_table(persons.filter(persons.column("household_id").to_numpy() != 10), p)  # household 10 empty
    with pytest.raises(ValueError, match="1 households have no persons"):
        evaluate_dibao_files(p, h, policy="reference", as_of=date(2026, 7, 1))
    pq.write_table(households.drop(["financial"]), h)
    with pytest.raises(ValueError, match="financial"):
        evaluate_dibao_files(p, h, policy="reference", as_of=date(2026, 7, 1))


def test_bound_equals_the_rules_and_covers_only_the_gap_method(tmp_path):
    as_of = date(2026, 7, 1)
    _, _, p, h = _files(tmp_path, 3000, as_of)
    want = evaluate_dibao_files(p, h, policy="reference", as_of=as_of)
    con = duckdb_connection().con
    assert run_bound(con, p, h, policy="reference", as_of=as_of).equals(want.households)
    assert run_bound(con, p, h, policy="reference", as_of=as_of, out=str(tmp_path / "b.parquet")) is None
    assert pq.read_table(tmp_path / "b.parquet").cast(OUTPUT_SCHEMA).equals(want.households)
    assert bound_sql(p, h, policy="330127000000", as_of=date(2026, 12, 1)) is None
    with pytest.raises(ValueError, match="补差"):
        run_bound(con, p, h, policy="330127000000", as_of=date(2026, 12, 1))


def test_openfisca_inputs_and_skips(tmp_path):
    as_of = date(2026, 12, 1)
    persons, households, p, h = _files(tmp_path, 200, as_of)
    seconds = export_inputs(p, h, tmp_path / "in.npz", tmp_path / "terms.json", policy="reference", as_of=as_of)
    data = np.load(tmp_path / "in.npz")
    assert seconds >= 0 and data["person_id"].size == persons.num_rows and data["urban"].dtype == bool
    kinds = persons.column("disability_kind").to_pylist()
    assert {k for k, code in zip(kinds, data["disability_code"], strict=True) if code == 3} <= {"mental"}
    assert (data["disability_code"] == 0).sum() == kinds.count("none")
    terms = json.loads((tmp_path / "terms.json").read_text(encoding="utf-8"))
    assert terms["urban"]["standard_ceil_fen"] != terms["rural"]["standard_ceil_fen"]
    assert run_baseline(None, p, h, str(tmp_path), policy="reference", as_of=as_of, repeat=1)[1].endswith(
        "no --openfisca-python given")
    assert "does not exist" in run_baseline(str(tmp_path / "nope"), p, h, str(tmp_path), policy="reference",
                                            as_of=as_of, repeat=1)[1]
    # the project's own interpreter has no OpenFisca (it must not: its numpy pins may clash)
    result, note = run_baseline(sys.executable, p, h, str(tmp_path), policy="reference", as_of=as_of, repeat=1)
    assert result is None and "cannot import openfisca_core" in note
    out = evaluate_dibao_files(p, h, policy="reference", as_of=as_of)
    assert totals(out)["households"] == 200 and totals(out)["amount_fen"] == sum(
        out.households.column("monthly_amount_fen").to_pylist())


@pytest.mark.skipif(not os.environ.get("JIUZHU_OPENFISCA_PYTHON"),
                    reason="set JIUZHU_OPENFISCA_PYTHON to a Python with openfisca-core (a separate venv)")
def test_openfisca_totals_equal_the_rules(tmp_path):
    as_of = date(2026, 12, 1)
    _, _, p, h = _files(tmp_path, 3000, as_of)
    result, note = run_baseline(os.environ["JIUZHU_OPENFISCA_PYTHON"], p, h, str(tmp_path), policy="reference",
                                as_of=as_of, repeat=1)
    assert result is not None, note
    want = totals(evaluate_dibao_files(p, h, policy="reference", as_of=as_of))
    assert want["single_person"] > 0 and want["edge"] > 0
    assert result["totals"] == want
