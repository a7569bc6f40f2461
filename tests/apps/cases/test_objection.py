"""Objection during the notice (WF-8): appraisal or re-investigation, a new initial review, a fresh notice."""

from datetime import date, timedelta

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.programs.selectors import public_notices
from jiuzhu.rules.errors import Conflict, ValidationFailed

from .flow import APPRAISAL, MEETING, act, to_reviewed

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)
OBJECTION = {"content": "有村民反映该户有一辆小轿车未申报", "objector": "村民甲", "contact": "13800000000"}


@pytest.fixture
def disputed(people, household):
    """A case objected to on the 3rd day of its notice."""
    case, d = to_reviewed(people, household, DAY)
    case = act(people["caseworker"], case, "publish_notice", d)
    case = act(people["caseworker"], case, "record_objection", d + timedelta(days=3), OBJECTION)
    return case, d + timedelta(days=3)


def test_objection_stops_the_notice_and_asks_for_appraisal(disputed):
    case, d = disputed
    assert case.state == "disputed" and case.state_label == "有异议"
    assert case.deadlines.get(step="notice_period").status == "met"
    assert case.deadlines.get(step="appraisal").due == date(2026, 11, 13)  # 3 wd after Tue 11-10
    assert case.records.get(kind="objection").data["content"] == OBJECTION["content"]


def test_appraisal_needs_two_thirds_villager_representatives(people, disputed):
    case, d = disputed
    audit = AuditEvent.objects.count()
    # when 5 of 9 participants are villager representatives
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "hold_appraisal", d, {**APPRAISAL, "representatives": 5})
    # then it is refused, naming the field, and nothing changes
    assert exc.value.status == 422 and exc.value.details["field"] == "representatives"
    assert exc.value.message == "村(居)民代表应占参加人数的三分之二以上（WF-8）"
    case.refresh_from_db()
    assert case.state == "disputed" and AuditEvent.objects.count() == audit
    # and 6 of 9 (exactly two thirds) is enough
    case = act(people["caseworker"], case, "hold_appraisal", d, {**APPRAISAL, "representatives": 6})
    assert case.state == "surveyed"


def test_after_appraisal_a_new_review_and_fresh_notice_then_confirm(people, disputed, household):
    cw = people["caseworker"]
    case, d = disputed
    first_notice = case.notices.get()
    # when the appraisal is held, the caseworker reviews again and publishes a fresh notice
    case = act(cw, case, "hold_appraisal", d + timedelta(days=1), APPRAISAL)
    assert case.deadlines.get(step="appraisal").status == "met"
    assert case.deadlines.filter(step="initial_review", status="open").count() == 1
    case = act(cw, case, "initial_review", d + timedelta(days=2), {"opinion": "grant"})
    republished = d + timedelta(days=3)
    case = act(cw, case, "publish_notice", republished)
    # then the first notice is withdrawn and only the fresh one is public
    first_notice.refresh_from_db()
    assert first_notice.withdrawn
    shown = public_notices(today=republished)
    assert [(n["name"], n["household_size"], n["ends_on"]) for n in shown] == [
        (household.head_name, 2, republished + timedelta(days=7))]
    assert set(shown[0]) == {"kind", "program", "region__name", "region__full_name", "name", "household_size",
                             "amount", "objection_phone", "starts_on", "ends_on"}
    # and closing before the 7 days are over is refused, naming the end date
    with pytest.raises(Conflict) as early:
        act(cw, case, "close_notice", republished + timedelta(days=7))
    end, first = (republished + timedelta(days=7)).isoformat(), (republished + timedelta(days=8)).isoformat()
    assert early.value.status == 409 and early.value.message == f"公示期未满（公示至 {end}），{first} 起方可结束公示"
    # and after the 7 days the case goes to confirmation and is approved
    case = act(cw, case, "close_notice", republished + timedelta(days=8))
    case = act(people["reviewer"], case, "confirm", republished + timedelta(days=9), MEETING)
    assert case.state == "approved"
    assert list(case.events.values_list("action", flat=True)) == [
        "submit", "request_verification", "record_verification", "accept", "record_survey", "initial_review",
        "publish_notice", "record_objection", "hold_appraisal", "initial_review", "publish_notice",
        "close_notice", "confirm"]
    assert case.records.filter(kind="review").count() == 2


def test_reinvestigation_also_leads_to_a_new_review(people, disputed):
    case, d = disputed
    # when the village assistant re-investigates instead of an appraisal
    case = act(people["village"], case, "reinvestigate", d + timedelta(days=1),
               {"date": (d + timedelta(days=1)).isoformat(), "findings": "车辆系借用亲戚的，已核实"})
    # then the case is back to a new initial review; publishing needs that review first
    assert case.state == "surveyed" and case.records.filter(kind="reinvestigation").exists()
    with pytest.raises(Conflict) as exc:
        act(people["caseworker"], case, "publish_notice", d + timedelta(days=1))
    assert exc.value.code == "case.wrong_state" and "已入户调查" in exc.value.message
    case = act(people["caseworker"], case, "initial_review", d + timedelta(days=2), {"opinion": "grant"})
    assert case.state == "reviewed"


def test_objection_upheld_ends_in_a_denial_without_a_second_notice(people, disputed):
    cw = people["caseworker"]
    case, d = disputed
    case = act(cw, case, "hold_appraisal", d + timedelta(days=1), {**APPRAISAL, "outcome": "ineligible"})
    # when the new review proposes denial against the rules' proposal
    with pytest.raises(ValidationFailed) as missing:
        act(cw, case, "initial_review", d + timedelta(days=2), {"opinion": "deny"})
    assert missing.value.details["field"] == "override_reason"
    case = act(cw, case, "initial_review", d + timedelta(days=2),
               {"opinion": "deny", "override_reason": "民主评议认定有车辆未申报"})
    # then it is not published but forwarded, and can only be rejected
    with pytest.raises(Conflict) as exc:
        act(cw, case, "publish_notice", d + timedelta(days=2))
    assert exc.value.message == "初审意见为拟不予批准，不公示，请报送审核确认"
    case = act(cw, case, "forward_denial", d + timedelta(days=3))
    assert case.state == "awaiting_confirmation"
    assert not case.notices.filter(withdrawn=False).exists()
