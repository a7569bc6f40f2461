"""Seed holidays and 调休 make-up workdays for 2004–2026 from chinesecalendar."""

from django.db import migrations


def forwards(apps, schema_editor):
    import chinese_calendar

    from jiuzhu.rules.calendar import HOLIDAY_NAMES_ZH

    Year = apps.get_model("workcalendar", "CalendarYear")
    Day = apps.get_model("workcalendar", "CalendarDay")
    existing = set(Year.objects.values_list("year", flat=True))
    years = [y for y in range(2004, 2027) if y not in existing]
    Year.objects.bulk_create([Year(year=y, source="chinesecalendar") for y in years])
    days = [Day(date=d, year_id=d.year, kind="holiday", name=HOLIDAY_NAMES_ZH.get(str(n), str(n or ""))) for d, n in chinese_calendar.holidays.items()
            if d.year in years]
    days += [Day(date=d, year_id=d.year, kind="workday", name=HOLIDAY_NAMES_ZH.get(str(n), str(n or ""))) for d, n in chinese_calendar.workdays.items()
             if d.year in years]
    Day.objects.bulk_create(days, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
