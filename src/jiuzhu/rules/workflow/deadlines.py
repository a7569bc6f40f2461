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
