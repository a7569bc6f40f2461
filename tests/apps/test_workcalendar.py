"""Working calendar loaded from the database: the 2026 schedule and importing 2027."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.workcalendar import selectors
from jiuzhu.apps.workcalendar.models import CalendarDay, CalendarYear
from jiuzhu.apps.workcalendar.services import calendar_import
from jiuzhu.rules.calendar import CalendarYearMissing
from jiuzhu.rules.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "case, start, n, expected",
    [
        ("contract example: National Day + 调休 Saturday", date(2026, 9, 30), 3, date(2026, 10, 10)),
        ("first working day after the holiday", date(2026, 9, 30), 1, date(2026, 10, 8)),
        ("Mid-Autumn Friday 2026-09-25 is skipped", date(2026, 9, 24), 1, date(2026, 9, 28)),
        ("make-up Sunday 2026-09-20 counts", date(2026, 9, 19), 1, date(2026, 9, 20)),
        ("after the make-up Saturday comes Monday", date(2026, 10, 10), 1, date(2026, 10, 12)),
    ],
)
def test_add_workdays_with_the_loaded_2026_schedule(case, start, n, expected):
    assert selectors.add_workdays(start, n) == expected, case


@pytest.mark.parametrize(
    "case, day, expected",
    [
        ("调休 Saturday is a workday", date(2026, 10, 10), True),
        ("National Day", date(2026, 10, 1), False),
        ("weekday inside the golden week", date(2026, 10, 7), False),
        ("plain Wednesday", date(2026, 9, 30), True),
        ("plain Sunday", date(2026, 10, 11), False),
    ],
)
def test_is_workday_2026(case, day, expected):
    assert selectors.is_workday(day) is expected, case


def test_seeded_years_are_2004_to_2026():
    assert selectors.work_calendar().years == frozenset(range(2004, 2027))


def test_year_2030_is_missing_and_named():
    with pytest.raises(CalendarYearMissing) as exc:
        selectors.add_workdays(date(2029, 12, 31), 1)
    assert exc.value.year == 2030
    assert "2030" in exc.value.message


CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-08,休,春节
2027-02-09,休,春节
2027-02-20,班,春节
"""

JSON_2027 = {"year": 2027, "holidays": ["2027-01-01", "2027-02-08", "2027-02-09"], "workdays": ["2027-02-20"]}


@pytest.mark.parametrize(
    "case, text, filename",
    [("CSV", CSV_2027, "2027.csv"), ("JSON", json.dumps(JSON_2027), "2027.json")],
)
def test_import_2027(case, text, filename, tmp_path):
    # given 2027 is not covered
    with pytest.raises(CalendarYearMissing):
        selectors.is_workday(date(2027, 2, 8))
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    # when the year is imported through the CLI command
    call_command("calendar", "import", str(path))
    # then is-workday answers for 2027, holidays and make-up days included
    assert selectors.is_workday(date(2027, 2, 8)) is False, case
    assert selectors.is_workday(date(2027, 2, 20)) is True, case
    assert selectors.is_workday(date(2027, 2, 10)) is True, case
    assert selectors.add_workdays(date(2027, 2, 5), 1) == date(2027, 2, 10)
    assert AuditEvent.objects.filter(action="calendar.import").count() == 1


@pytest.mark.parametrize(
    "case, text, bad_rows",
    [
        ("bad date", "date,kind\n2027-01-01,holiday\n2027-02-30,holiday\n", [3]),
        ("bad kind", "2027-01-01,holiday\n2027-02-08,maybe\n2027-02-09,休\n", [2]),
        ("weekday as make-up workday", "2027-01-01,holiday\n2027-02-10,班\n", [2]),
        ("duplicate date", "2027-01-01,holiday\n2027-02-08,休\n2027-01-01,休\n", [3]),
        ("several bad rows", "date,kind\nnot-a-date,休\n2027-01-01,holiday\n2027-02-10,workday\n", [2, 4]),
    ],
)
def test_bad_rows_are_reported_and_nothing_imported(case, text, bad_rows):
    # given
    days_before, events_before = CalendarDay.objects.count(), AuditEvent.objects.count()
    # when
    with pytest.raises(ValidationFailed) as exc:
        calendar_import(actor=None, text=text, filename="2027.csv")
    # then every bad row is named and nothing was written
    errors = exc.value.details["errors"]
    assert [e["row"] for e in errors] == bad_rows, case
    assert all(f"第{e['row']}行" in e["message"] for e in errors)
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert CalendarDay.objects.count() == days_before
    assert AuditEvent.objects.count() == events_before


def test_existing_year_is_refused_without_replace(tmp_path):
    # given 2026 is seeded
    day_2026 = CalendarDay.objects.get(date=date(2026, 10, 1))
    text = "2026-10-03,班\n2026-12-25,休\n"
    path = tmp_path / "2026.csv"
    path.write_text(text, encoding="utf-8")
    # when it is imported without --replace
    with pytest.raises(CommandError) as exc:
        call_command("calendar", "import", str(path))
    # then the command fails with exit 2, naming the year, and the old schedule is untouched
    assert exc.value.returncode == 2
    assert "2026" in str(exc.value)
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).kind == day_2026.kind == "holiday"
    assert selectors.is_workday(date(2026, 12, 25)) is True
    # and with --replace the year is replaced
    call_command("calendar", "import", str(path), "--replace")
    assert selectors.is_workday(date(2026, 12, 25)) is False
    assert selectors.is_workday(date(2026, 10, 3)) is True
    assert selectors.is_workday(date(2026, 10, 1)) is True  # old holiday gone with the replaced year


def test_cache_notices_an_import_made_by_another_process(db):
    # given a process that has loaded and cached the calendar
    from datetime import date as _date

    from jiuzhu.apps.workcalendar.models import CalendarDay, CalendarYear
    from jiuzhu.apps.workcalendar.selectors import work_calendar

    assert 2027 not in work_calendar().years
    # when another process writes 2027 straight to the tables (no cache clear here)
    CalendarYear.objects.create(year=2027, source="other worker")
    CalendarDay.objects.create(date=_date(2027, 1, 1), year_id=2027, kind="holiday", name="元旦")
    # then this process sees the new year without a restart
    assert 2027 in work_calendar().years
    assert _date(2027, 1, 1) in work_calendar().holidays
