"""The provincial-scale paths (issue 19): partitioned Parquet read by the engine itself, results written
by the engine, DuckDB's memory limit — the same results as the in-memory path on the same data."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.batch import monitoring as m
from jiuzhu.batch import verification as v
from jiuzhu.batch.engines import duckdb_connection
from jiuzhu.benchmarks import curves, monitor, verify

from .scale_data import monitor_parts, verify_parts, verify_terms


def test_verification_to_files_equals_the_in_memory_run(tmp_path):
    # given two parts of the bench's partitioned data
    persons, households, snapshots = verify_parts(tmp_path / "data")
    terms = verify_terms()
    p_t, h_t = pq.ParquetDataset(persons).read(), pq.ParquetDataset(households).read()
    # when the job runs in memory and out of core (memory limit, temp directory, engine-written files)
    memory = v.run(p_t, h_t, snapshots, as_of=verify.AS_OF, terms=terms)
    con = duckdb_connection(memory_limit="500MB", temp_directory=str(tmp_path / "spill"))
    counts = v.run_to_files(persons, households, snapshots, tmp_path / "out", as_of=verify.AS_OF, terms=terms, con=con)
    # then the files hold exactly the in-memory tables, in the same order
    assert memory.items.num_rows > 50
    for name in ("items", "persons", "households"):
        written = pq.read_table(tmp_path / "out" / f"{name}.parquet")
        table = getattr(memory, name)
        assert written.column_names == table.column_names, name
        assert written.cast(table.schema).to_pylist() == table.to_pylist(), name
    hh = memory.households.to_pylist()
    assert counts == {"items": memory.items.num_rows, "households": len(hh),
                      "inconsistent": sum(not h["consistent"] for h in hh),
                      "asset_failing": sum(any(h[f"ast_{k}"] for k in ("financial", "vehicle", "property", "business"))
                                           for h in hh)}


def test_monitoring_reads_population_parts_like_a_table(tmp_path):
    population, snapshots, known = monitor_parts(tmp_path / "data")
    terms = monitor._terms()
    from_files = m.run(population, snapshots, as_of=monitor.AS_OF, terms=terms, known=known,
                       con=duckdb_connection(memory_limit="500MB", temp_directory=str(tmp_path / "spill")))
    table = pq.ParquetDataset(population).read()
    in_memory = m.run(table, snapshots, as_of=monitor.AS_OF, terms=terms, known=known)
    assert from_files.alerts.num_rows > 10
    assert from_files.alerts.to_pylist() == in_memory.alerts.to_pylist()
    # parts number persons and households apart: no household spans two parts
    assert len(set(table.column("person_id").to_pylist())) == table.num_rows == 800


def test_duckdb_settings_are_applied(tmp_path):
    con = duckdb_connection(memory_limit="750MB", temp_directory=str(tmp_path), threads=1)
    settings = dict(con.raw_sql("SELECT name, value FROM duckdb_settings() WHERE name IN "
                                "('memory_limit', 'temp_directory', 'threads', 'preserve_insertion_order')").fetchall())
    assert settings["temp_directory"] == str(tmp_path)
    assert settings["threads"] == "1"
    assert settings["preserve_insertion_order"] == "false"
    assert settings["memory_limit"].startswith(("715", "750"))  # DuckDB reports MiB or MB
    with pytest.raises(ValueError):
        duckdb_connection(memory_limit="1GB'; SELECT 1; --")


def test_tiny_verify_bench_gives_a_curve(tmp_path, monkeypatch):
    monkeypatch.setenv("JIUZHU_VAR_DIR", str(tmp_path))
    result = verify.run(households=30, per_part=10, sample=2, workers=1, memory_limit="500MB")
    assert [r["households"] for r in result["sizes"]] == [10, 30]  # N/100 and N/10 → 1 part, 3N/10 → 1, N → 3
    assert result["sizes"][-1]["items"] > result["sizes"][0]["items"] > 0
    assert result["data"] == "generated" and result["memory_limit"] == "500MB"
    assert result["cpu_seconds"] > 0 and result["baseline_seconds"] > 0
    again = verify.run(households=30, per_part=10, sample=2, workers=1, sizes=[10])
    assert again["data"] == "reused" and again["sizes"][0]["items"] == result["sizes"][0]["items"]


def test_bench_rejects_bad_scale_options():
    for args, message in ((["--sizes", "10,x"], "--sizes"), (["--memory-limit", "lots"], "--memory-limit"),
                          (["--dept-rows", "-5"], "--dept-rows")):
        with pytest.raises(CommandError, match=message):
            call_command("bench", "verify", "--households", "10", *args, stdout=io.StringIO())


def test_curves_fit_the_growth_and_draw_it(tmp_path):
    linear = {"bench": "verify", "households": 1000, "sizes": [
        {"households": n, "seconds": n / 100, "cpu_seconds": n / 50, "peak_rss_mb": 300} for n in (10, 100, 1000)]}
    square = {"bench": "monitor", "persons": 100, "sizes": [
        {"persons": n, "seconds": n * n / 1000, "peak_rss_mb": 200} for n in (10, 100)]}
    assert curves.slope([10, 100, 1000], [0.1, 1, 10]) == pytest.approx(1.0)
    assert curves.size_at(curves.points(linear), 60) == 6000
    (tmp_path / "a.json").write_text("log line\n" + json.dumps(linear))
    (tmp_path / "b.json").write_text(json.dumps(square))
    results = curves.load([str(tmp_path / "a.json"), str(tmp_path / "b.json")])
    text = curves.table(results)
    assert "| verify | 1.00 | 1.00 |" in text and "| monitor | 2.00 | – |" in text
    svg = curves.chart_svg(results)
    assert svg.count("<polyline") == 3 and svg.count("stroke-dasharray") == 1  # monitor has no CPU times
    assert "monitor 墙钟 斜率 2.00" in svg and "verify CPU 斜率 1.00" in svg and svg == curves.chart_svg(results)
