"""`jiuzhu bench documents` (issue 17 §6) at a tiny size: every notice comes out as its own PDF plus the
merged ones, against one-at-a-time generation of a sample in the same run; the CPU time of the workers is
reported next to the wall time."""

from __future__ import annotations

from jiuzhu.benchmarks.documents import run


def test_tiny_run_reports_batch_and_baseline():
    out = run(count=3, processes=1, baseline=1)
    assert out["bench"] == "documents" and out["documents"] == 3 and out["pages"] == 3
    assert 1 <= out["batch_layouts"] < 3 and out["batch_cpu_ms_per_document"] > 0 and out["baseline_cpu_ms_per_document"] > 0
    assert out["baseline_sample"] == 1 and out["speedup"] > 0 and out["output_mb"] > 0
    assert out["target_seconds"] is None and out["target_met"] is None  # the target is for 10 000
