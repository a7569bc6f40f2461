"""A recheck case through each decision: continue, adjust, stop, graduate; and cancel, extend, refusals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.selectors import allowed_actions
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.services import enrollment_stop
from jiuzhu.apps.registry.models import Person
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow import WorkflowSettings, table_for
from tests.apps.cases.flow import at, submit, workflow_setting
from tests.apps.enrollment.lifecycle_helpers import make_enrollment
from tests.conftest import COUNTY as COUNTY_CODE

from .recheck_flow import DECISION, act, match_rules, schedule, to_proposed, to_surveyed

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


def decide(people, case, day, outcome, **extra):
    return act(people["reviewer"], case, "decide", day, {**DECISION, "outcome": outcome, **extra})


def test_continue_keeps_the_terms_and_sets_the_next_recheck(people, household):
    # given a recheck whose household is exactly as enrolled
    e = make_enrollment(household)
    case, d = to_surveyed(people, e, DAY)
    e = match_rules(case, d)
    assert case.state == "surveyed" and case.kind == "recheck"
    # when the caseworker proposes to continue and the review-confirmation group decides
    case = act(people["caseworker"], case, "recheck_review", d, {"outcome": "continue"})
    assert case.state == "proposed" and case.decided_status == "continue"
    assert case.records.get(kind="recheck_review").data["proposed"]["outcome"] == "continue"
    assert allowed_actions(case=case, actor=people["reviewer"], today=d) == ["decide"]
    case = decide(people, case, d, "continue")
    # then the case is closed, its deadline met, the enrollment unchanged but rechecked
    assert case.state == "rechecked" and not case.is_open and case.deadlines.get(step="recheck").status == "met"
    e.refresh_from_db()
    change = e.changes.get()
    assert change.kind == "recheck" and change.source == f"case:{case.pk}" and change.old_amount == change.new_amount
    expected = date(2028, 1, 1) if e.klass in ("A", "B") else date(2027, 7, 1)  # 12 or 6 months (R-DM-02)
    assert e.next_recheck == expected
    assert list(case.events.values_list("action", flat=True)) == [
        "schedule", "request_verification", "record_verification", "record_survey", "recheck_review", "decide"]
    assert AuditEvent.objects.filter(subject_type="case", subject_id=str(case.pk)).count() == 6


def test_adjust_applies_the_rules_amount_from_next_month(people, household):
    e = make_enrollment(household, amount="800.00")
    case, d = to_proposed(people, e, DAY, {"outcome": "adjust"})
    proposed = Decimal(case.proposal["result"]["monthly_amount"])
    assert case.decided_amount == proposed != Decimal("800.00")
    case = decide(people, case, d, "adjust", legal_ground="《最低生活保障审核确认办法》第三十二条")
    e.refresh_from_db()
    change = e.changes.get()
    assert e.amount == proposed and change.kind == "adjust" and change.effective_month == date(2027, 1, 1)
    assert change.legal_ground == "《最低生活保障审核确认办法》第三十二条"
    assert case.records.get(kind="recheck_decision").data["change"] == change.pk


def test_stop_when_income_is_above_the_standard(people, household):
    Person.objects.filter(memberships__household=household).update(wage=Decimal("5000.00"))
    e = make_enrollment(household)
    case, d = to_proposed(people, e, DAY, {"outcome": "stop"})
    assert case.records.get(kind="recheck_review").data["proposed"]["outcome"] == "stop"
    decide(people, case, d, "stop")
    e.refresh_from_db()
    assert e.status == "stopped" and e.stopped_month == date(2027, 1, 1)


def test_graduate_instead_of_stop_needs_a_reason_and_income_above_the_standard(people, household):
    Person.objects.filter(memberships__household=household).update(wage=Decimal("2500.00"))
    e = make_enrollment(household)
    case, d = to_surveyed(people, e, DAY)
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "recheck_review", d, {"outcome": "graduate"})
    assert exc.value.details["field"] == "graduation_reason"
    case = act(people["caseworker"], case, "recheck_review", d,
               {"outcome": "graduate", "graduation_reason": "graduate_employment"})
    assert case.records.get(kind="recheck_review").data["graduation_months"] == 12  # demo county: 12 months
    decide(people, case, d, "graduate")
    e.refresh_from_db()
    assert e.status == "graduating" and e.graduating_until == date(2027, 12, 31) and e.stopped_month == date(2028, 1, 1)


def test_graduation_is_refused_below_the_standard_and_for_tekun(people, household):
    e = make_enrollment(household)
    case, d = to_surveyed(people, e, DAY)
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "recheck_review", d,
            {"outcome": "graduate", "graduation_reason": "employment_income", "override_reason": "就业"})
    assert exc.value.details["field"] == "outcome" and "低于低保标准" in exc.value.message
    assert Case.objects.get(pk=case.pk).state == "surveyed"


def test_a_different_opinion_needs_a_reason_and_the_decision_must_match_it(people, household):
    e = make_enrollment(household, amount="800.00")
    case, d = to_surveyed(people, e, DAY)
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "recheck_review", d, {"outcome": "continue"})
    assert exc.value.details["field"] == "override_reason" and "调整理由" in exc.value.message
    case = act(people["caseworker"], case, "recheck_review", d,
               {"outcome": "continue", "override_reason": "收入下降为暂时情况，暂不调整"})
    version = case.version
    with pytest.raises(ValidationFailed) as exc:
        decide(people, case, d, "stop")
    assert exc.value.details["field"] == "outcome" and "继续保障" in exc.value.message
    case.refresh_from_db()
    assert case.state == "proposed" and case.version == version and not e.changes.exists()


def test_roles_scope_and_a_stopped_enrollment(people, household):
    e = make_enrollment(household)
    case, d = to_proposed(people, e, DAY, {"outcome": "adjust"})
    with pytest.raises(Forbidden):
        decide({**people, "reviewer": people["caseworker"]}, case, d, "adjust")
    with pytest.raises(NotFound):
        decide({**people, "reviewer": people["outsider"]}, case, d, "adjust")
    # the county stops the enrollment meanwhile: the decision is refused; the recheck is cancelled
    enrollment_stop(actor=people["county"], enrollment_id=e.pk, reason="户籍迁出本县", now=at(d))
    case = Case.objects.get(pk=case.pk)
    assert "decide" not in allowed_actions(case=case, actor=people["reviewer"], today=d)
    with pytest.raises(Conflict) as exc:
        decide(people, case, d, "adjust")
    assert exc.value.code == "recheck.enrollment_ended"
    case = act(people["caseworker"], case, "cancel", d, {"reason": "已停保，无需复核"})
    assert case.state == "cancelled" and not case.is_open
    assert case.deadlines.get(step="recheck").status == "cancelled"


def test_extend_once_by_thirty_days(people, household):
    e = make_enrollment(household, next_recheck=date(2027, 1, 1))
    case = schedule(people["caseworker"], e, DAY)
    due = case.deadlines.get().due
    case = act(people["caseworker"], case, "extend", DAY, {"reason_code": "force_majeure"})
    assert case.deadlines.get().due == due + timedelta(days=30) and case.extended
    with pytest.raises(Conflict):
        act(people["caseworker"], case, "extend", DAY, {"reason_code": "force_majeure"})


def test_one_open_recheck_per_enrollment_beside_an_application(people, household):
    e = make_enrollment(household)
    case = schedule(people["caseworker"], e, DAY)
    assert schedule(people["county"], e, DAY).pk == case.pk  # the open one is returned, not a second
    # an application of the household can still be submitted while the recheck runs
    application = submit(people["caseworker"], household, day=DAY)
    assert application.kind == "application" and application.is_open
    assert Case.objects.filter(kind="recheck", is_open=True).count() == 1
    # application actions are not on a recheck's path
    with pytest.raises(Conflict) as exc:
        act(people["caseworker"], case, "accept", DAY)
    assert exc.value.code == "case.not_in_workflow"


def test_schedule_is_for_caseworker_and_county_within_scope(people, household):
    e = make_enrollment(household)
    with pytest.raises(Forbidden):
        schedule(people["village"], e, DAY)
    with pytest.raises(NotFound):
        schedule(people["outsider"], e, DAY)
    Enrollment.objects.filter(pk=e.pk).update(status="stopped")
    with pytest.raises(Conflict):
        schedule(people["caseworker"], e, DAY)
    assert not Case.objects.exists()


@pytest.mark.parametrize("level", ["township", "county"])
def test_every_row_of_the_recheck_table_is_offered_to_its_roles_only(people, household, level):
    # given the county's confirmation level, a recheck on the main path
    workflow_setting(COUNTY_CODE, level=level)
    table = table_for("dibao", WorkflowSettings(level), "recheck")
    users = {"township_caseworker": people["caseworker"], "township_reviewer": people["reviewer"],
             "county_staff": people["county"], "village_assistant": people["village"]}
    e = make_enrollment(household)
    case = schedule(people["caseworker"], e, DAY)
    steps = [("request_verification", {}), ("record_verification", {"items": [], "conclusion": "consistent"}),
             ("record_survey", {"date": "2026-12-01", "investigators": ["甲", "乙"], "living_conditions": "一般",
                                "findings": "属实"}),
             ("recheck_review", {"outcome": "adjust"}), ("decide", {**DECISION, "outcome": "adjust"})]
    for action, payload in steps:
        case = Case.objects.get(pk=case.pk)
        rows = [r for r in table if case.state in r.from_states]
        # then each role is offered exactly its rows (guards pass on this path), others are refused
        for role, user in users.items():
            offered = set(allowed_actions(case=case, actor=user, today=DAY))
            assert offered == {r.action for r in rows if role in r.roles} - ({"extend"} if case.extended else set())
        row = next(r for r in rows if r.action == action)
        for role in set(users) - row.roles:
            with pytest.raises(Forbidden):
                act(users[role], case, action, DAY, payload)
        case = act(users[sorted(row.roles)[0]], case, action, DAY, payload)
        assert case.state == row.to_state
    assert case.state == "rechecked" and not case.is_open
    assert Enrollment.objects.get(pk=e.pk).changes.get().kind == "adjust"


def test_the_api_shows_a_recheck_and_performs_its_actions(client, people, household):
    from jiuzhu.apps.accounts.tokens import token_create

    e = make_enrollment(household)
    case, d = to_proposed(people, e, DAY, {"outcome": "adjust"})
    _, raw = token_create(user=people["reviewer"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    data = client.get(f"/api/v1/cases/{case.pk}", **headers).json()
    assert (data["kind"], data["enrollment"], data["state"]) == ("recheck", str(e.pk), "proposed")
    assert data["allowed_actions"] == ["decide"] and data["deadlines"][0]["step"] == "recheck"
    bad = client.post(f"/api/v1/cases/{case.pk}/actions/decide", {"outcome": "adjust"},
                      content_type="application/json", **headers)
    assert bad.status_code == 422 and bad.json()["details"]["field"] == "reason"
    done = client.post(f"/api/v1/cases/{case.pk}/actions/decide", {**DECISION, "outcome": "adjust"},
                       content_type="application/json", **headers)
    assert done.status_code == 200 and done.json()["state"] == "rechecked"
