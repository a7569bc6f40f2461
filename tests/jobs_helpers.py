"""Running queued background jobs inside a test (what ``jiuzhu worker --once`` does)."""

from __future__ import annotations

from jiuzhu.apps.jobs.worker import Worker


def run_jobs(worker_id: str = "test-worker") -> int:
    """Run every due queued job in this process; returns how many ran."""
    worker, ran = Worker(worker_id, schedule=False), 0
    while worker.tick() is not None:
        ran += 1
    return ran

