"""The `rules` benchmark: JSON fields of interfaces.md, Parquet input and output, sample parity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jiuzhu.batch.dibao import OUTPUT_SCHEMA, SINGLE_PERSON_SCHEMA
from jiuzhu.batch.synthetic import generate
from jiuzhu.benchmarks.rules import run

KEYS = {"bench", "households", "seconds", "per_second", "baseline", "baseline_seconds", "ratio",
        "peak_rss_mb", "engine", "database", "notes"}
JIUZHU = Path(sys.executable).with_name("jiuzhu")


def test_run_synthetic():
    out = run(households=300, repeat=1)
    assert KEYS <= set(out)
    assert out["bench"] == "rules" and out["engine"] == "duckdb" and out["households"] == 300
    assert out["seconds"] > 0 and out["baseline_seconds"] > 0
    assert "scaled linearly" in out["notes"] and "0 mismatches" in out["notes"]


def test_run_parquet_files(tmp_path):
    as_of = date(2026, 12, 1)
    persons, households = generate(200, as_of=as_of, seed=7)
    pq.write_table(persons, tmp_path / "p.parquet")
    pq.write_table(households, tmp_path / "h.parquet")
    out = run(persons_path=str(tmp_path / "p.parquet"), households_path=str(tmp_path / "h.parquet"),
              out=str(tmp_path / "a.parquet"), out_single=str(tmp_path / "s.parquet"), repeat=1, as_of=as_of)
    assert out["households"] == 200 and "0 mismatches" in out["notes"]
    amounts = pq.read_table(tmp_path / "a.parquet")
    assert amounts.schema == OUTPUT_SCHEMA and amounts.num_rows == 200
    singles = pq.read_table(tmp_path / "s.parquet")
    assert singles.schema == SINGLE_PERSON_SCHEMA and singles.num_rows == out["single_person_enrollments"]


def test_run_writes_its_own_parquet_and_supports_a_tiered_region_policy():
    out = run(households=500, repeat=1, parquet=True, policy="330127000000", as_of=date(2026, 7, 1))
    assert "written by the bench" in out["notes"] and "policy 330127000000" in out["notes"]
    assert "0 mismatches" in out["notes"]
    assert out["bound_seconds"] is None and "补差 only" in out["notes"]
    assert out["openfisca_seconds"] is None and "no --openfisca-python given" in out["notes"]


def test_run_from_parquet_reports_the_bound_and_its_equality(tmp_path):
    out = run(households=400, repeat=2, parquet=True, out=str(tmp_path / "a.parquet"),
              openfisca_python=str(tmp_path / "absent-python"))
    assert out["bound_equal"] is True and out["bound_seconds"] > 0 and out["bound_cpu_seconds"] >= 0
    assert out["bound_ratio"] == round(out["seconds"] / out["bound_seconds"], 3)
    assert out["cpu_seconds"] > 0 and "equal to the rules' household decisions" in out["notes"]
    assert out["openfisca_seconds"] is None and "does not exist" in out["notes"]
    assert pq.read_table(tmp_path / "a.parquet").num_rows == 400


def test_in_memory_run_has_no_bound():
    out = run(households=100, repeat=1)
    assert out["bound_seconds"] is None and out["bound_equal"] is None and "need Parquet input" in out["notes"]


def test_missing_column_is_a_value_error(tmp_path):
    persons, households = generate(5, as_of=date(2026, 12, 1), seed=3)
    pq.write_table(persons.drop(["age"]), tmp_path / "p.parquet")
    pq.write_table(households, tmp_path / "h.parquet")
    with pytest.raises(ValueError, match="age"):
        run(persons_path=str(tmp_path / "p.parquet"), households_path=str(tmp_path / "h.parquet"), repeat=1)


def test_cli_json_last_line(tmp_path):
    # given the console script with no database at all
    env = {**os.environ, "JIUZHU_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "jiuzhu.settings.production",
           "JIUZHU_DATABASE_URL": f"sqlite:///{tmp_path}/absent.sqlite3"}
    # when
    proc = subprocess.run([str(JIUZHU), "bench", "rules", "--households", "200", "--repeat", "1", "--parquet",
                           "--json"], capture_output=True, text=True, env=env, timeout=120)
    # then
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert KEYS <= set(out) and out["households"] == 200 and "written by the bench" in out["notes"]
