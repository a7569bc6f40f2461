from __future__ import annotations

from datetime import date

from jiuzhu.rules import calendar as rules_calendar
from jiuzhu.rules.calendar import WorkCalendar

from .models import CalendarDay, CalendarYear

_cache: dict[str, WorkCalendar] = {}


def calendar_cache_clear() -> None:
    _cache.clear()


def _stamp():
    """Changes whenever a year is imported or replaced, in any process (one tiny indexed query)."""
    from django.db.models import Count, Max

    agg = CalendarYear.objects.aggregate(n=Count("year"), last=Max("imported_at"))
    return agg["n"], agg["last"]


def work_calendar() -> WorkCalendar:
    """The whole loaded calendar (a few thousand dates), cached per process; reloaded when another
    process imports a year (checked by a stamp of the year table)."""
    return work_calendar_stamped()[0]


def work_calendar_stamped():
    """``(calendar, stamp)`` with one stamp query: a case action needs both the calendar and its version."""
    stamp = _stamp()
    if _cache.get("stamp") != stamp:
        _cache.clear()
        _cache["stamp"] = stamp
    if "cal" not in _cache:
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        holidays, workdays = set(), set()
        for d, kind in CalendarDay.objects.values_list("date", "kind"):
            (holidays if kind == "holiday" else workdays).add(d)
        _cache["cal"] = WorkCalendar(years=years, holidays=frozenset(holidays), workdays=frozenset(workdays))
    return _cache["cal"], stamp


def is_workday(day: date) -> bool:
    return rules_calendar.is_workday(work_calendar(), day)


def add_workdays(day: date, n: int) -> date:
    return rules_calendar.add_workdays(work_calendar(), day, n)
