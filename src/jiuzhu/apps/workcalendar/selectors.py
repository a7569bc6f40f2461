from __future__ import annotations

from datetime import date

from jiuzhu.rules import calendar as rules_calendar
from jiuzhu.rules.calendar import WorkCalendar

from .models import CalendarDay, CalendarYear

_cache: dict[str, WorkCalendar] = {}


def calendar_cache_clear() -> None:
    _cache.clear()


def work_calendar() -> WorkCalendar:
    """The whole loaded calendar (a few thousand dates), cached per process until an import."""
    if "cal" not in _cache:
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        holidays, workdays = set(), set()
        for d, kind in CalendarDay.objects.values_list("date", "kind"):
            (holidays if kind == "holiday" else workdays).add(d)
        _cache["cal"] = WorkCalendar(years=years, holidays=frozenset(holidays), workdays=frozenset(workdays))
    return _cache["cal"]


def is_workday(day: date) -> bool:
    return rules_calendar.is_workday(work_calendar(), day)


def add_workdays(day: date, n: int) -> date:
    return rules_calendar.add_workdays(work_calendar(), day, n)
