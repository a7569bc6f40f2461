"""Working-day arithmetic on a per-year schedule of holidays and 调休 make-up workdays.

A working day is a make-up workday, or a Monday–Friday that is not a holiday. A year without a
loaded schedule is an error naming the year: deadlines are never guessed.
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


@dataclass(frozen=True)
class WorkCalendar:
    years: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def covers(self, year: int) -> bool:
        return year in self.years


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


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
