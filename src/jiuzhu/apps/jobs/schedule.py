"""Scheduled jobs from the same table (no cron): a schedule names a job kind, a cadence (daily or
monthly on ``day``) and a local time. Each worker round enqueues the latest occurrence that is due,
with the period in the idempotency key (``cases.mark_overdue:2026-12-07``, ``payments.payroll_reminder:
2026-12``), so each period runs once however many workers there are; a period missed while no worker
ran is caught up (the latest one only). The handler gets the occurrence's date as ``params["date"]``
(time is an argument)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import Job

CADENCES = {"daily": "每日", "monthly": "每月"}


@dataclass(frozen=True)
class Schedule:
    kind: str
    cadence: str
    at: time
    day: int = 1  # monthly: day of the month (1–28)

    def latest(self, now: datetime) -> tuple[str, date]:
        """(period, occurrence date) of the latest occurrence at or before ``now`` (local time)."""
        local = timezone.localtime(now)
        if self.cadence == "daily":
            day = local.date() if local.time() >= self.at else local.date() - timedelta(days=1)
            return day.isoformat(), day
        this_month = local.date().replace(day=self.day)
        if (local.date(), local.time()) < (this_month, self.at):
            previous = this_month.replace(day=1) - timedelta(days=1)
            this_month = previous.replace(day=self.day)
        return f"{this_month:%Y-%m}", this_month

    def label(self) -> str:
        when = f" {self.day} 日" if self.cadence == "monthly" else ""
        return f"{CADENCES[self.cadence]}{when} {self.at:%H:%M}"


_SCHEDULES: dict[str, Schedule] = {}


def register_schedule(kind: str, *, cadence: str, at: time, day: int = 1) -> Schedule:
    if cadence not in CADENCES:
        raise ValueError(f"cadence of {kind} must be one of {sorted(CADENCES)}")
    if not 1 <= day <= 28:
        raise ValueError(f"day of {kind} must be 1..28")
    entry = Schedule(kind=kind, cadence=cadence, at=at, day=day)
    _SCHEDULES[kind] = entry
    return entry


def schedules() -> dict[str, Schedule]:
    return dict(_SCHEDULES)


def schedules_enqueue_due(*, now: datetime) -> list[Job]:
    """Enqueue each schedule's latest due occurrence unless that period's job exists. Returns the new jobs."""
    from .services import job_enqueue

    created = []
    for entry in _SCHEDULES.values():
        period, day = entry.latest(now)
        key = f"{entry.kind}:{period}"
        if Job.objects.filter(kind=entry.kind, key=key).exists():
            continue
        job, new = job_enqueue(kind=entry.kind, key=key, params={"date": day.isoformat(), "period": period}, now=now)
        if new:
            created.append(job)
    return created
