from __future__ import annotations

from datetime import date

from jiuzhu.rules import calendar as rules_calendar
from jiuzhu.rules.calendar import WorkCalendar, with_provisional_years

from .models import CalendarDay, CalendarYear

_cache: dict[str, WorkCalendar] = {}


def calendar_cache_clear() -> None:
    _cache.clear()


def _stamp():
    """Changes whenever a year is imported or replaced, in any process (one tiny indexed query)."""
    from django.db.models import Count, Max

    agg = CalendarYear.objects.aggregate(n=Count("year"), last=Max("imported_at"))
    return agg["n"], agg["last"]


def version_of(stamp) -> str:
    """A calendar version: the number of official years loaded and the last import time."""
    n, last = stamp
    return f"{n}y@{last:%Y%m%dT%H%M%S}" if last else f"{n}y"


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
        official = WorkCalendar(years=years, holidays=frozenset(holidays), workdays=frozenset(workdays))
        _cache["cal"] = with_provisional_years(official)
    return _cache["cal"], stamp


def is_workday(day: date) -> bool:
    return rules_calendar.is_workday(work_calendar(), day)


def add_workdays(day: date, n: int) -> date:
    return rules_calendar.add_workdays(work_calendar(), day, n)


def calendar_years() -> list[dict]:
    """Each year the calendar can count: ``{"year", "status": official|provisional, "source"}``."""
    cal = work_calendar()
    sources = dict(CalendarYear.objects.values_list("year", "source"))
    out = []
    for year in sorted(cal.years):
        if cal.is_provisional(year):
            from jiuzhu.rules.holidays import law_for_year

            out.append({"year": year, "status": "provisional", "source": law_for_year(year).source})
        else:
            out.append({"year": year, "status": "official", "source": sources.get(year, "")})
    return out


def year_status(year: int) -> str:
    """``official``, ``provisional`` or ``missing`` (outside the calendar)."""
    cal = work_calendar()
    if year not in cal.years:
        return "missing"
    return "provisional" if cal.is_provisional(year) else "official"


WARN_FROM_MONTH = 10  # from 1 October the coming year's schedule is due (the notice usually comes in Oct–Dec)


def calendar_outlook(today: date) -> dict:
    """The state of this year's and next year's schedule, and whether to warn the administrators."""
    this_year, next_year = year_status(today.year), year_status(today.year + 1)
    return {"this_year": this_year, "next_year": next_year, "year": today.year + 1,
            "warn": this_year != "official" or (today.month >= WARN_FROM_MONTH and next_year != "official")}


def provisional_years() -> frozenset[int]:
    return work_calendar().provisional_years
