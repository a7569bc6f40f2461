"""rules.calendar on hand-built calendars (no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.rules.calendar import CalendarYearMissing, WorkCalendar, add_workdays, is_workday
from jiuzhu.rules.errors import DomainError

# A small hand-made schedule: a Wed–Fri holiday and a make-up Saturday after it.
HAND = WorkCalendar(
    years=frozenset({2025}),
    holidays=frozenset({date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3)}),
    workdays=frozenset({date(2025, 10, 11)}),
)


@pytest.mark.parametrize(
    "case, day, expected",
    [
        ("plain Tuesday", date(2025, 9, 30), True),
        ("holiday on a Wednesday", date(2025, 10, 1), False),
        ("plain Saturday", date(2025, 10, 4), False),
        ("plain Sunday", date(2025, 10, 5), False),
        ("make-up Saturday", date(2025, 10, 11), True),
    ],
)
def test_is_workday(case, day, expected):
    assert is_workday(HAND, day) is expected, case


@pytest.mark.parametrize(
    "case, start, n, expected",
    [
        ("skips the holiday and the weekend", date(2025, 9, 30), 1, date(2025, 10, 6)),
        ("counts the make-up Saturday", date(2025, 10, 6), 5, date(2025, 10, 11)),
        ("start on a holiday counts from the next day", date(2025, 10, 1), 1, date(2025, 10, 6)),
        ("Friday + 1 is Monday", date(2025, 9, 26), 1, date(2025, 9, 29)),
    ],
)
def test_add_workdays(case, start, n, expected):
    assert add_workdays(HAND, start, n) == expected, case


def test_uncovered_year_names_the_year():
    # given a calendar for 2025 only
    # when a day in 2030 is asked about
    with pytest.raises(CalendarYearMissing) as exc:
        is_workday(HAND, date(2030, 1, 2))
    # then the error names 2030
    assert exc.value.code == "calendar.year_missing"
    assert exc.value.details["year"] == 2030 and "2030" in exc.value.message


def test_counting_into_an_uncovered_year_fails_instead_of_guessing():
    with pytest.raises(CalendarYearMissing) as exc:
        add_workdays(HAND, date(2025, 12, 29), 5)
    assert exc.value.year == 2026


@pytest.mark.parametrize("n", [0, -1])
def test_count_must_be_positive(n):
    with pytest.raises(DomainError) as exc:
        add_workdays(HAND, date(2025, 9, 30), n)
    assert exc.value.code == "calendar.bad_count"


YEARS = frozenset(range(2024, 2029))
_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31))


@st.composite
def calendars(draw):
    holidays = draw(st.frozensets(_days, max_size=40))
    weekends = draw(st.frozensets(_days.filter(lambda d: d.weekday() >= 5), max_size=10))
    return WorkCalendar(years=YEARS, holidays=holidays, workdays=weekends - holidays)


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=_days, n=st.integers(min_value=1, max_value=60))
def test_result_is_a_workday_strictly_after_start(cal, start, n):
    # when
    result = add_workdays(cal, start, n)
    # then
    assert result > start
    assert is_workday(cal, result)
    # and exactly n working days lie in (start, result]
    span = [start + timedelta(days=i) for i in range(1, (result - start).days + 1)]
    assert sum(is_workday(cal, d) for d in span) == n


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=_days, a=st.integers(1, 40), b=st.integers(1, 40))
def test_add_workdays_composes(cal, start, a, b):
    assert add_workdays(cal, start, a + b) == add_workdays(cal, add_workdays(cal, start, a), b)
