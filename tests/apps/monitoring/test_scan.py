"""The scan: every rule fires (and not at the edge), re-scans never duplicate, due dates follow the
work calendar, bad input changes nothing, another township cannot scan or see township A."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.monitoring.models import Alert, MonitorScan
from jiuzhu.apps.monitoring.scan import monitor_scan
from jiuzhu.apps.verification.ingest import data_ingest
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from tests.apps.cases.flow import at
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

from .conftest import EXPECTED, NOW, SCAN, person, write_files


def _found():
    return {(a.type, a.person.name) for a in Alert.objects.select_related("person")}


def test_each_rule_fires_and_not_at_the_edge(snapshots, caseworker):
    # given the township's monitored households and the department snapshots of 2026-11-20
    # when the caseworker scans township A
    scan = monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW)
    # then exactly the expected alerts exist (edges: 20000.00 yuan, grade 3, a day before the window,
    # ended on the scan date, dead after the scan date, a motorcycle, an edge household's car, not monitored)
    assert _found() == EXPECTED
    assert scan.created == len(EXPECTED) and scan.candidates == len(EXPECTED)
    assert scan.population == 5  # 张家 3, 王五, 刘六 (left 2025-06) and not 陈七 (2024-06), 周八, 赵九 (township B)
    death = Alert.objects.get(type="death")
    assert death.breadwinner and death.detail == "主要劳动力" and death.suggested == "verify_close"
    medical = Alert.objects.get(type="medical_expense", person=person("张建国"))
    assert str(medical.amount) == "20000.01" and medical.event_date == date(2026, 3, 15)
    assert medical.category == "dibao" and medical.suggested == "implement"
    assert Alert.objects.get(type="medical_expense", person=person("王五")).suggested == "refer"
    assert Alert.objects.get(type="unemployment", person=person("刘六")).category == "left"
    assert Alert.objects.get(type="new_vehicle").suggested == "verify_close"
    assert {a.status for a in Alert.objects.all()} == {"open"}


def test_rescan_never_duplicates(snapshots, caseworker, county_user):
    # given a first scan
    monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW)
    keys = set(Alert.objects.values_list("dedup_key", flat=True))
    # when the same and then the whole county are scanned again
    again = monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW)
    county = monitor_scan(actor=county_user, region_code=COUNTY, now=NOW)
    # then nothing is repeated; the county scan adds only township B's alert
    assert again.created == 0 and again.candidates == len(EXPECTED)
    assert county.created == 1 and county.counts == {"unemployment": 1}
    assert set(Alert.objects.values_list("dedup_key", flat=True)) - keys == {
        f"unemployment:{person('赵九').pk}:2026-02-01"}
    assert MonitorScan.objects.count() == 3


def test_due_date_on_the_work_calendar(snapshots, caseworker):
    # when scanned on Friday 2026-11-20 with 10 working days to dispose
    scan = monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW)
    # then due on 2026-12-04, with the calendar version recorded
    assert {a.due_date for a in scan.alerts.all()} == {date(2026, 12, 4)}
    assert all(a.calendar_version == scan.calendar_version != "" for a in scan.alerts.all())


def test_due_date_skips_the_national_day_holidays(tmp_path, ids, homes, caseworker, county_user):
    # given an unemployment registration in a snapshot of Monday 2026-09-28
    day = date(2026, 9, 28)
    paths = write_files(tmp_path, {"unemployment": [["id_number", "name", "registered_on", "ended_on", "benefit"],
                                                     [ids["spouse"], "李秀英", "2026-06-01", "", "1800"]]})
    data_ingest(actor=county_user, source="unemployment", path=paths["unemployment"], as_of=day, now=at(day))
    # when scanned that day
    scan = monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=at(day))
    # then 10 working days skip 国庆 and 中秋 (not 2026-10-12 as weekdays alone would give)
    assert [a.due_date for a in scan.alerts.all()] == [date(2026, 10, 16)]


def test_scan_is_recorded_and_audited(snapshots, caseworker):
    before = AuditEvent.objects.count()
    scan = monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW)
    assert AuditEvent.objects.count() - before == 1 + len(EXPECTED)
    assert AuditEvent.objects.filter(action="alert.create").count() == len(EXPECTED)
    assert {s["source"] for s in scan.snapshots} == set(snapshots)
    assert scan.params["330127000000"]["monitor.medical_self_paid_12m"]["value"] == "20000"
    assert len(scan.digest) == 64


@pytest.mark.parametrize("code, field, text", [
    ("33012710", "region", "格式错误"), ("330127999000", "region", "不存在"), ("", "region", "格式错误")])
def test_bad_region_is_a_chinese_error_naming_the_field(snapshots, caseworker, code, field, text):
    with pytest.raises(ValidationFailed) as err:
        monitor_scan(actor=caseworker, region_code=code, now=NOW)
    assert err.value.details["field"] == field and text in err.value.message
    assert not Alert.objects.exists() and not MonitorScan.objects.exists()


def test_bad_engine_and_future_date(snapshots, caseworker):
    with pytest.raises(ValidationFailed) as err:
        monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW, engine="oracle")
    assert err.value.details["field"] == "engine" and "计算引擎" in err.value.message
    with pytest.raises(ValidationFailed) as err:
        monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW, as_of=date(2026, 11, 21))
    assert err.value.details["field"] == "as_of"
    assert not Alert.objects.exists() and not MonitorScan.objects.exists()


def test_without_snapshots_nothing_happens(homes, caseworker):
    with pytest.raises(ValidationFailed) as err:
        monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW)
    assert "没有监测所需的部门数据快照" in err.value.message
    assert not MonitorScan.objects.exists()


def test_outsider_cannot_scan_township_a(snapshots, outsider, village_user):
    with pytest.raises(NotFound):
        monitor_scan(actor=outsider, region_code=TOWNSHIP_A, now=NOW)
    with pytest.raises(Forbidden):
        monitor_scan(actor=village_user, region_code=TOWNSHIP_A, now=NOW)
    # the outsider's own township works and sees only its own household
    scan = monitor_scan(actor=outsider, region_code=TOWNSHIP_B, now=NOW)
    assert scan.population == 1 and _found() == {("unemployment", "赵九")}
    assert SCAN == scan.as_of


def test_empty_population_scans_to_nothing(snapshots, county_user):
    # given a township whose only recipient left assistance long ago (no longer monitored)
    from jiuzhu.apps.enrollment.models import Enrollment

    Enrollment.objects.filter(region_id__gte=TOWNSHIP_B, region_id__lte="330127101999").update(
        status="stopped", stopped_month=date(2020, 1, 1))
    scan = monitor_scan(actor=county_user, region_code=TOWNSHIP_B, now=NOW)
    assert (scan.population, scan.created) == (0, 0) and not Alert.objects.exists()


@pytest.mark.slow
def test_the_service_on_pyspark(needs_pyspark, snapshots, caseworker):
    scan = monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW, engine="pyspark")
    assert scan.engine == "pyspark" and _found() == EXPECTED


def test_an_alert_due_in_a_provisional_year_is_marked_and_reconciled_on_import(tmp_path, ids, homes, caseworker,
                                                                                county_user):
    """Issue 12 §1: an alert found on 2026-12-24 is due in 2027 (暂定); the official schedule moves it."""
    from jiuzhu.apps.workcalendar.services import calendar_import
    from tests.apps.test_workcalendar import official_2027

    # given an unemployment registration in a snapshot of Thursday 2026-12-24, scanned that day
    day = date(2026, 12, 24)
    paths = write_files(tmp_path, {"unemployment": [["id_number", "name", "registered_on", "ended_on", "benefit"],
                                                     [ids["spouse"], "李秀英", "2026-06-01", "", "1800"]]})
    data_ingest(actor=county_user, source="unemployment", path=paths["unemployment"], as_of=day, now=at(day))
    scan = monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=at(day))
    # then 10 working days skip the provisional 元旦 (Friday 1 January): due 2027-01-08, marked provisional
    alert = scan.alerts.get()
    assert (alert.due_date, alert.due_provisional) == (date(2027, 1, 8), True)
    # when an official 2027 schedule that also gives Monday 4 January off is imported
    text = official_2027(**{"2027-01-04": "休"})
    result = calendar_import(actor=None, text=text, filename="2027.csv", now=at(date(2026, 12, 28)))
    # then the alert keeps its 10 working days on the official calendar: due 2027-01-11
    alert.refresh_from_db()
    assert (alert.due_date, alert.due_provisional) == (date(2027, 1, 11), False)
    assert [(m["kind"], m["id"], m["from"], m["to"]) for m in result.moved if m["kind"] == "alert"] == [
        ("alert", alert.pk, "2027-01-08", "2027-01-11")]
