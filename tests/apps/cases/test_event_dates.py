"""Issue 12 §3.7 "Dates of past events": a meeting, survey or verification dated after the action's day
is refused with the field named, and nothing changes. "Today" is the action's ``now``, never the clock."""

from datetime import date, timedelta

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case
from jiuzhu.rules.errors import ValidationFailed

from .flow import MEETING, REJECT, SURVEY, act, submit, to_confirmation, verification

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)
TOMORROW = (DAY + timedelta(days=1)).isoformat()


def _accepted(people, household):
    case = submit(people["caseworker"], household, day=DAY)
    case = act(people["caseworker"], case, "request_verification", DAY)
    case = act(people["county"], case, "record_verification", DAY, verification())
    return act(people["caseworker"], case, "accept", DAY)


def _verification_requested(people, household):
    case = submit(people["caseworker"], household, day=DAY)
    return act(people["caseworker"], case, "request_verification", DAY)


def _awaiting_confirmation(people, household):
    case, _ = to_confirmation(people, household, DAY - timedelta(days=20))
    return case


def _item(household, as_of):
    return {"member": household.head_id, "source": "人社部门", "item": "wage", "amount": "1000.00", "as_of": as_of}

CASES = [
    # (what, reach the state, actor, action, payload(household), field named, Chinese title)
    ("survey dated tomorrow", _accepted, "caseworker", "record_survey", lambda hh: {**SURVEY, "date": TOMORROW},
     "date", "调查日期"),
    ("verification data dated tomorrow", _verification_requested, "county", "record_verification",
     lambda hh: {"items": [_item(hh, TOMORROW)], "conclusion": "consistent"}, "items[0].as_of", "数据日期"),
    ("confirmation meeting tomorrow", _awaiting_confirmation, "reviewer", "confirm",
     lambda hh: {**MEETING, "meeting_date": TOMORROW}, "meeting_date", "审核确认会日期"),
    ("rejection meeting tomorrow", _awaiting_confirmation, "reviewer", "reject",
     lambda hh: {**REJECT, "meeting_date": TOMORROW}, "meeting_date", "审核确认会日期"),
]


@pytest.mark.parametrize("what, reach, role, action, payload, field, title", CASES, ids=[c[0] for c in CASES])
def test_meeting_survey_and_verification_dates_in_the_future_are_refused_with_the_field_named(
        people, household, what, reach, role, action, payload, field, title):
    # given a case where the action is due
    case = reach(people, household)
    before = (Case.objects.get(pk=case.pk).version, AuditEvent.objects.count())
    # when the action is recorded on DAY with an event dated the day after
    with pytest.raises(ValidationFailed) as exc:
        act(people[role], case, action, DAY, payload(household))
    # then it is refused naming the field, in Chinese, and nothing changes
    assert exc.value.code == "payload.invalid"
    assert exc.value.details["field"] == field
    assert exc.value.message == f"{title}：不能晚于办理当日 {DAY.isoformat()}"
    assert (Case.objects.get(pk=case.pk).version, AuditEvent.objects.count()) == before


def test_an_event_dated_on_the_action_day_is_accepted(people, household):
    # given an accepted case, when the survey is dated the day it is recorded, then it is recorded
    case = _accepted(people, household)
    case = act(people["caseworker"], case, "record_survey", DAY, {**SURVEY, "date": DAY.isoformat()})
    assert case.state == "surveyed"
