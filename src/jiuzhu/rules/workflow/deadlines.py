"""Due dates on the work calendar (workflow.md: counted from the day after the triggering event)."""

from __future__ import annotations

from datetime import date, timedelta

from jiuzhu.rules.calendar import WorkCalendar, add_workdays, spans_provisional

from .model import DeadlineRule


def due_date(calendar: WorkCalendar, rule: DeadlineRule, event_day: date) -> date:
    """An event on day D with a limit of N wd is due at the end of the Nth working day after D;
    N calendar days ends on D + N."""
    if rule.unit == "days":
        return event_day + timedelta(days=rule.amount)
    return add_workdays(calendar, event_day, rule.amount)


def due_date_provisional(calendar: WorkCalendar, rule: DeadlineRule, event_day: date) -> tuple[date, bool]:
    """``(due, provisional)``: provisional when the working days counted cross a year without an
    official holiday schedule (calendar days never depend on the schedule)."""
    due = due_date(calendar, rule, event_day)
    return due, rule.unit != "days" and spans_provisional(calendar, event_day, due)


def notice_over_on(last_day: date) -> date:
    """The first day after a notice period (公示期) whose last day is ``last_day``: the day it may be
    closed (``close_notice``) or a termination decided. A 7-day notice published on D runs D+1…D+7."""
    return last_day + timedelta(days=1)


def late_on(due: date | None, today: date, supervised: bool = True) -> bool:
    """Is a still-open step late (逾期) on ``today``? Only a supervised deadline can be: it is late from
    the day after its due date. A notice period is a span, not a duty: on the day after it ends the
    notice may be closed, and nothing is late."""
    return bool(supervised and due is not None and due < today)


# Deadline steps that are spans, not duties (DeadlineRule.supervised=False in tables.py, recheck.py).
UNSUPERVISED_STEPS = frozenset({"notice_period"})
