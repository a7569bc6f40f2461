"""A dibao case from submit to confirm (verify_before_accept, township confirmation: the seed path)."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Notice
from jiuzhu.apps.cases.selectors import allowed_actions
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound

from .flow import act, submit, to_confirmation, to_reviewed

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


def test_full_path_creates_enrollment_and_long_term_notice(people, household):
    # given a case that passed notice
    case, d = to_confirmation(people, household, DAY)
    assert case.state == "awaiting_confirmation"
    assert "confirm" in allowed_actions(case=case, actor=people["reviewer"], today=d)
    assert allowed_actions(case=case, actor=people["caseworker"], today=d) == ["withdraw", "terminate", "extend"]
    # when the review-confirmation group confirms on 2026-12-15
    case = act(people["reviewer"], case, "confirm", date(2026, 12, 15),
               {"meeting_date": "2026-12-15", "members_present": ["甲", "乙", "丙"], "opinion": "同意"})
    # then
    assert case.state == "approved" and not case.is_open
    enrollment = Enrollment.objects.get(case=case)
    assert enrollment.start_month == date(2027, 1, 1)
    assert enrollment.amount == case.decided_amount > Decimal(0)
    notice = Notice.objects.get(case=case, kind="long_term")
    assert notice.name == household.head_name and notice.household_size == 2
    assert case.deadlines.get(step="overall").status == "met"
    assert case.deadlines.get(step="county_filing").status == "open"
    assert list(case.events.values_list("action", flat=True)) == [
        "submit", "request_verification", "record_verification", "accept", "record_survey", "initial_review",
        "publish_notice", "close_notice", "confirm"]
    assert AuditEvent.objects.filter(subject_type="case", subject_id=str(case.pk)).count() == 9


def test_review_proposal_comes_from_rules_and_override_needs_reason(people, household):
    case, d = to_reviewed(people, household, DAY)
    proposal = case.proposal["result"]
    assert proposal["trace"] and case.decided_amount == Decimal(proposal["monthly_amount"])
    review = case.records.get(kind="review")
    assert review.data["override"] is False


def test_close_notice_refused_before_seven_days(people, household):
    case, d = to_reviewed(people, household, DAY)
    case = act(people["caseworker"], case, "publish_notice", d)
    with pytest.raises(Conflict) as exc:
        act(people["caseworker"], case, "close_notice", date(2026, 12, 13))
    assert "公示期未满" in exc.value.message


def test_wrong_state_wrong_role_other_region_change_nothing(people, household):
    case = submit(people["caseworker"], household, day=DAY)
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as exc:
        act(people["caseworker"], case, "accept", DAY)
    assert exc.value.code == "case.wrong_state" and "已提交" in exc.value.message
    with pytest.raises(Forbidden):
        act(people["reviewer"], case, "request_verification", DAY)
    with pytest.raises(NotFound):
        act(people["outsider"], case, "request_verification", DAY)
    case.refresh_from_db()
    assert case.state == "submitted" and case.version == 2
    assert AuditEvent.objects.count() == events


def test_one_open_case_per_household_and_program(people, household):
    submit(people["caseworker"], household, day=DAY)
    with pytest.raises(Conflict) as exc:
        submit(people["village"], household, day=DAY)
    assert exc.value.code == "case.already_open"
