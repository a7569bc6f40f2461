"""Guards every path keeps (workflow.md "Rules that every path keeps")."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.files import attachment_add
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.selectors import allowed_actions
from jiuzhu.apps.programs.proposal import propose
from jiuzhu.apps.registry.services import household_create, member_move
from jiuzhu.rules.errors import Conflict, ValidationFailed
from tests.conftest import AS_OF

from .flow import HOME_VISIT, MEETING, REJECT, act, at, submit, to_confirmation, to_reviewed, to_surveyed

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200) + b"\x00\x00\x00\x00IEND\xaeB`\x82"  # a whole PNG
RELATIVE = {"member": "李秀英", "staff_name": "李建华", "staff_position": "珍珠半岛村村委会主任", "relation": "兄妹"}


def _events(case):
    return list(Case.objects.get(pk=case.pk).events.values_list("action", flat=True))


def test_one_open_case_per_household_and_program(people, household):
    # given an open dibao case
    submit(people["caseworker"], household, day=DAY)
    # when another dibao case is started for the household, by anyone
    with pytest.raises(Conflict) as exc:
        submit(people["village"], household, day=DAY)
    # then it is refused; a tekun application for the same household is a different program
    assert exc.value.code == "case.already_open" and exc.value.message == "该家庭已有同一项目正在办理的申请"
    assert Case.objects.filter(program="dibao").count() == 1
    assert submit(people["caseworker"], household, program="tekun", day=DAY).state == "submitted"


def test_member_in_another_households_open_case_cannot_apply_again(people, household, household_data):
    cw = people["caseworker"]
    # given household 1 has an open case, and its member 李秀英 then moves to household 2
    submit(cw, household, day=DAY)
    other = household_create(actor=cw, data=household_data(), as_of=AS_OF)
    spouse = household.memberships.get(relation="spouse").person
    member_move(actor=cw, person_id=spouse.pk, to_household_id=other.pk, relation="other", as_of=DAY + timedelta(1))
    # when household 2 applies
    with pytest.raises(Conflict) as exc:
        submit(cw, other, day=DAY + timedelta(days=2))
    # then it is refused while household 1's case is open
    assert exc.value.code == "case.member_in_open_case" and "其他家庭的同类申请中" in exc.value.message
    assert not Case.objects.filter(household=other).exists()


def test_member_who_left_before_the_other_case_does_not_block(people, household, household_data):
    cw = people["caseworker"]
    # given 李秀英 moved out before her old household applied
    other = household_create(actor=cw, data=household_data(), as_of=AS_OF)
    spouse = household.memberships.get(relation="spouse").person
    member_move(actor=cw, person_id=spouse.pk, to_household_id=other.pk, relation="other", as_of=DAY)
    submit(cw, household, day=DAY + timedelta(days=1))
    # when / then her new household may apply too
    assert submit(cw, other, day=DAY + timedelta(days=1)).state == "submitted"


def test_member_still_counted_in_another_enrollment_blocks_approval(people, household, household_data):
    cw = people["caseworker"]
    # given household 1 is enrolled, then 李秀英 moves to household 2, which applies
    case, d = to_confirmation(people, household, DAY)
    act(people["reviewer"], case, "confirm", d, MEETING)
    other = household_create(actor=cw, data=household_data(), as_of=AS_OF)
    spouse = household.memberships.get(relation="spouse").person
    member_move(actor=cw, person_id=spouse.pk, to_household_id=other.pk, relation="other", as_of=d + timedelta(1))
    second, d2 = to_confirmation(people, other, d + timedelta(days=2))
    # when household 2 is confirmed
    with pytest.raises(Conflict) as exc:
        act(people["reviewer"], second, "confirm", d2, MEETING)
    # then it is refused until household 1's enrollment is adjusted
    assert exc.value.code == "case.member_enrolled"
    assert exc.value.message == "家庭成员仍在其他家庭的低保保障中，不能重复批准"


def test_enrolled_household_cannot_be_approved_again(people, household):
    # given the household was approved (active enrollment) and applies again
    case, d = to_confirmation(people, household, DAY)
    act(people["reviewer"], case, "confirm", d + timedelta(days=1), MEETING)
    again, d2 = to_confirmation(people, household, d + timedelta(days=2))
    audit = AuditEvent.objects.count()
    # when the group tries to confirm the second case
    assert "confirm" not in allowed_actions(case=again, actor=people["reviewer"], today=d2)
    with pytest.raises(Conflict) as exc:
        act(people["reviewer"], again, "confirm", d2 + timedelta(days=1), MEETING)
    # then it is refused and nothing is written; rejecting stays possible
    assert exc.value.code == "case.already_enrolled" and exc.value.message == "该家庭已在保，不能重复批准"
    assert AuditEvent.objects.count() == audit and _events(again)[-1] == "close_notice"
    assert "reject" in allowed_actions(case=again, actor=people["reviewer"], today=d2)


def test_relative_filing_requires_a_home_visit_at_confirmation(people, household):
    # given a declared near relative without details: refused, naming the field; with details: flagged
    with pytest.raises(ValidationFailed) as bad:
        submit(people["caseworker"], household, day=DAY, has_relatives=True)
    assert bad.value.details["field"] == "relatives" and bad.value.message == "申报有近亲属时须逐一填写"
    case, d = to_confirmation(people, household, DAY, has_relatives=True, relatives=[RELATIVE])
    assert case.relative_flag and case.relative_note == "李秀英与李建华(珍珠半岛村村委会主任)系兄妹"
    # when confirmed without a home visit
    with pytest.raises(ValidationFailed) as exc:
        act(people["reviewer"], case, "confirm", d + timedelta(days=1), MEETING)
    assert exc.value.details["field"] == "home_visit"
    assert exc.value.message == "该申请已做近亲属备案，审核确认须录入入户核查情况"
    # then with the visit recorded it is approved and the visit kept
    case = act(people["reviewer"], case, "confirm", d + timedelta(days=1), {**MEETING, "home_visit": HOME_VISIT})
    assert case.state == "approved"
    assert case.records.get(kind="confirmation").data["home_visit"]["visitors"] == HOME_VISIT["visitors"]


def test_review_differing_from_the_rules_needs_a_reason_and_is_audited(people, household):
    cw = people["caseworker"]
    # given a surveyed case and what the rules engine proposes for it
    case, d = to_surveyed(people, household, DAY)
    proposed = Decimal(propose(case, policy=config.region_config(case.region_id).policy, as_of=d)["result"]
                       ["monthly_amount"])
    assert proposed > 0
    higher = str(proposed + 50)
    # when the caseworker proposes more than the rules without a reason
    with pytest.raises(ValidationFailed) as exc:
        act(cw, case, "initial_review", d, {"opinion": "grant", "amount": higher})
    assert exc.value.details["field"] == "override_reason"
    assert exc.value.message == "初审意见与规则测算结果不一致，须填写调整理由"
    assert _events(case)[-1] == "record_survey"
    # then with a reason it is recorded beside the proposal and audited
    case = act(cw, case, "initial_review", d, {"opinion": "grant", "amount": higher, "override_reason": "患重病需长期服药"})
    review = case.records.get(kind="review").data
    assert review["override"] is True and review["override_reason"] == "患重病需长期服药"
    assert Decimal(review["proposed"]["amount"]) == proposed and case.decided_amount == Decimal(higher)
    assert AuditEvent.objects.filter(action="case.initial_review").latest("id").reason == "患重病需长期服药"


def test_proposed_denial_is_forwarded_and_rejected(people, household):
    cw, reviewer = people["caseworker"], people["reviewer"]
    # given a review proposing denial: not publicized, forwarded to the confirming group
    case, d = to_reviewed(people, household, DAY, review={"opinion": "deny", "override_reason": "有未申报的经营收入"})
    assert "publish_notice" not in allowed_actions(case=case, actor=cw, today=d)
    case = act(cw, case, "forward_denial", d)
    # when the confirming group decides
    assert allowed_actions(case=case, actor=reviewer, today=d) == ["reject"]
    with pytest.raises(Conflict) as exc:
        act(reviewer, case, "confirm", d, MEETING)
    assert exc.value.message == "初审意见为拟不予批准，只能作出不予批准决定"
    case = act(reviewer, case, "reject", d + timedelta(days=1), REJECT)
    # then the case is closed and the denial letter is due in 3 wd (delivered by the township)
    assert case.state == "rejected" and not case.is_open and not case.notices.exists()
    assert case.deadlines.get(step="denial_letter").status == "open"
    assert allowed_actions(case=case, actor=cw, today=d) == ["deliver_denial"]
    assert AuditEvent.objects.filter(action="case.reject").latest("id").reason == "家庭人均收入高于当地低保标准"


@pytest.mark.parametrize("action, payload, reason", [
    ("withdraw", {"reason": "申请人书面申请撤回"}, "申请人书面申请撤回"),
    ("terminate", {"reason_code": "refused_cooperation", "note": "三次约访未果"},
     "申请人无正当理由拒绝配合入户调查或核对：三次约访未果"),
])
def test_withdraw_and_terminate_cancel_open_deadlines(people, household, action, payload, reason):
    cw = people["caseworker"]
    # given a case being verified: its report and overall deadlines are running
    case = act(cw, submit(cw, household, day=DAY), "request_verification", DAY + timedelta(days=1))
    assert set(case.deadlines.values_list("status", flat=True)) == {"met", "open"}
    # when
    case = act(cw, case, action, DAY + timedelta(days=2), payload)
    # then every running deadline is cancelled, the task list forgets the case, a new case may start
    assert sorted(case.deadlines.values_list("step", "status")) == [
        ("overall", "cancelled"), ("request_verification", "met"), ("verification_report", "cancelled")]
    assert (case.is_open, case.task_role, case.next_due) == (False, "", None)
    assert AuditEvent.objects.filter(action=f"case.{action}").get().reason == reason
    assert submit(cw, household, day=DAY + timedelta(days=3)).state == "submitted"


def test_terminate_needs_a_listed_reason(people, household):
    # given / when terminating without a reason (R-WF-15)
    case = submit(people["caseworker"], household, day=DAY)
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "terminate", DAY, {})
    # then
    assert exc.value.details["field"] == "reason_code" and exc.value.message == "终止原因：必填"


def test_verification_waits_for_id_and_authorization(people, household):
    cw = people["caseworker"]
    # given a case submitted without 一证一书
    case = submit(cw, household, day=DAY, id_checked=False, authorization_signed=False)
    assert "request_verification" not in allowed_actions(case=case, actor=cw, today=DAY)
    with pytest.raises(Conflict) as first:
        act(cw, case, "request_verification", DAY)
    assert first.value.message == "尚未签署委托授权书（一证一书），不能提请核对。需要：登记一证一书或上传委托授权书扫描件"
    # when the signed authorization is scanned, the ID is still missing
    attachment_add(actor=cw, case_id=case.pk, kind="authorization", filename="授权书.png", content=PNG, now=at(DAY))
    with pytest.raises(Conflict) as second:
        act(cw, case, "request_verification", DAY)
    assert second.value.code == "case.id_missing" and "身份证件" in second.value.message
    # then with the ID card scanned verification can be requested
    attachment_add(actor=cw, case_id=case.pk, kind="id_card", filename="身份证.png", content=PNG + b"1", now=at(DAY))
    assert "request_verification" in allowed_actions(case=case, actor=cw, today=DAY)
    assert act(cw, case, "request_verification", DAY).state == "verifying"
