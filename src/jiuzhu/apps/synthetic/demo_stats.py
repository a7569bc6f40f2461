"""The demo county's monthly statistics, computed right after the demo world is loaded so the
dashboard, the efficiency and quality page and the monthly return show its paid months at once
(afterwards the daily ``stats.refresh`` job keeps this month and the last one current)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from jiuzhu.apps.stats.services import parse_month, stats_compute

from .demo import DEMO_COUNTY


def demo_stats_compute(months: list[str], *, now: datetime | None = None) -> int:
    """Compute the facts of ``months`` (YYYY-MM, e.g. the demo's payroll months) for the demo
    county; the number of fact rows written."""
    now = now or timezone.now()
    this_month = timezone.localtime(now).date().replace(day=1)
    rows = 0
    for raw in sorted(set(months)):
        month: date = parse_month(raw)
        if month <= this_month:
            rows += stats_compute(month=month, region_code=DEMO_COUNTY, actor=None, now=now)["rows"]
    return rows
