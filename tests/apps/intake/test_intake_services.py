"""一门受理、协同办理 (issue 14 §4; 改革完善方案 (七)2; R-TA-06 转介服务; R-SYS-02 需求推送): one intake
records a household's needs and sends referral tickets to departments, each due in the region's working
days on the work calendar; the department's response and a closing note close it. Region scope, roles,
bad input (Chinese error naming the field, nothing written)."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.monitoring.intake import intake_record, referral_close, referral_respond
from jiuzhu.apps.monitoring.intake_selectors import overdue_by_township, referral_list
from jiuzhu.apps.monitoring.models import Intake, Referral
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.apps.cases.flow import at
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 7)  # a Monday
NOW = at(DAY)
GOOD = {"needs": ["medical", "education", "basic_living"], "description": "女儿就读高中，户主住院自付费用高",
        "departments": ["medical", "education"]}


def _record(actor, hh, **changes):
    return intake_record(actor=actor, data={"household": hh.pk, **GOOD, **changes}, now=NOW)


def _written():
    return Intake.objects.count(), Referral.objects.count(), AuditEvent.objects.count()


def test_intake_sends_tickets_due_in_working_days(caseworker, household):
    """改革完善方案 (七)2 / R-TA-06: one ticket per department, due intake.referral_due_wd (10) working days
    later on the work calendar, cited; audited."""
    intake = _record(caseworker, household, person=household.head_id)
    tickets = {r.department: r for r in intake.referrals.all()}
    assert set(tickets) == {"medical", "education"}
    # 10 working days after Monday 2026-12-07 (no holiday in December): Monday 2026-12-21
    assert {r.due_date for r in tickets.values()} == {date(2026, 12, 21)}
    assert tickets["medical"].need == "medical" and tickets["education"].need == "education"
    assert all(r.region_id == household.region_id and r.status == "sent" and r.calendar_version for r in tickets.values())
    assert intake.needs == ["medical", "education", "basic_living"] and intake.channel == "window"
    assert intake.number.startswith("SL20261207-")
    event = AuditEvent.objects.get(action="intake.record")
    assert event.details["referral_due_wd"]["value"] == "10" and "改革完善" in event.details["referral_due_wd"]["source"]
    assert AuditEvent.objects.filter(action="referral.create").count() == 2


def test_village_assistant_records_by_village_channel(village_user, household):
    intake = _record(village_user, household)
    assert intake.channel == "village"
    with pytest.raises(Forbidden):  # the department's answer is recorded by the township
        referral_respond(actor=village_user, referral_id=intake.referrals.first().pk,
                         data={"feedback": "已办", "assisted": True}, now=NOW)


def test_civil_needs_alone_need_no_department(caseworker, household):
    intake = _record(caseworker, household, needs=["basic_living", "emergency"], departments=[])
    assert intake.referrals.count() == 0


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"needs": []}, "needs", "困难需求"),
    ({"needs": ["lottery"]}, "needs", "困难需求"),
    ({"needs": ["medical", "medical"]}, "needs", "重复"),
    ({"departments": ["police"]}, "departments", "转介部门"),
    ({"needs": ["housing"], "departments": []}, "departments", "转介部门"),
    ({"description": ""}, "description", "困难情况"),
    ({"description": "x" * 1001}, "description", "困难情况"),
    ({"person": 999999}, "person", "困难对象"),
    ({"household": "abc"}, "household", "家庭"),
])
def test_bad_input_names_field_and_writes_nothing(caseworker, household, changes, field, words):
    before = _written()
    with pytest.raises(ValidationFailed) as exc:
        _record(caseworker, household, **changes)
    assert exc.value.details["field"].split(".")[0].split("[")[0] == field
    assert words in exc.value.message
    assert _written() == before


def test_labels_are_accepted_for_codes(caseworker, household):
    intake = _record(caseworker, household, needs=["医疗"], departments=["医疗救助（医疗保障局）", "慈善帮扶"])
    assert sorted(r.department for r in intake.referrals.all()) == ["charity", "medical"]


def test_other_township_cannot_record_read_or_answer(caseworker, outsider, household):
    """Region scope: township B's caseworker gets "not found" and changes nothing."""
    intake = _record(caseworker, household)
    ticket = intake.referrals.first()
    before = _written()
    with pytest.raises(NotFound):
        _record(outsider, household)
    with pytest.raises(NotFound):
        referral_respond(actor=outsider, referral_id=ticket.pk, data={"feedback": "已办", "assisted": True}, now=NOW)
    with pytest.raises(NotFound):
        referral_close(actor=outsider, referral_id=ticket.pk, data={"closing_note": "办结"}, now=NOW)
    assert _written() == before
    assert Referral.objects.get(pk=ticket.pk).status == "sent"
    rows, _ = referral_list(actor=outsider, today=DAY)
    assert rows == []


def test_response_then_close(caseworker, household):
    ticket = _record(caseworker, household).referrals.get(department="medical")
    with pytest.raises(Conflict) as exc:  # closed only after the department answered
        referral_close(actor=caseworker, referral_id=ticket.pk, data={"closing_note": "办结"}, now=NOW)
    assert exc.value.details["field"] == "feedback"
    with pytest.raises(ValidationFailed) as bad:
        referral_respond(actor=caseworker, referral_id=ticket.pk,
                         data={"feedback": "已纳入医疗救助", "assisted": True, "feedback_on": "2026-12-08"}, now=NOW)
    assert bad.value.details["field"] == "feedback_on" and "今天" in bad.value.message
    with pytest.raises(ValidationFailed) as missing:
        referral_respond(actor=caseworker, referral_id=ticket.pk, data={"feedback": "已纳入医疗救助"}, now=NOW)
    assert missing.value.details["field"] == "assisted"
    referral_respond(actor=caseworker, referral_id=ticket.pk, data={"feedback": "已纳入医疗救助", "assisted": True},
                     now=NOW)
    with pytest.raises(Conflict):
        referral_respond(actor=caseworker, referral_id=ticket.pk, data={"feedback": "再次", "assisted": True}, now=NOW)
    with pytest.raises(ValidationFailed) as empty:
        referral_close(actor=caseworker, referral_id=ticket.pk, data={"closing_note": ""}, now=NOW)
    assert empty.value.details["field"] == "closing_note" and "办结说明" in empty.value.message
    closed = referral_close(actor=caseworker, referral_id=ticket.pk, data={"closing_note": "医保已报销，办结"}, now=NOW)
    assert (closed.status, closed.closed_on, closed.closing_note) == ("closed", DAY, "医保已报销，办结")
    with pytest.raises(Conflict):
        referral_close(actor=caseworker, referral_id=ticket.pk, data={"closing_note": "再次"}, now=NOW)
    actions = list(AuditEvent.objects.filter(subject_type="referral", subject_id=str(ticket.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["referral.create", "referral.feedback", "referral.close"]


def test_department_list_and_overdue_views(caseworker, county_user, household):
    intake = _record(caseworker, household)
    medical = intake.referrals.get(department="medical")
    Referral.objects.filter(pk=medical.pk).update(due_date=date(2026, 12, 1))
    rows, more = referral_list(actor=caseworker, today=DAY, department="education")
    assert [r.department for r in rows] == ["education"] and not more
    overdue, _ = referral_list(actor=county_user, today=DAY, overdue=True)
    assert [r.pk for r in overdue] == [medical.pk]
    by_township = overdue_by_township(actor=county_user, today=DAY)
    assert [(t["code"], t["total"]) for t in by_township] == [(TOWNSHIP_A, 1)]
    assert by_township[0]["name"] == "千岛湖镇" and "医疗救助 1" in by_township[0]["departments"]
    # answered in time or late, a ticket with a response is no longer overdue
    referral_respond(actor=caseworker, referral_id=medical.pk, data={"feedback": "已办", "assisted": False}, now=NOW)
    assert referral_list(actor=county_user, today=DAY, overdue=True)[0] == []


def test_alert_pushes_share_the_department_list(caseworker, household):
    """One referral model: an alert's 分类推送 is in the department's list and answered from it."""
    from jiuzhu.apps.monitoring.models import Alert
    from jiuzhu.apps.monitoring.services import alert_dispose

    alert = Alert.objects.create(
        dedup_key="unemployment:x:2026-12-01", type="unemployment", source="unemployment",
        person_id=household.head_id, household=household, region_id=household.region_id, category="dibao",
        event_date=DAY, detected_on=DAY, due_date=date(2026, 12, 1), suggested="refer")
    alert_dispose(actor=caseworker, alert_id=alert.pk, data={"disposition": "refer", "result": "推送就业",
                                                             "departments": ["employment"]}, now=NOW)
    push = Referral.objects.get(alert=alert)
    assert push.region_id == household.region_id and push.due == date(2026, 12, 1)
    rows, _ = referral_list(actor=caseworker, today=DAY, department="employment", overdue=True)
    assert [r.pk for r in rows] == [push.pk]
    referral_respond(actor=caseworker, referral_id=push.pk, data={"feedback": "已登记就业援助", "assisted": True},
                     now=NOW)
    alert.refresh_from_db()
    assert alert.status == "closed"  # the alert's own rule: closed when every department answered
    with pytest.raises(Conflict):  # an alert's push is closed with its alert, not on its own
        referral_close(actor=caseworker, referral_id=push.pk, data={"closing_note": "办结"}, now=NOW)
