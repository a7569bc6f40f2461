"""``jiuzhu bench selfcheck`` at a tiny size (issue 15): the verification bench's data for 20 households,
200 enrollments drawn from its department population, the timed checks and the per-enrollment
baseline — which finds exactly the hits the columnar checks find (so the baseline measures the same work)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jiuzhu.benchmarks import selfcheck as bench
from jiuzhu.benchmarks import verify

HOUSEHOLDS, ENROLLMENTS, SEED = 20, 60, 3


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("JIUZHU_VAR_DIR", str(tmp_path))
    verify.generate(HOUSEHOLDS, SEED, str(verify._data_dir(HOUSEHOLDS, SEED)))
    out = bench._data_dir(ENROLLMENTS, HOUSEHOLDS, SEED)
    meta = bench.generate(ENROLLMENTS, HOUSEHOLDS, SEED, str(out))
    return out, meta


def test_tiny_bench_times_the_checks_and_the_baseline_agrees(data):
    # given the tiny data
    out, meta = data
    assert meta["enrollments"] == ENROLLMENTS and meta["persons"] >= ENROLLMENTS
    # when the timed part runs (in-process here) and the baseline runs on every enrollment
    timing = bench.timed_run(str(out), HOUSEHOLDS, SEED)
    per_enrollment, naive_hits = bench.naive_seconds_per_enrollment(str(out), HOUSEHOLDS, SEED, sample=ENROLLMENTS)
    # then the hits are written, the same number as the per-person checks found, and both are timed
    hits = pq.read_table(Path(out) / "result" / "hits.parquet")
    assert timing["hits"] == hits.num_rows == naive_hits > 0
    assert timing["matched"] == meta["persons"] and timing["seconds"] > 0 and per_enrollment > 0
    assert set(timing["counts"]) <= set(bench.CHECKS)
    assert json.loads(json.dumps(timing)) == timing


def test_too_many_enrollments_for_the_population_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("JIUZHU_VAR_DIR", str(tmp_path))
    verify.generate(2, SEED, str(verify._data_dir(2, SEED)))
    with pytest.raises(ValueError, match="households"):
        bench.generate(1000, 2, SEED, str(tmp_path / "x"))


@pytest.mark.parametrize("args", [["--enrollments", "5"], ["--enrollments", "many"], ["--households", "0"]])
def test_command_refuses_bad_sizes(args):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="selfcheck"):
        call_command("bench", "selfcheck", *args)
