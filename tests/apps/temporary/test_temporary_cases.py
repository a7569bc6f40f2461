"""临时救助 on the case engine (issue 14 §0–1): rules R-TA-02…06 by ID."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from jiuzhu.apps.cases.engine import action_listing
from jiuzhu.apps.cases.jobs import cases_mark_overdue
from jiuzhu.apps.cases.models import Case, CaseDeadline
from jiuzhu.apps.cases.services import case_act, case_submit
from jiuzhu.apps.programs.temporary import limits
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow import WorkflowSettings
from jiuzhu.rules.workflow.tables import table_for
from tests.apps.cases.flow import at
from tests.conftest import VILLAGE_A, VILLAGE_B

DAY = date(2026, 12, 7)
NOW = at(DAY)
EMERGENCY = {"kind": "emergency", "category": "fire", "circumstance": "夜间住房失火，衣物被褥烧毁",
             "occurred_on": "2026-12-06", "place_region": VILLAGE_A, "need": "1000"}
EXPENDITURE = {"kind": "expenditure", "category": "medical", "circumstance": "子女突发重病住院，自付医疗费用高",
               "occurred_on": "2026-11-20", "need": "30000"}
VERIFY = {"income_per_capita": "800", "assets_within_limits": True, "verified_on": "2026-12-07"}
SURVEY = {"surveyed_on": "2026-12-07", "investigators": ["王经办", "陈协理"], "findings": "情况属实"}
NOTICE = {"starts_on": "2026-12-07"}


def _open(actor, household, intake, **kw):
    return case_submit(actor=actor, program="temporary", household_id=household.pk,
                       applicant_id=household.head_id, channel="window", payload=intake, now=NOW, **kw)


def _act(actor, case, action, payload=None):
    return case_act(actor=actor, case_id=case.pk, action=action, payload=payload, now=NOW)


def _follow_up(actor, case):
    for action, payload in (("ta_record_verification", VERIFY), ("ta_record_survey", SURVEY),
                            ("ta_publish_notice", NOTICE)):
        case = _act(actor, case, action, payload)
    return case


def test_registered_program_has_both_kinds_and_dibao_unchanged():
    """Issue 14 §0: temporary assistance is a registered program; dibao's table is the same table."""
    s = WorkflowSettings()
    assert {r.action for r in table_for("temporary", s, "emergency")} >= {"submit", "ta_pay_advance"}
    assert "ta_accept" in {r.action for r in table_for("temporary", s, "expenditure")}
    assert "confirm" in {r.action for r in table_for("dibao", s)}
    with pytest.raises(ValueError):
        table_for("temporary", s, "application")


@pytest.mark.django_db
def test_emergency_advance_then_follow_up(caseworker, reviewer, household):
    """R-TA-03: 先行救助 within the township limit the same day; 核对/调查/公示 afterwards close 补办."""
    case = _open(caseworker, household, EMERGENCY)
    assert case.state == "accepted" and case.kind == "emergency" and case.number.startswith("LS")
    follow = case.deadlines.get(step="follow_up")
    assert follow.rule_id == "R-TA-03" and follow.supervised
    case = _act(caseworker, case, "ta_pay_advance", {"amount": "500", "reason": "火灾后基本生活无着",
                                                      "recipient": "张建国", "modality": "cash",
                                                      "receipt_number": "XJ-0001"})
    assert case.state == "advance_paid" and case.decided_amount == Decimal("500")
    blocked = {b["action"]: b for b in action_listing(case, caseworker, DAY)[1]}
    assert "核对" in blocked["ta_complete_follow_up"]["message"]
    case = _follow_up(caseworker, case)
    case = _act(reviewer, case, "ta_complete_follow_up", {"note": "补办完成"})
    assert case.state == "approved" and not case.is_open
    assert case.deadlines.get(step="follow_up").status == CaseDeadline.Status.MET


@pytest.mark.django_db
def test_emergency_follow_up_goes_overdue(caseworker, household):
    """R-TA-03: an unfinished 补办 after its working-day limit is overdue (督办)."""
    case = _open(caseworker, household, EMERGENCY)
    follow = case.deadlines.get(step="follow_up")
    assert follow.due > DAY and follow.amount == 10  # region step limit ``ta_follow_up`` (seed 10 wd)
    assert Case.objects.get(pk=case.pk).next_step == "follow_up"
    cases_mark_overdue(today=follow.due)
    assert not Case.objects.get(pk=case.pk).overdue
    cases_mark_overdue(today=follow.due + timedelta(days=1))
    assert Case.objects.get(pk=case.pk).overdue
    assert case.deadlines.get(step="follow_up").status == CaseDeadline.Status.OVERDUE


@pytest.mark.django_db
def test_follow_up_limit_is_a_region_setting(caseworker, household):
    """The 补办 limit is the region's working-day setting (step_limits.ta_follow_up)."""
    from jiuzhu.apps.cases.models import WorkflowSetting

    WorkflowSetting.objects.create(region_id="330127000000", step_limits={"ta_follow_up": 5})
    case = _open(caseworker, household, EMERGENCY)
    assert case.deadlines.get(step="follow_up").amount == 5


@pytest.mark.django_db
def test_advance_over_township_limit_is_403_naming_limit(caseworker, household):
    """R-TA-03: the township pays first only within its limit."""
    case = _open(caseworker, household, EMERGENCY)
    limit = limits(case, DAY)["township"]
    with pytest.raises(Forbidden) as exc:
        _act(caseworker, case, "ta_pay_advance", {"amount": str(limit + 1), "reason": "火灾", "recipient": "张建国",
                                                  "modality": "bank"})
    assert exc.value.code == "ta.over_township_limit" and str(limit) in exc.value.details["limit"]
    assert f"{limit:,.2f}" in exc.value.message or str(limit) in exc.value.message
    assert Case.objects.get(pk=case.pk).state == "accepted"


@pytest.mark.django_db
def test_emergency_accepted_where_it_happened_not_elsewhere(caseworker, outsider, household):
    """R-TA-04: accepted by the township where the emergency happened, whatever the hukou."""
    case = _open(outsider, household, {**EMERGENCY, "place_region": VILLAGE_B})
    assert case.region_id == VILLAGE_B and household.region_id == VILLAGE_A
    with pytest.raises(NotFound):
        _open(outsider, household, {**EMERGENCY, "place_region": VILLAGE_A, "confirm_duplicate": True})


@pytest.mark.django_db
def test_same_emergency_twice_warns_with_earlier_case(caseworker, household):
    """Bad input: the same emergency twice for one person within the window → warning linking the earlier case."""
    first = _open(caseworker, household, EMERGENCY)
    with pytest.raises(Conflict) as exc:
        _open(caseworker, household, EMERGENCY)
    assert exc.value.code == "ta.duplicate_emergency"
    assert exc.value.details["earlier_case"] == str(first.pk) and first.number in exc.value.message
    assert Case.objects.filter(program="temporary").count() == 1
    again = _open(caseworker, household, {**EMERGENCY, "confirm_duplicate": True})
    assert again.pk != first.pk


@pytest.mark.django_db
def test_expenditure_above_township_limit_goes_to_county_and_pays_in_stages(caseworker, reviewer, county_user,
                                                                           household):
    """R-TA-03 level by amount; R-TA-06 一次审批、分阶段救助."""
    case = _open(caseworker, household, EXPENDITURE)
    assert case.state == "submitted"
    case = _act(caseworker, case, "ta_accept", {})
    case = _follow_up(caseworker, case)
    lim = limits(case, DAY)
    amount = lim["township"] + 100
    with pytest.raises(Forbidden):
        _act(reviewer, case, "ta_approve", {"amount": str(amount), "modality": "bank"})
    case = _act(reviewer, case, "ta_refer_county", {"amount": str(amount)})
    assert case.state == "county_review"
    half = amount / 2
    case = _act(county_user, case, "ta_county_approve", {"amount": str(amount), "modality": "bank",
                                                         "stages": [str(half), str(amount - half)]})
    assert case.state == "paying"
    decision = case.records.get(kind="ta_decision").data
    assert decision["level"] == "county"
    with pytest.raises(Conflict):
        _act(caseworker, case, "ta_close_payments", {})
    for _ in range(2):
        case = _act(caseworker, case, "ta_pay", {"modality": "bank", "recipient": "张建国", "paid_on": "2026-12-07"})
    assert [r.data["stage"] for r in case.records.filter(kind="ta_payment")] == [1, 2]
    case = _act(caseworker, case, "ta_close_payments", {})
    assert case.state == "approved"


@pytest.mark.django_db
def test_above_county_cap_needs_council(caseworker, reviewer, county_user, household):
    """R-TA-05: above the county cap → 一事一议 with the meeting record."""
    case = _act(caseworker, _open(caseworker, household, EXPENDITURE), "ta_accept", {})
    case = _follow_up(caseworker, case)
    cap = limits(case, DAY)["county"]
    case = _act(reviewer, case, "ta_refer_county", {"amount": str(cap + 1)})
    with pytest.raises(Conflict) as exc:
        _act(county_user, case, "ta_county_approve", {"amount": str(cap + 1), "modality": "bank"})
    assert exc.value.code == "ta.over_county_cap"
    case = _act(county_user, case, "ta_refer_council", {})
    with pytest.raises(ValidationFailed):  # the meeting record is required
        _act(county_user, case, "ta_council_approve", {"amount": str(cap + 1), "modality": "bank"})
    case = _act(county_user, case, "ta_council_approve", {
        "amount": str(cap + 1), "modality": "bank", "meeting_on": "2026-12-07",
        "attendees": ["周局长", "吴科长", "郑科员"], "minutes": "一事一议：同意给予救助"})
    assert case.state == "paying" and case.records.get(kind="ta_decision").data["level"] == "council"


@pytest.mark.django_db
def test_expenditure_income_test(caseworker, reviewer, household):
    """R-TA-02: 支出型 per-capita income must be below the line (region parameter)."""
    case = _act(caseworker, _open(caseworker, household, EXPENDITURE), "ta_accept", {})
    case = _act(caseworker, case, "ta_record_verification", {**VERIFY, "income_per_capita": "99999"})
    case = _act(caseworker, case, "ta_record_survey", SURVEY)
    case = _act(caseworker, case, "ta_publish_notice", NOTICE)
    with pytest.raises(Conflict) as exc:
        _act(reviewer, case, "ta_approve", {"amount": "100", "modality": "bank"})
    assert exc.value.code == "ta.income_above_line" and "R-TA-02" in exc.value.message


@pytest.mark.django_db
def test_modalities_validated(caseworker, household):
    """R-TA-06: cash needs a receipt, in kind lists items whose value adds up."""
    case = _open(caseworker, household, EMERGENCY)
    with pytest.raises(ValidationFailed) as exc:
        _act(caseworker, case, "ta_pay_advance", {"amount": "300", "reason": "火灾", "recipient": "张建国",
                                                  "modality": "cash"})
    assert exc.value.details["field"] == "receipt_number"
    with pytest.raises(ValidationFailed) as exc:
        _act(caseworker, case, "ta_pay_advance", {"amount": "300", "reason": "火灾", "recipient": "张建国",
                                                  "modality": "in_kind", "items": [{"name": "棉被", "value": "100"}]})
    assert exc.value.details["field"] == "items"
    case = _act(caseworker, case, "ta_pay_advance", {"amount": "300", "reason": "火灾", "recipient": "张建国",
                                                     "modality": "in_kind", "items": [{"name": "棉被", "value": "300"}]})
    assert case.state == "advance_paid"


@pytest.mark.django_db
def test_bad_intake_names_field(caseworker, household):
    with pytest.raises(ValidationFailed) as exc:
        _open(caseworker, household, {**EMERGENCY, "place_region": ""})
    assert exc.value.details["field"] == "place_region"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_registration_carries_permissions_and_roles(county_user, household):
    """Issue 14 §0: the program's registration names its permissions; a role without it is refused."""
    from jiuzhu.apps.cases import registry

    assert registry.permission("temporary", "submit") == "temporary.record"
    assert registry.permission("dibao", "submit") == "case.submit"
    with pytest.raises(Forbidden):
        _open(county_user, household, EMERGENCY)
