"""Annual review (年审): bulk start (constant number of queries), idempotent, progress and summary."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.audit.services import audit_verify
from jiuzhu.apps.cases.models import Case, CaseDeadline, CaseEvent
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.services import enrollment_adjust, enrollment_stop
from jiuzhu.apps.registry.services import household_create
from jiuzhu.apps.reviews.models import ReviewCampaign
from jiuzhu.apps.reviews.selectors import campaign_get, review_progress, review_summary
from jiuzhu.apps.reviews.services import review_due, review_start
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from tests.apps.cases.flow import at
from tests.apps.enrollment.lifecycle_helpers import make_enrollment
from tests.apps.enrollment.standard_helpers import county_checker  # noqa: F401 (fixture)
from tests.conftest import AS_OF, COUNTY, TOWNSHIP_A, VILLAGE_A, VILLAGE_A2, VILLAGE_B

from .recheck_flow import DECISION, act, match_rules

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


@pytest.fixture
def enroll_many(caseworker, outsider, household_data):
    def build(n, region=VILLAGE_A, **kw):
        actor = outsider if region == VILLAGE_B else caseworker
        return [make_enrollment(household_create(actor=actor, data=household_data(region=region), as_of=AS_OF), **kw)
                for _ in range(n)]
    return build


def start(people, now_day=DAY, **kw):
    return review_start(actor=people["county"], region_code=COUNTY, year=2027, now=at(now_day), **kw)


def test_start_opens_one_recheck_per_live_enrollment_in_bulk(people, enroll_many):
    # given live enrollments in two villages of township A and one of township B, and a stopped one
    a = enroll_many(2) + enroll_many(1, region=VILLAGE_A2)
    b = enroll_many(1, region=VILLAGE_B)
    enroll_many(1, status="stopped")
    # when the county starts the 2027 annual review
    campaign, created = start(people)
    # then each live enrollment has one scheduled recheck, due at the end of the plan's implementation stage
    assert created == 4 and campaign.cases_created == 4 and campaign.due == date(2027, 5, 30)
    assert "农村低保标准 1301" in campaign.policy_note
    cases = Case.objects.filter(campaign=campaign).order_by("enrollment_id")
    assert [c.enrollment_id for c in cases] == [e.pk for e in a + b]
    for case in cases:
        assert (case.kind, case.state, case.is_open, case.channel, case.task_role, case.next_step, case.next_due) == \
            ("recheck", "scheduled", True, "recheck", "township_caseworker", "recheck", date(2027, 5, 30))
        assert case.settings["confirmation_level"] == "township" and case.created_by == people["county"]
        assert case.applicant_id == case.household.head_id and case.region_id == case.enrollment.region_id
        deadline = case.deadlines.get()
        assert (deadline.step, deadline.due, deadline.status, deadline.starts_on, deadline.unit) == \
            ("recheck", date(2027, 5, 30), "open", DAY, "days")
        event = case.events.get()
        assert (event.action, event.to_state, event.actor, event.payload) == \
            ("schedule", "scheduled", people["county"], {"due": "2027-05-30", "campaign": campaign.pk})
    # and one audit event for the batch; the chain stays intact
    audit = AuditEvent.objects.get(action="review.start")
    assert audit.details["created"] == 4 and audit_verify()[0]
    # and a bulk-created recheck runs through the workflow like any other
    case = act(people["caseworker"], cases[0], "request_verification", DAY + timedelta(days=1))
    assert case.state == "verifying" and case.version == 2


def test_start_again_creates_nothing_and_new_enrollments_are_added(people, enroll_many):
    enroll_many(3)
    campaign, created = start(people)
    counts = (Case.objects.count(), CaseDeadline.objects.count(), CaseEvent.objects.count())
    again, created_again = start(people, now_day=DAY + timedelta(days=2))
    assert (again.pk, created, created_again) == (campaign.pk, 3, 0)
    assert (Case.objects.count(), CaseDeadline.objects.count(), CaseEvent.objects.count()) == counts
    # an enrollment approved later joins when the campaign is started again; a decided recheck is not redone
    enroll_many(1)
    _, created_late = start(people, now_day=DAY + timedelta(days=3))
    assert created_late == 1 and ReviewCampaign.objects.get().cases_created == 4


def test_the_number_of_queries_does_not_grow_with_enrollments(people, enroll_many):
    enroll_many(2)
    with CaptureQueriesContext(connection) as small:
        start(people)
    Case.objects.all().delete()
    ReviewCampaign.objects.all().delete()
    enroll_many(20)
    with CaptureQueriesContext(connection) as large:
        _, created = start(people)
    assert created == 22
    assert len(large.captured_queries) == len(small.captured_queries) <= 40


def test_open_rechecks_join_the_campaign(people, enroll_many):
    from jiuzhu.apps.enrollment.services import enrollment_schedule_recheck

    e = enroll_many(2)
    early = enrollment_schedule_recheck(actor=people["caseworker"], enrollment_id=e[0].pk, data={"reason": "举报核查"},
                                        now=at(DAY))
    campaign, created = start(people)
    assert created == 1 and campaign.cases_created == 2
    assert Case.objects.get(pk=early.pk).campaign == campaign


def test_progress_by_township_and_village_and_the_summary(people, enroll_many):
    # given four enrollments in township A (two villages) and one in township B
    e = enroll_many(2) + enroll_many(2, region=VILLAGE_A2) + enroll_many(1, region=VILLAGE_B)
    campaign, _ = start(people)
    cases = {c.enrollment_id: c for c in Case.objects.filter(campaign=campaign)}
    # when one is continued, one adjusted (direct) and rechecked, one cancelled, and one is late
    c0, d = to_surveyed_existing(people, cases[e[0].pk])
    match_rules(c0, d)
    c0 = act(people["caseworker"], c0, "recheck_review", d, {"outcome": "continue"})
    act(people["reviewer"], c0, "decide", d, {**DECISION, "outcome": "continue"})
    act(people["caseworker"], cases[e[2].pk], "cancel", d, {"reason": "重复安排"})
    Case.objects.filter(pk=cases[e[3].pk].pk).update(overdue=True)
    enrollment_adjust(actor=people["caseworker"], enrollment_id=e[1].pk, amount="900.00", reason="收入减少",
                      now=at(d))
    enrollment_stop(actor=people["county"], enrollment_id=e[4].pk, reason="迁出", now=at(d))
    # then the county sees both townships, totals and percent decided
    progress = review_progress(actor=people["county"], campaign=campaign)
    total = progress["total"]
    assert (total["total"], total["open"], total["decided"], total["cancelled"], total["continue"], total["overdue"]) \
        == (5, 3, 1, 1, 1, 1)
    assert [t["code"] for t in progress["townships"]] == [TOWNSHIP_A, "330127101000"]
    town_a = progress["townships"][0]
    assert town_a["name"] == "千岛湖镇" and town_a["total"] == 4 and town_a["percent"] == 25.0
    assert [(v["code"], v["total"], v["decided"], v["cancelled"]) for v in town_a["villages"]] == \
        [(VILLAGE_A, 2, 1, 0), (VILLAGE_A2, 2, 0, 1)]
    # and township B's caseworker sees only township B of the county's campaign
    theirs = review_progress(actor=people["outsider"], campaign=campaign_get(actor=people["outsider"],
                                                                             campaign_id=campaign.pk))
    assert [t["code"] for t in theirs["townships"]] == ["330127101000"] and theirs["total"]["total"] == 1
    # and the summary counts the year's additions, adjustments and exits (changes effective in 2027)
    summary = review_summary(actor=people["county"], campaign=campaign)
    assert summary["adjustments"]["dibao"]["adjust"] == 1 and summary["adjustments"]["dibao"]["increase"] == 1
    assert summary["adjustments"]["dibao"]["monthly_change"] == "100.00"
    assert summary["exits"]["dibao"] == {"stop": 1, "graduate": 0}
    assert summary["recheck_outcomes"]["continue"] == 1
    assert summary["additions"] == {}  # all were decided in 2026
    new = enroll_many(1, start=date(2027, 2, 1), amount="500.00")[0]
    Enrollment.objects.filter(pk=new.pk).update(decided_on=date(2027, 1, 20))
    additions = review_summary(actor=people["county"], campaign=campaign)["additions"]
    assert additions == {"dibao": {"households": 1, "persons": 2, "amount": "500.00"}}


def to_surveyed_existing(people, case, day=DAY):
    d = day
    for role, action, payload in [("caseworker", "request_verification", {}),
                                  ("county", "record_verification", {"items": [], "conclusion": "consistent"}),
                                  ("caseworker", "record_survey", {"date": "2026-12-03", "investigators": ["甲", "乙"],
                                                                   "living_conditions": "一般", "findings": "属实"})]:
        d += timedelta(days=1)
        case = act(people[role], case, action, d, payload)
    return case, d


def test_start_refuses_bad_input_other_roles_and_regions(people, enroll_many):
    enroll_many(1)
    with pytest.raises(Forbidden):
        review_start(actor=people["caseworker"], region_code=TOWNSHIP_A, year=2027, now=at(DAY))
    with pytest.raises(ValidationFailed) as exc:
        review_start(actor=people["county"], region_code=COUNTY, year="二〇二七", now=at(DAY))
    assert exc.value.details["field"] == "year" and "年度" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        review_start(actor=people["county"], region_code="3301", year=2027, now=at(DAY))
    assert exc.value.details["field"] == "region"
    with pytest.raises(ValidationFailed) as exc:
        review_start(actor=people["county"], region_code=VILLAGE_A, year=2027, now=at(DAY))
    assert exc.value.details["field"] == "region"
    with pytest.raises(NotFound):
        review_start(actor=people["county"], region_code="330102000000", year=2027, now=at(DAY))
    assert not Case.objects.exists() and not ReviewCampaign.objects.exists()


def test_due_rechecks_are_listed_then_opened_once(people, enroll_many):
    late = enroll_many(1, next_recheck=date(2026, 11, 1))
    soon = enroll_many(1, next_recheck=date(2026, 12, 20))
    enroll_many(1, next_recheck=date(2027, 6, 1))
    listed = review_due(actor=people["county"], region_code=COUNTY, now=at(DAY))
    assert (listed["due"], listed["overdue"], listed["created"]) == (2, 1, 0) and not Case.objects.exists()
    done = review_due(actor=people["county"], region_code=COUNTY, now=at(DAY), create=True)
    assert done["created"] == 2
    assert {c.enrollment_id: c.next_due for c in Case.objects.all()} == {late[0].pk: DAY,
                                                                         soon[0].pk: date(2026, 12, 20)}
    assert Case.objects.filter(campaign__isnull=True).count() == 2
    assert review_due(actor=people["county"], region_code=COUNTY, now=at(DAY), create=True)["created"] == 0
    assert Enrollment.objects.count() == 3


def test_policy_note_shows_the_applied_standard(people, county_checker):  # noqa: F811
    # given a county rural standard of 1350 from 2026-07-01, approved by another user and applied
    from jiuzhu.apps.enrollment.standard import standard_approve, standard_propose
    from jiuzhu.apps.enrollment.standard_apply import standard_apply
    from jiuzhu.apps.enrollment.standard_preview import standard_preview

    change = standard_propose(actor=people["county"], region_code=COUNTY, area_type="rural", amount="1350",
                              start_date=date(2026, 7, 1), source="县民政局关于调整城乡低保标准的通知（测试）")
    standard_preview(actor=people["county"], change_id=change.pk)
    standard_approve(actor=county_checker, change_id=change.pk)
    standard_apply(actor=county_checker, change_id=change.pk)
    # when the annual review starts in December
    campaign, _ = start(people)
    # then its note gives the standard in force then, not the policy file's 1301
    assert "农村低保标准 1350.00 元/月（自 2026-07-01 起）" in campaign.policy_note
