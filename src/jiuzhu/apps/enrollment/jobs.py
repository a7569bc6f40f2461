"""``enrollment.graduation_end`` (daily): enrollments whose 渐退 period ended stop — the service of
``jiuzhu review graduation-end``."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from .services import enrollments_graduation_end


def graduation_end_job(job, progress) -> dict:
    count = enrollments_graduation_end(today=date.fromisoformat(job.params["date"]), now=timezone.now())
    progress(1, 1, f"渐退期满停发 {count} 人")
    return {"stopped": count}
