"""Statutory holidays (法定节假日) of 《全国年节及纪念日放假办法》 as dated, cited parameters.

Two uses:

* a **provisional** (暂定) schedule for a year whose official notice has not been imported: the
  statutory days off plus 补假 (a statutory holiday on a Saturday or Sunday is made up on the
  following working day), and nothing else — no 调休 swap is guessed;
* the **check of an imported schedule**: it must give every statutory holiday as a day off.

Lunar dates and the 清明 solar term come from ``lunar_python`` (6tail's maintained calendar library).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import DomainError

PARAMS_FILE = Path(__file__).resolve().parent / "params" / "calendar" / "statutory-holidays.yaml"


@dataclass(frozen=True)
class HolidayRule:
    name: str
    calendar: str  # gregorian | lunar | solar_term
    month: int = 0
    day: int = 0
    offset: int = 0
    term: str = ""
    days: int = 1


@dataclass(frozen=True)
class HolidayLaw:
    """One version of the law: in force for the years from ``start``."""

    start: date
    source: str
    makeup_weekend: bool
    rules: tuple[HolidayRule, ...]


@dataclass(frozen=True)
class ProvisionalYear:
    """A computed year: statutory days off by date (name), 补假 days, and the law version used."""

    year: int
    statutory: dict[date, str]
    makeup: dict[date, str]
    law: HolidayLaw

    @property
    def holidays(self) -> dict[date, str]:
        return {**self.statutory, **self.makeup}


@lru_cache(maxsize=1)
def holiday_laws() -> tuple[HolidayLaw, ...]:
    data = yaml.safe_load(PARAMS_FILE.read_text(encoding="utf-8"))
    laws = []
    for v in data["versions"]:
        start = v["start"] if isinstance(v["start"], date) else date.fromisoformat(str(v["start"]))
        rules = tuple(HolidayRule(**r) for r in v["holidays"])
        laws.append(HolidayLaw(start, v["source"], bool(v.get("makeup_weekend", True)), rules))
    laws.sort(key=lambda law: law.start)
    return tuple(laws)


def law_for_year(year: int) -> HolidayLaw:
    """The version in force on 1 January of ``year``."""
    first = date(year, 1, 1)
    found = [law for law in holiday_laws() if law.start <= first]
    if not found:
        raise DomainError("calendar.no_holiday_law", f"没有适用于 {year} 年的法定节假日规定，无法计算暂定工作日历",
                          year=year)
    return found[-1]


def _first_day(rule: HolidayRule, year: int) -> date:
    from lunar_python import Lunar

    if rule.calendar == "gregorian":
        return date(year, rule.month, rule.day)
    if rule.calendar == "lunar":
        solar = Lunar.fromYmd(year, rule.month, rule.day).getSolar()
        return date(solar.getYear(), solar.getMonth(), solar.getDay()) + timedelta(days=rule.offset)
    if rule.calendar == "solar_term":
        for name, solar in Lunar.fromYmd(year, 3, 1).getJieQiTable().items():
            if name == rule.term and solar.getYear() == year:
                return date(solar.getYear(), solar.getMonth(), solar.getDay())
        raise DomainError("calendar.term_missing", f"{year} 年找不到节气“{rule.term}”", year=year, term=rule.term)
    raise DomainError("calendar.bad_rule", f"法定节假日“{rule.name}”的历法“{rule.calendar}”无法识别", name=rule.name)


def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory days off of ``year`` (date → festival name), without 补假."""
    out: dict[date, str] = {}
    for rule in law_for_year(year).rules:
        first = _first_day(rule, year)
        for i in range(rule.days):
            out.setdefault(first + timedelta(days=i), rule.name)
    return out


@lru_cache(maxsize=256)
def provisional_year(year: int) -> ProvisionalYear:
    """Statutory holidays plus 补假: each statutory day on a Saturday or Sunday is made up on the
    first working day after that festival's days off (not a weekend, not already a day off)."""
    law = law_for_year(year)
    statutory = statutory_holidays(year)
    makeup: dict[date, str] = {}
    if law.makeup_weekend:
        for rule in law.rules:
            days = sorted(d for d, name in statutory.items() if name == rule.name)
            owed = sum(1 for d in days if d.weekday() >= 5)
            day = days[-1]
            while owed:
                day += timedelta(days=1)
                if day.weekday() < 5 and day not in statutory and day not in makeup:
                    makeup[day] = f"{rule.name}补假"
                    owed -= 1
    return ProvisionalYear(year, statutory, makeup, law)


def schedule_problems(year: int, holidays: set[date], workdays: set[date]) -> list[dict]:
    """Why an official schedule for ``year`` cannot be right: a statutory holiday that is not a day
    off or that is marked a workday. (A make-up workday on a weekday is checked by the parser.)"""
    problems = []
    for day, name in sorted(statutory_holidays(year).items()):
        if day in workdays:
            problems.append({"date": day.isoformat(), "field": "kind",
                             "message": f"{day} 是法定节假日（{name}），不能设为上班日"})
        elif day not in holidays:
            problems.append({"date": day.isoformat(), "field": "date",
                             "message": f"缺少法定节假日 {day}（{name}）"})
    return problems
