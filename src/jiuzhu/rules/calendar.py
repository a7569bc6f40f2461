"""Working-day arithmetic on a per-year schedule of holidays and 调休 make-up workdays.

A working day is a make-up workday, or a Monday–Friday that is not a holiday. A year with an
official schedule (the State Council notice, imported) is *official*; a later year without one is
*provisional* (暂定): its days off are the statutory holidays with 补假 (``rules.holidays``), and a
deadline counted over it says so. A year outside both is an error naming the year: never guessed
silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .errors import DomainError


class CalendarYearMissing(DomainError):
    status = 422

    def __init__(self, year: int):
        super().__init__(
            "calendar.year_missing",
            f"工作日历缺少 {year} 年的节假日安排，请先导入 {year} 年的放假和调休数据",
            year=year,
        )
        self.year = year


# How many years after the last official one get a provisional schedule.
PROVISIONAL_HORIZON = 20


@dataclass(frozen=True)
class WorkCalendar:
    years: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    provisional_years: frozenset[int] = field(default_factory=frozenset)

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_provisional(self, year: int) -> bool:
        return year in self.provisional_years

    def official_years(self) -> frozenset[int]:
        return self.years - self.provisional_years


def with_provisional_years(calendar: WorkCalendar, horizon: int = PROVISIONAL_HORIZON) -> WorkCalendar:
    """``calendar`` plus a provisional schedule for every year without an official one, from the
    first official year through ``horizon`` years after the last (rules.holidays)."""
    from .holidays import provisional_year

    official = calendar.official_years()
    if not official:
        return calendar
    missing = [y for y in range(min(official), max(official) + horizon + 1) if y not in official]
    holidays = set(calendar.holidays)
    for year in missing:
        holidays |= set(provisional_year(year).holidays)
    return WorkCalendar(years=official | frozenset(missing), holidays=frozenset(holidays),
                        workdays=calendar.workdays, provisional_years=frozenset(missing))


def spans_provisional(calendar: WorkCalendar, start: date, end: date) -> bool:
    """Does counting working days after ``start`` through ``end`` cross a provisional year?"""
    if not calendar.provisional_years or end <= start:
        return False
    first = (start + timedelta(days=1)).year
    return any(y in calendar.provisional_years for y in range(first, end.year + 1))


def is_workday(calendar: WorkCalendar, day: date) -> bool:
    if day.year not in calendar.years:
        raise CalendarYearMissing(day.year)
    if day in calendar.workdays:
        return True
    if day in calendar.holidays:
        return False
    return day.weekday() < 5


def add_workdays(calendar: WorkCalendar, start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (counting from the day after ``start``)."""
    if n < 1:
        raise DomainError("calendar.bad_count", "工作日数必须为正整数", field="n", value=n)
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_workday(calendar, day):
            remaining -= 1
    return day


def count_workdays(calendar: WorkCalendar, start: date, end: date) -> int:
    """How many working days after ``start`` through ``end`` (the inverse of ``add_workdays``)."""
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        n += is_workday(calendar, day)
    return n


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
