"""The four outcomes (R-SYS-06), referrals and their feedback; bad input and other townships change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.monitoring.models import Alert, Referral
from jiuzhu.apps.monitoring.scan import monitor_scan
from jiuzhu.apps.monitoring.services import alert_dispose, lowincome_register, referral_create, referral_feedback
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.apps.cases.flow import at
from tests.conftest import TOWNSHIP_A

from .conftest import NOW, SCAN, person

LATER = at(SCAN + timedelta(days=3))


@pytest.fixture
def alerts(snapshots, caseworker):
    monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW)
    return {(a.type, a.person.name): a for a in Alert.objects.select_related("person")}


def _state(alert):
    alert.refresh_from_db()
    return alert.status, alert.disposition, alert.result, alert.version


def test_implement_closes_with_the_result(alerts, caseworker):
    a = alerts[("medical_expense", "张建国")]
    done = alert_dispose(actor=caseworker, alert_id=a.pk, now=LATER,
                         data={"disposition": "落实政策", "result": "已落实医疗救助，按 A 类施保"})
    assert (done.status, done.disposition, done.closed_on) == ("closed", "implement", date(2026, 11, 23))
    assert AuditEvent.objects.filter(action="alert.dispose", subject_id=str(a.pk)).count() == 1


def test_conference_closes(alerts, county_user):
    a = alerts[("death", "张建国")]
    done = alert_dispose(actor=county_user, alert_id=a.pk, now=LATER,
                         data={"disposition": "conference", "result": "县协调机制一事一议：给予临时救助 3000 元"})
    assert (done.status, done.disposition) == ("closed", "conference")


def test_verify_close_schedules_a_recheck_of_the_enrollment(alerts, caseworker):
    a = alerts[("new_vehicle", "李秀英")]
    done = alert_dispose(actor=caseworker, alert_id=a.pk, now=LATER,
                         data={"disposition": "核查终止", "result": "新购轿车，核查家庭财产"})
    assert done.status == "closed" and done.recheck_case is not None
    case = Case.objects.get(pk=done.recheck_case_id)
    assert case.kind == "recheck" and case.household_id == a.household_id and case.is_open


def test_verify_close_without_enrollment_is_only_recorded(alerts, caseworker):
    a = alerts[("unemployment", "刘六")]  # left dibao in 2025: no live enrollment
    done = alert_dispose(actor=caseworker, alert_id=a.pk, now=LATER,
                         data={"disposition": "verify_close", "result": "已核实"})
    assert done.recheck_case is None and "未安排复核" in done.result and done.status == "closed"


def test_refer_then_feedback_closes(alerts, caseworker):
    a = alerts[("medical_expense", "王五")]
    done = alert_dispose(actor=caseworker, alert_id=a.pk, now=LATER,
                         data={"disposition": "分类推送", "result": "推送医保局核定医疗救助", "departments": ["medical"]})
    assert done.status == "in_progress"
    extra = referral_create(actor=caseworker, alert_id=a.pk, now=LATER,
                            data={"department": "就业救助（人力资源和社会保障局）", "note": "推荐公益性岗位"})
    first = Referral.objects.get(alert=a, department="medical")
    referral_feedback(actor=caseworker, referral_id=first.pk, now=LATER,
                      data={"feedback": "已给予医疗救助 8000 元", "assisted": True, "feedback_on": "2026-11-23"})
    assert _state(a)[0] == "in_progress"  # employment has not answered yet
    referral_feedback(actor=caseworker, referral_id=extra.pk, now=LATER,
                      data={"feedback": "已推荐就业", "assisted": True})
    a.refresh_from_db()
    assert a.status == "closed" and a.closed_on == date(2026, 11, 23)
    assert {(r.department, r.status, r.assisted) for r in a.referrals.all()} == {
        ("medical", "answered", True), ("employment", "answered", True)}
    with pytest.raises(Conflict):
        referral_feedback(actor=caseworker, referral_id=extra.pk, now=LATER, data={"feedback": "再次", "assisted": False})


@pytest.mark.parametrize("data, field, text", [
    ({"disposition": "忽略", "result": "x"}, "disposition", "处置方式“忽略”无效"),
    ({"disposition": "implement"}, "result", "处置结果"),
    ({"disposition": "implement", "result": "   "}, "result", "处置结果"),
    ({"disposition": "refer", "result": "推送"}, "departments", "至少选择一个推送部门"),
    ({"disposition": "refer", "result": "推送", "departments": ["army"]}, "departments", "推送部门“army”无效"),
    ({"disposition": "implement", "result": "x", "departments": ["medical"]}, "departments", "只有分类推送"),
    ({"disposition": "implement", "result": "x", "color": "red"}, "color", "不认识的字段"),
    ("not a dict", "payload", "JSON"),
])
def test_bad_input_names_the_field_and_changes_nothing(alerts, caseworker, data, field, text):
    a = alerts[("medical_expense", "张建国")]
    before, events = _state(a), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as err:
        alert_dispose(actor=caseworker, alert_id=a.pk, now=LATER, data=data)
    assert err.value.details["field"] == field and text in err.value.message
    assert _state(a) == before and AuditEvent.objects.count() == events and not Referral.objects.exists()


def test_disposed_twice_is_a_conflict(alerts, caseworker):
    a = alerts[("school_entry", "张小明")]
    alert_dispose(actor=caseworker, alert_id=a.pk, now=LATER, data={"disposition": "implement", "result": "教育救助"})
    with pytest.raises(Conflict):
        alert_dispose(actor=caseworker, alert_id=a.pk, now=LATER, data={"disposition": "implement", "result": "再次"})
    with pytest.raises(Conflict):  # only a 分类推送 alert takes more departments
        referral_create(actor=caseworker, alert_id=a.pk, now=LATER, data={"department": "education", "note": "x"})


def test_outsider_and_readers_cannot_dispose(alerts, outsider, reviewer, inspector):
    a = alerts[("medical_expense", "张建国")]
    before, events = _state(a), AuditEvent.objects.count()
    with pytest.raises(NotFound):
        alert_dispose(actor=outsider, alert_id=a.pk, now=LATER, data={"disposition": "implement", "result": "x"})
    for actor in (reviewer, inspector):
        with pytest.raises(Forbidden):
            alert_dispose(actor=actor, alert_id=a.pk, now=LATER, data={"disposition": "implement", "result": "x"})
    with pytest.raises(NotFound):
        alert_dispose(actor=outsider, alert_id="999999", now=LATER, data={"disposition": "implement", "result": "x"})
    assert _state(a) == before and AuditEvent.objects.count() == events


def test_outsider_cannot_give_feedback(alerts, caseworker, outsider):
    a = alerts[("medical_expense", "王五")]
    alert_dispose(actor=caseworker, alert_id=a.pk, now=LATER,
                  data={"disposition": "refer", "result": "推送", "departments": ["medical"]})
    r = a.referrals.get()
    with pytest.raises(NotFound):
        referral_feedback(actor=outsider, referral_id=r.pk, now=LATER, data={"feedback": "x", "assisted": True})
    r.refresh_from_db()
    assert r.status == "sent" and r.feedback == ""


def test_feedback_input_errors(alerts, caseworker):
    a = alerts[("medical_expense", "王五")]
    alert_dispose(actor=caseworker, alert_id=a.pk, now=LATER,
                  data={"disposition": "refer", "result": "推送", "departments": ["medical"]})
    r = a.referrals.get()
    for data, field in (({"assisted": True}, "feedback"), ({"feedback": "x"}, "assisted"),
                        ({"feedback": "x", "assisted": True, "feedback_on": "2026-13-01"}, "feedback_on"),
                        ({"feedback": "x", "assisted": True, "feedback_on": "2026-12-30"}, "feedback_on")):
        with pytest.raises(ValidationFailed) as err:
            referral_feedback(actor=caseworker, referral_id=r.pk, now=LATER, data=data)
        assert err.value.details["field"] == field
    r.refresh_from_db()
    assert r.status == "sent"


def test_register_a_low_income_household(homes, caseworker, outsider):
    entry = lowincome_register(actor=caseworker, now=NOW, data={
        "household": homes["zhou"].pk, "category": "刚性支出困难家庭", "recognized_on": "2026-10-01"})
    assert entry.category == "rigid_expenditure" and entry.region_id == homes["zhou"].region_id
    with pytest.raises(NotFound):
        lowincome_register(actor=outsider, now=NOW, data={
            "household": homes["zhou"].pk, "category": "edge", "recognized_on": "2026-10-01"})
    with pytest.raises(ValidationFailed) as err:
        lowincome_register(actor=caseworker, now=NOW, data={
            "household": homes["zhou"].pk, "category": "dibao", "recognized_on": "2026-10-01"})
    assert err.value.details["field"] == "category"
    assert person("周八")
