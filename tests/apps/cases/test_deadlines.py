"""Deadlines on the work calendar across the 2026 National Day holiday; extension; overdue and 督办.

2026: 10-01…10-07 holiday, Saturday 10-10 a make-up workday (seeded from chinesecalendar). Working
days after 09-29: 09-30, 10-08, 10-09, 10-10, 10-12, 10-13, 10-14 … (no other holiday until 2027).
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.jobs import cases_mark_overdue
from jiuzhu.apps.cases.models import WorkflowSetting
from jiuzhu.apps.cases.selectors import my_tasks, supervision_list
from jiuzhu.apps.registry.services import household_create
from jiuzhu.apps.workcalendar.selectors import add_workdays
from jiuzhu.rules.errors import Conflict, ValidationFailed
from tests.conftest import AS_OF, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_B

from .flow import MEETING, REJECT, SURVEY, act, submit, to_confirmation, verification, workflow_setting

pytestmark = pytest.mark.django_db
D = date


def _due(case):
    return {d.step: d.due for d in case.deadlines.all()}


def test_every_due_date_counts_working_days_across_national_day(people, household):
    cw, county, reviewer = people["caseworker"], people["county"], people["reviewer"]
    assert add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)  # the CLI's reference value
    # given a case submitted on Tuesday 2026-09-29, just before the holiday
    case = submit(cw, household, day=D(2026, 9, 29))
    assert _due(case) == {"request_verification": D(2026, 10, 9)}
    assert not case.deadlines.filter(step="overall").exists()
    # when each step is taken (10-10 is a Saturday make-up workday)
    steps = [
        (cw, "request_verification", D(2026, 9, 30), {}, {"verification_report": D(2026, 10, 13),
                                                          "overall": D(2026, 11, 3)}),
        (county, "record_verification", D(2026, 10, 8), verification(), {"acceptance": D(2026, 10, 12)}),
        (cw, "accept", D(2026, 10, 9), {}, {"survey": D(2026, 10, 13)}),
        (cw, "record_survey", D(2026, 10, 10), SURVEY, {"initial_review": D(2026, 10, 14)}),
        (cw, "initial_review", D(2026, 10, 12), {"opinion": "grant"}, {"publish_notice": D(2026, 10, 13)}),
        (cw, "publish_notice", D(2026, 10, 13), {}, {"notice_period": D(2026, 10, 20)}),  # 7 calendar days
        (cw, "close_notice", D(2026, 10, 21), {}, {"confirmation": D(2026, 10, 26)}),
        (reviewer, "confirm", D(2026, 10, 23), MEETING, {"county_filing": D(2026, 10, 30)}),
    ]
    for actor, action, day, payload, created in steps:
        case = act(actor, case, action, day, payload)
        # then each deadline the step creates is due on the expected working day
        for step, due in created.items():
            assert case.deadlines.get(step=step).due == due, (action, step)
    # and every deadline keeps the calendar version it was computed with
    version = config.calendar_version()
    assert version.startswith("23y") and case.calendar_version == version
    assert set(case.deadlines.values_list("calendar_version", flat=True)) == {version}
    # and the overall clock (20 wd) started at request_verification and was met at confirm
    overall = case.deadlines.get(step="overall")
    assert (overall.starts_on, overall.amount, overall.status, overall.met_on) == (
        D(2026, 9, 30), 20, "met", D(2026, 10, 23))
    assert set(case.deadlines.exclude(step="county_filing").values_list("status", flat=True)) == {"met"}


def test_extend_moves_overall_to_30_wd_once_with_a_listed_reason(people, household):
    cw = people["caseworker"]
    case = submit(cw, household, day=D(2026, 9, 29))
    # given extension before the overall clock runs is refused
    with pytest.raises(Conflict) as early:
        act(cw, case, "extend", D(2026, 9, 29), {"reason_code": "complex_household"})
    assert early.value.code == "case.overall_not_started" and "尚未起算" in early.value.message
    case = act(cw, case, "request_verification", D(2026, 9, 30))
    # when a reason outside the list is given
    with pytest.raises(ValidationFailed) as bad:
        act(cw, case, "extend", D(2026, 10, 8), {"reason_code": "busy"})
    assert bad.value.details["field"] == "reason_code" and bad.value.message.startswith("延期原因：取值无效")
    # when extended with a listed reason
    case = act(cw, case, "extend", D(2026, 10, 8), {"reason_code": "cross_region_verification", "note": "外省存款"})
    # then the overall limit is 30 wd from the same start, the state is unchanged, the reason audited
    overall = case.deadlines.get(step="overall")
    assert (overall.amount, overall.starts_on, overall.due) == (30, D(2026, 9, 30), D(2026, 11, 17))
    assert case.state == "verifying" and case.extended
    audit = AuditEvent.objects.filter(action="case.extend").get()
    assert audit.reason == "需跨地区核对经济状况：外省存款"
    # and a second extension is refused
    version = case.version
    with pytest.raises(Conflict) as again:
        act(cw, case, "extend", D(2026, 10, 9), {"reason_code": "force_majeure"})
    assert again.value.code == "case.already_extended" and "不能再次延长" in again.value.message
    case.refresh_from_db()
    assert case.version == version


def test_step_limits_come_from_the_region_settings(people, household):
    # given township A allows only 2 wd to request verification and 15 wd overall
    workflow_setting(TOWNSHIP_A, step_limits={"request_verification": 2}, overall_limit_wd=15)
    # when
    case = submit(people["caseworker"], household, day=D(2026, 9, 29))
    case = act(people["caseworker"], case, "request_verification", D(2026, 9, 30))
    # then
    assert case.deadlines.get(step="request_verification").due == D(2026, 10, 8)
    assert case.deadlines.get(step="overall").due == D(2026, 10, 27)


@pytest.fixture
def late_cases(people, household, outsider, household_data):
    """Township A: one case submitted 09-29 and left alone; township B: the same."""
    a = submit(people["caseworker"], household, day=D(2026, 9, 29))
    hh_b = household_create(actor=outsider, data=household_data(region=VILLAGE_B), as_of=AS_OF)
    b = submit(outsider, hh_b, day=D(2026, 9, 29))
    return a, b


def test_mark_overdue_is_idempotent_and_feeds_supervision(people, outsider, late_cases):
    a, b = late_cases
    # given the day the request is due nothing is late yet
    assert cases_mark_overdue(today=D(2026, 10, 9)) == {"deadlines": 0, "cases": 0, "handed_over": 0}
    # when the job runs the next day, twice
    first = cases_mark_overdue(today=D(2026, 10, 10))
    second = cases_mark_overdue(today=D(2026, 10, 10))
    # then both cases' request deadlines are overdue, and the second run changes nothing
    assert first == {"deadlines": 2, "cases": 2, "handed_over": 0} and second == {"deadlines": 0, "cases": 0, "handed_over": 0}
    a.refresh_from_db()
    assert a.overdue and a.deadlines.get(step="request_verification").status == "overdue"
    # and the county sees both, counted by township; each township sees only its own
    cases, counts = supervision_list(actor=people["county"])
    assert [c.pk for c in cases] == [a.pk, b.pk]
    assert counts == [{"township": TOWNSHIP_A, "n": 1}, {"township": TOWNSHIP_B, "n": 1}]
    cases_b, counts_b = supervision_list(actor=outsider)
    assert [c.pk for c in cases_b] == [b.pk] and counts_b == [{"township": TOWNSHIP_B, "n": 1}]
    assert a.pk not in [c.pk for c in my_tasks(actor=outsider)]


def test_late_step_clears_overdue_but_stays_late(people, late_cases):
    a, b = late_cases
    cases_mark_overdue(today=D(2026, 10, 12))
    # when the caseworker finally requests verification
    a = act(people["caseworker"], a, "request_verification", D(2026, 10, 12))
    # then the step is met late and the case leaves the supervision list
    step = a.deadlines.get(step="request_verification")
    assert step.status == "met" and step.late and not a.overdue
    assert [c.pk for c in supervision_list(actor=people["county"])[0]] == [b.pk]


def test_closed_case_with_a_late_denial_letter_is_supervised(people, household):
    # given a rejected case
    case, d = to_confirmation(people, household, D(2026, 10, 12))
    case = act(people["reviewer"], case, "reject", D(2026, 10, 30), REJECT)
    assert not case.is_open and case.task_role == "township_caseworker"
    assert case.deadlines.get(step="denial_letter").due == D(2026, 11, 4)
    # when the letter is not delivered in 3 wd
    cases_mark_overdue(today=D(2026, 11, 5))
    # then the county sees the case until the letter is delivered
    assert [c.pk for c in supervision_list(actor=people["county"])[0]] == [case.pk]
    case = act(people["caseworker"], case, "deliver_denial", D(2026, 11, 5), {"date": "2026-11-05", "method": "mail"})
    assert not case.overdue and case.task_role == "" and supervision_list(actor=people["county"])[0] == []


def test_region_settings_outside_the_national_bounds_are_refused(regions):
    # given a delegated township asking for 25 wd overall and a 6-wd verification request
    row = WorkflowSetting(region_id=TOWNSHIP_A, confirmation_level="township", overall_limit_wd=25,
                          overall_limit_extended_wd=30, step_limits={"request_verification": 6})
    # when an administrator saves it
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    # then both fields are named with the national bound (R-WF-14)
    assert exc.value.message_dict == {"overall_limit_wd": ["总办理时限应在 1 至 20 个工作日之间"],
                                      "step_limits": ["环节时限应为 1 至 3 的整数"]}
    row.confirmation_level = "county"  # national default: 30 wd
    row.step_limits = {}
    row.full_clean()
