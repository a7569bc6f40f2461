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


def test_seeded_years_are_official_2004_to_2026_and_later_years_provisional():
    cal = selectors.work_calendar()
    assert cal.official_years() == frozenset(range(2004, 2027))
    assert {2027, 2030, 2046} <= cal.provisional_years
    assert min(cal.years) == 2004


def test_a_year_beyond_the_provisional_horizon_is_missing_and_named():
    # given the provisional horizon: 20 years after the last official one
    with pytest.raises(CalendarYearMissing) as exc:
        selectors.add_workdays(date(2046, 12, 31), 1)
    assert exc.value.year == 2047
    assert "2047" in exc.value.message


def test_a_year_before_the_first_official_one_is_missing():
    with pytest.raises(CalendarYearMissing):
        selectors.is_workday(date(2003, 5, 6))


def official_2027(**changes) -> str:
    """A plausible official 2027 schedule (the real notice is not out): every statutory holiday off,
    longer breaks with make-up weekend workdays."""
    days = {
        "2027-01-01": "休", "2027-01-02": "休", "2027-01-03": "休",
        **{f"2027-02-{d:02d}": "休" for d in range(5, 12)}, "2027-02-14": "班", "2027-02-20": "班",
        "2027-04-03": "休", "2027-04-04": "休", "2027-04-05": "休",
        **{f"2027-05-{d:02d}": "休" for d in range(1, 6)}, "2027-04-25": "班", "2027-05-08": "班",
        "2027-06-09": "休", "2027-09-15": "休",
        **{f"2027-10-{d:02d}": "休" for d in range(1, 8)}, "2027-09-26": "班", "2027-10-09": "班",
    }
    days.update(changes)
    return "date,kind\n" + "".join(f"{d},{k}\n" for d, k in sorted(days.items()) if k)


def test_import_2027_makes_it_official(tmp_path):
    # given 2027 is provisional: 2027-02-11 is a working day, 2027-02-14 (Sunday) is not
    assert selectors.year_status(2027) == "provisional"
    assert selectors.is_workday(date(2027, 2, 11)) is True
    path = tmp_path / "2027.csv"
    path.write_text(official_2027(), encoding="utf-8")
    # when the official schedule is imported through the CLI command
    call_command("calendar", "import", str(path))
    # then 2027 is official, with its holidays and make-up workdays
    assert selectors.year_status(2027) == "official"
    assert selectors.is_workday(date(2027, 2, 11)) is False
    assert selectors.is_workday(date(2027, 2, 14)) is True
    assert selectors.add_workdays(date(2027, 2, 4), 1) == date(2027, 2, 12)
    assert selectors.add_workdays(date(2027, 2, 12), 1) == date(2027, 2, 14)
    assert AuditEvent.objects.filter(action="calendar.import").count() == 1


def test_import_2027_as_json():
    payload = {"year": 2027, "holidays": [d for d, k in (line.split(",") for line in official_2027().split()[1:])
                                          if k == "休"],
               "workdays": [d for d, k in (line.split(",") for line in official_2027().split()[1:]) if k == "班"]}
    result = calendar_import(actor=None, text=json.dumps(payload), filename="2027.json")
    assert result.years == [2027] and result.changed
    assert selectors.year_status(2027) == "official"


@pytest.mark.parametrize(
    "case, changes, named",
    [
        ("omits 清明 (the solar term day)", {"2027-04-05": ""}, "2027-04-05"),
        ("omits 除夕, a statutory holiday since 2025", {"2027-02-05": ""}, "2027-02-05"),
        ("marks 国庆 a workday", {"2027-10-02": "班"}, "2027-10-02"),
        ("omits the second day of 劳动节", {"2027-05-02": ""}, "2027-05-02"),
    ],
)
def test_a_schedule_that_contradicts_the_statutory_holidays_is_refused(case, changes, named):
    # given
    days_before, events_before = CalendarDay.objects.count(), AuditEvent.objects.count()
    # when
    with pytest.raises(ValidationFailed) as exc:
        calendar_import(actor=None, text=official_2027(**changes), filename="2027.csv")
    # then the date is named and nothing was written
    assert any(e["date"] == named for e in exc.value.details["errors"]), case
    assert named in exc.value.message or named in str(exc.value.details["errors"])
    assert selectors.year_status(2027) == "provisional"
    assert (CalendarDay.objects.count(), AuditEvent.objects.count()) == (days_before, events_before)


def test_a_one_holiday_year_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        calendar_import(actor=None, text="2027-01-01,holiday\n", filename="2027.csv")
    assert exc.value.code == "calendar.statutory"
    assert len(exc.value.details["errors"]) >= 10


def test_importing_the_same_schedule_twice_changes_nothing():
    first = calendar_import(actor=None, text=official_2027(), filename="2027.csv")
    events = AuditEvent.objects.count()
    again = calendar_import(actor=None, text=official_2027(), filename="2027.csv")
    assert first.changed and not again.changed
    assert AuditEvent.objects.count() == events


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
    from chinese_calendar import holidays, workdays

    day_2026 = CalendarDay.objects.get(date=date(2026, 10, 1))
    lines = [f"{d},休" for d in holidays if d.year == 2026] + [f"{d},班" for d in workdays if d.year == 2026]
    lines = [line for line in lines if not line.startswith("2026-10-10")] + ["2026-12-26,班", "2026-12-25,休"]
    path = tmp_path / "2026.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    # when a different 2026 schedule is imported without --replace
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
    assert selectors.is_workday(date(2026, 12, 26)) is True
    assert selectors.is_workday(date(2026, 10, 10)) is False  # the old make-up Saturday is gone with the replaced year


def test_cache_notices_an_import_made_by_another_process(db):
    # given a process that has loaded and cached the calendar
    from datetime import date as _date

    from jiuzhu.apps.workcalendar.models import CalendarDay, CalendarYear
    from jiuzhu.apps.workcalendar.selectors import work_calendar

    assert work_calendar().is_provisional(2027)
    # when another process writes 2027 straight to the tables (no cache clear here)
    CalendarYear.objects.create(year=2027, source="other worker")
    CalendarDay.objects.create(date=_date(2027, 1, 4), year_id=2027, kind="holiday", name="元旦")
    # then this process sees the new year without a restart
    assert not work_calendar().is_provisional(2027)
    assert _date(2027, 1, 4) in work_calendar().holidays
