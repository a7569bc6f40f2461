"""Background jobs of the statistics: ``stats.compute`` (one month × region, queued by the dashboard's
"重新计算" button) and ``stats.refresh`` (scheduled daily: this month and the previous one for every
county, so the dashboard follows payroll approvals and case work without anyone pressing a button).
Registered with the jobs app when it is installed."""

from __future__ import annotations

from datetime import date, time

from django.utils import timezone

from jiuzhu.apps.regions.models import Region

from .services import parse_month, stats_compute

COMPUTE, REFRESH = "stats.compute", "stats.refresh"


def compute_job(job, progress) -> dict:
    params = job.params or {}

    def step(label, done, total):
        progress(done, total, label)

    return stats_compute(month=params.get("month"), region_code=params.get("region", ""), actor=None,
                         now=timezone.now(), progress=step)


def refresh_job(job, progress) -> dict:
    raw = (job.params or {}).get("date")
    day = date.fromisoformat(raw) if raw else timezone.localdate()
    this_month = parse_month(day)
    previous = parse_month(date(this_month.year - (this_month.month == 1), (this_month.month - 2) % 12 + 1, 1))
    counties = list(Region.objects.filter(level=3).order_by("code").values_list("code", flat=True))
    done, total, rows = 0, 2 * len(counties), 0
    for code in counties:
        for month in (previous, this_month):
            rows += stats_compute(month=month, region_code=code, actor=None, now=timezone.now())["rows"]
            done += 1
            progress(done, total, f"统计 {code} {month:%Y-%m}")
    return {"counties": len(counties), "rows": rows}


def register() -> bool:
    """Register the kinds and the daily schedule; False when the jobs app is not there."""
    try:
        from jiuzhu.apps.jobs.registry import register_job_kind
    except ImportError:
        return False
    register_job_kind(COMPUTE, compute_job, label="重新计算月度统计", max_attempts=3)
    register_job_kind(REFRESH, refresh_job, label="每日更新月度统计", max_attempts=3)
    try:
        from jiuzhu.apps.jobs.schedule import register_schedule
    except ImportError:
        return True
    register_schedule(REFRESH, cadence="daily", at=time(2, 30))
    return True
