"""Statutory holidays of 《全国年节及纪念日放假办法》 and the provisional (暂定) calendar built from them."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from jiuzhu.rules.calendar import (
    CalendarYearMissing,
    WorkCalendar,
    add_workdays,
    count_workdays,
    is_workday,
    spans_provisional,
    with_provisional_years,
)
from jiuzhu.rules.holidays import law_for_year, provisional_year, schedule_problems, statutory_holidays


@pytest.mark.parametrize(
    "year, festival, expected",
    [
        # known dates of the official schedules (国办发明电), from the lunar library
        (2024, "春节", date(2024, 2, 10)),  # 2013 version: 正月初一–初三
        (2024, "清明节", date(2024, 4, 4)),
        (2024, "端午节", date(2024, 6, 10)),
        (2024, "中秋节", date(2024, 9, 17)),
        (2025, "春节", date(2025, 1, 28)),  # 2024 version: 除夕 is a holiday
        (2025, "清明节", date(2025, 4, 4)),
        (2025, "端午节", date(2025, 5, 31)),
        (2025, "中秋节", date(2025, 10, 6)),
        (2026, "春节", date(2026, 2, 16)),
        (2026, "清明节", date(2026, 4, 5)),
        (2026, "端午节", date(2026, 6, 19)),
        (2026, "中秋节", date(2026, 9, 25)),
    ],
)
def test_lunar_and_solar_term_dates_match_the_known_schedules(year, festival, expected):
    days = sorted(d for d, name in statutory_holidays(year).items() if name == festival)
    assert days[0] == expected


@pytest.mark.parametrize("year", range(2014, 2027))
def test_every_official_schedule_since_2014_gives_the_statutory_holidays_off(year):
    # the check an import must pass accepts every real schedule of chinesecalendar
    holidays = {d for d in chinese_calendar.holidays if d.year == year}
    workdays = {d for d in chinese_calendar.workdays if d.year == year}
    assert schedule_problems(year, holidays, workdays) == []


def test_the_law_in_force_is_dated():
    assert law_for_year(2024).start == date(2014, 1, 1)
    assert "795" in law_for_year(2027).source and law_for_year(2027).start == date(2025, 1, 1)
    assert len([d for d, n in statutory_holidays(2024).items() if n == "春节"]) == 3
    assert len([d for d, n in statutory_holidays(2027).items() if n == "春节"]) == 4
    assert len([d for d, n in statutory_holidays(2027).items() if n == "劳动节"]) == 2


def test_provisional_2027_has_the_statutory_days_and_weekend_makeups_only():
    year = provisional_year(2027)
    # 春节 2027: 除夕 Fri 5 Feb, 初一 Sat 6, 初二 Sun 7, 初三 Mon 8 → two weekend days made up Tue 9, Wed 10
    assert [d for d, n in sorted(year.holidays.items()) if n.startswith("春节")] == [
        date(2027, 2, d) for d in range(5, 11)]
    # 劳动节 Sat 1 and Sun 2 May → made up Mon 3 and Tue 4
    assert sorted(d for d, n in year.makeup.items() if n.startswith("劳动节")) == [date(2027, 5, 3), date(2027, 5, 4)]
    # 国庆 Fri 1 – Sun 3 Oct → two made up
    assert sorted(d for d, n in year.makeup.items() if n.startswith("国庆节")) == [date(2027, 10, 4), date(2027, 10, 5)]
    # nothing else: no 调休 workday is guessed; 清明 (Mon 5 Apr) is one day
    assert date(2027, 4, 5) in year.statutory and date(2027, 4, 6) not in year.holidays
    assert len(year.holidays) == 19


def test_a_makeup_day_skips_other_holidays():
    # 2028: 元旦 on Saturday → Monday 3 January
    assert provisional_year(2028).makeup == {date(2028, 1, 3): "元旦补假", date(2028, 5, 29): "端午节补假",
                                             date(2028, 10, 4): "国庆节补假"}


def _official_2026() -> WorkCalendar:
    return WorkCalendar(years=frozenset({2026}),
                        holidays=frozenset(d for d in chinese_calendar.holidays if d.year == 2026),
                        workdays=frozenset(d for d in chinese_calendar.workdays if d.year == 2026))


def test_a_calendar_with_provisional_years_counts_across_new_year():
    # given only 2026 is official
    official = _official_2026()
    with pytest.raises(CalendarYearMissing):
        add_workdays(official, date(2026, 12, 7), 20)
    cal = with_provisional_years(official, horizon=3)
    # when 20 working days are counted from 7 December 2026
    due = add_workdays(cal, date(2026, 12, 7), 20)
    # then 1 January 2027 (元旦) is skipped and the deadline says it is provisional
    assert due == date(2027, 1, 5)
    assert is_workday(cal, date(2027, 1, 1)) is False
    assert spans_provisional(cal, date(2026, 12, 7), due) is True
    assert spans_provisional(cal, date(2026, 11, 2), add_workdays(cal, date(2026, 11, 2), 20)) is False
    assert cal.provisional_years == frozenset({2027, 2028, 2029})
    with pytest.raises(CalendarYearMissing):
        is_workday(cal, date(2030, 1, 2))


def test_count_workdays_inverts_add_workdays():
    cal = with_provisional_years(_official_2026(), horizon=2)
    for start in (date(2026, 9, 28), date(2026, 12, 20), date(2027, 2, 1)):
        for n in (1, 3, 5, 20, 30):
            assert count_workdays(cal, start, add_workdays(cal, start, n)) == n
