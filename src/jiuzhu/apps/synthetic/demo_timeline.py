"""The demo's timeline: every step is dated on a past working day relative to the demo's ``now`` (read
once), and the steps run in date order through the services, so audit events, deadlines, payroll
months and documents are what real work on those days would have produced.

A day is named by how many working days it lies before today (``back(0)`` is today when today is a
working day, else the last working day before it). Steps of one day run in the order they were
added; each gets a distinct time of day on its day (today's steps: just before ``now``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from jiuzhu.apps.workcalendar.selectors import is_workday


@dataclass(order=True)
class Step:
    day: date
    slot: int
    seq: int
    label: str = field(compare=False)
    fn: Callable[[datetime], object] = field(compare=False)


class Timeline:
    def __init__(self, now: datetime):
        self.now = now
        self.today = timezone.localtime(now).date()
        self.steps: list[Step] = []
        self._back: list[date] = []

    # --- working days -------------------------------------------------------------------------------
    def back(self, n: int) -> date:
        """The n-th working day before today (0: today if a working day, else the last one before)."""
        if not self._back:
            day = self.today
            while not is_workday(day):
                day -= timedelta(days=1)
            self._back.append(day)
        while len(self._back) <= n:
            day = self._back[-1] - timedelta(days=1)
            while not is_workday(day):
                day -= timedelta(days=1)
            self._back.append(day)
        return self._back[n]

    @staticmethod
    def workday_on_or_before(day: date) -> date:
        while not is_workday(day):
            day -= timedelta(days=1)
        return day

    @staticmethod
    def workday_on_or_after(day: date) -> date:
        while not is_workday(day):
            day += timedelta(days=1)
        return day

    @classmethod
    def workdays_before(cls, day: date, n: int) -> date:
        """The working day ``n`` working days before ``day`` (n = 0: ``day`` itself, or the one before)."""
        day = cls.workday_on_or_before(day)
        for _ in range(n):
            day = cls.workday_on_or_before(day - timedelta(days=1))
        return day

    @classmethod
    def nth_workday_of_month(cls, month: date, n: int) -> date:
        day = cls.workday_on_or_after(month.replace(day=1))
        for _ in range(n - 1):
            day = cls.workday_on_or_after(day + timedelta(days=1))
        return day

    def past(self, day: date) -> date:
        """``day``, or the last working day up to today when ``day`` would be later."""
        return min(day, self.back(0))

    # --- steps --------------------------------------------------------------------------------------
    def add(self, day: date, fn: Callable[[datetime], object], label: str = "", slot: int = 50) -> None:
        """Run ``fn(at)`` on ``day`` (never after today); ``slot`` orders the steps of one day (lower first)."""
        if day > self.today:
            raise ValueError(f"demo step {label!r} dated {day} after today {self.today}")
        self.steps.append(Step(day, slot, len(self.steps), label, fn))

    def run(self, progress: Callable[[int, int], None] | None = None) -> int:
        steps = sorted(self.steps)
        tz = timezone.get_current_timezone()
        by_day: dict[date, list[Step]] = {}
        for step in steps:
            by_day.setdefault(step.day, []).append(step)
        done = 0
        for day, todays in by_day.items():
            for i, step in enumerate(todays):
                if day == self.today:
                    at = self.now - timedelta(seconds=len(todays) - i)
                else:  # from 08:30, 20 seconds apart
                    at = datetime.combine(day, time(8, 30), tzinfo=tz) + timedelta(seconds=20 * i)
                try:
                    step.fn(at)
                except Exception as exc:
                    exc.add_note(f"demo step {step.label} on {day}")
                    raise
                done += 1
                if progress:
                    progress(done, len(steps))
        self.steps = []
        return done


def local_day(at: datetime) -> date:
    return timezone.localtime(at).date()
