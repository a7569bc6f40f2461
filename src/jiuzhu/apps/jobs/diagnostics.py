"""``jobs.sleep``: a diagnostic job that waits ``seconds`` (reporting progress each second) — to check
that a worker runs, and for the recovery tests (a worker killed in the middle of it)."""

from __future__ import annotations

import time

from jiuzhu.rules.errors import ValidationFailed


def sleep_job(job, progress) -> dict:
    seconds = job.params.get("seconds", 1)
    if not isinstance(seconds, int | float) or not 0 <= seconds <= 3600:
        raise ValidationFailed("jobs.seconds", "诊断任务的等待秒数应为 0 至 3600", field="seconds")
    steps = max(1, int(seconds))
    for i in range(steps):
        progress(i, steps, "等待中")
        time.sleep(seconds / steps)
    progress(steps, steps, "等待结束")
    if job.params.get("fail"):
        raise RuntimeError("diagnostic failure requested")
    return {"seconds": seconds, "attempt": job.attempts}
