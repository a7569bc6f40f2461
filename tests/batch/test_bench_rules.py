"""The `rules` benchmark: JSON fields of interfaces.md, Parquet input and output, sample parity."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq

from jiuzhu.batch.dibao import OUTPUT_SCHEMA
from jiuzhu.batch.synthetic import generate
from jiuzhu.benchmarks.rules import run

KEYS = {"bench", "households", "seconds", "per_second", "baseline", "baseline_seconds", "ratio",
        "peak_rss_mb", "engine", "database", "notes"}


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
              out=str(tmp_path / "a.parquet"), repeat=1, as_of=as_of)
    assert out["households"] == 200 and "0 mismatches" in out["notes"]
    amounts = pq.read_table(tmp_path / "a.parquet")
    assert amounts.schema == OUTPUT_SCHEMA and amounts.num_rows == 200
