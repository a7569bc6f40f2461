"""Due dates on the work calendar (workflow.md: counted from the day after the triggering event)."""

from __future__ import annotations

from datetime import date, timedelta

from jiuzhu.rules.calendar import WorkCalendar, add_workdays

from .model import DeadlineRule


def due_date(calendar: WorkCalendar, rule: DeadlineRule, event_day: date) -> date:
    """An event on day D with a limit of N wd is due at the end of the Nth working day after D;
    N calendar days ends on D + N."""
    if rule.unit == "days":
        return event_day + timedelta(days=rule.amount)
    return add_workdays(calendar, event_day, rule.amount)
