"""Issue 12 §1: a case accepted in December counts its deadlines into 2027 on a provisional (暂定)
calendar; importing the official 2027 schedule recomputes them in one operation, lists the moved
cases, flags them for their handler ("时限因放假安排调整") and is idempotent."""

from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.selectors import my_tasks
from jiuzhu.apps.workcalendar.services import calendar_import
from tests.apps.test_workcalendar import official_2027
from tests.conftest import AS_OF

from .flow import act, at, submit, verification

pytestmark = pytest.mark.django_db
D = date


@pytest.fixture
def household_factory(caseworker, household_data):
    from jiuzhu.apps.registry.services import household_create

    return lambda: household_create(actor=caseworker, data=household_data(), as_of=AS_OF)


def _deadlines(case):
    return {d.step: (d.due, d.provisional) for d in case.deadlines.all()}


def _december_case(people, household):
    """Submitted Monday 2026-12-07; verification requested on 12-08: the overall 20 wd reach 2027."""
    cw, county = people["caseworker"], people["county"]
    case = submit(cw, household, day=D(2026, 12, 7))
    case = act(cw, case, "request_verification", D(2026, 12, 8))
    return act(county, case, "record_verification", D(2026, 12, 9), verification())


def test_a_deadline_counted_into_a_year_without_official_schedule_is_provisional(people, household):
    # given / when
    case = _december_case(people, household)
    deadlines = _deadlines(case)
    # then the overall limit (20 wd after 12-08, 元旦 off) falls on 2027-01-06 and says 暂定
    assert deadlines["overall"] == (D(2027, 1, 6), True)
    # and a deadline that stays in 2026 is not provisional
    assert deadlines["acceptance"] == (D(2026, 12, 14), False)


def test_importing_the_official_schedule_moves_the_deadlines_and_flags_the_case(people, household, caseworker):
    # given a December case whose overall deadline is provisional
    case = _december_case(people, household)
    # when the official 2027 schedule is imported with 元旦 1–3 January off (2 days more than provisional)
    result = calendar_import(actor=None, text=official_2027(), filename="2027.csv")
    # then the overall deadline moves by the extra day off (Sat/Sun 2–3 Jan are weekends anyway: no move)
    case.refresh_from_db()
    assert _deadlines(case)["overall"] == (D(2027, 1, 6), False)
    assert result.moved == []  # same date, only the provisional flag went away


def test_a_moved_due_date_is_listed_audited_and_flagged(people, household):
    # given a case accepted on Wednesday 2027-02-03: its survey (3 wd) crosses the provisional 春节
    cw, county = people["caseworker"], people["county"]
    case = submit(cw, household, day=D(2027, 1, 29))
    case = act(cw, case, "request_verification", D(2027, 2, 1))
    case = act(county, case, "record_verification", D(2027, 2, 2), verification())
    case = act(cw, case, "accept", D(2027, 2, 3))
    # provisional 5–10 Feb off: 2/4, 2/11, 2/12
    assert _deadlines(case)["survey"] == (D(2027, 2, 12), True)
    # when the official schedule (5–11 Feb off, Sunday 14 Feb a make-up workday) is imported on 2027-01-20
    result = calendar_import(actor=None, text=official_2027(), filename="2027.csv", now=at(D(2027, 1, 20)))
    # then the survey is due 2/4, 2/12, 2/14 → 2027-02-14, no longer provisional
    case.refresh_from_db()
    assert _deadlines(case)["survey"] == (D(2027, 2, 14), False)
    moved = [m for m in result.moved if m["id"] == case.pk and m["step"] == "survey"]
    assert moved == [{"kind": "case", "id": case.pk, "number": case.number, "region": case.region_id,
                      "step": "survey", "from": "2027-02-12", "to": "2027-02-14"}]
    assert case.deadline_moved_on == D(2027, 1, 20)
    assert (case.next_step, case.next_due) == ("survey", D(2027, 2, 14))
    events = AuditEvent.objects.filter(action="case.deadline_moved", subject_id=str(case.pk))
    assert ("survey", "2027-02-12", "2027-02-14") in [(e.details["step"], e.details["from"], e.details["to"])
                                                      for e in events]


def test_import_reconciles_in_one_pass_lists_every_moved_case_and_is_idempotent(people, household_factory):
    # given three cases accepted on 2027-01-27 (a provisional year): survey due 5 wd later
    cw, county = people["caseworker"], people["county"]
    cases = []
    for i in range(3):
        hh = household_factory()
        case = submit(cw, hh, day=D(2027, 1, 25))
        case = act(cw, case, "request_verification", D(2027, 1, 25))
        case = act(county, case, "record_verification", D(2027, 1, 26), verification())
        cases.append(act(cw, case, "accept", D(2027, 1, 27)))
    # the overall limit (20 wd after 1/25) crosses 春节: provisional 5–10 Feb off → 2027-02-26
    assert {c.pk: _deadlines(c)["overall"] for c in cases} == {c.pk: (D(2027, 2, 26), True) for c in cases}
    # when the official schedule (5–11 Feb off, 2/14 and 2/20 make-up workdays) is imported
    result = calendar_import(actor=None, text=official_2027(), filename="2027.csv")
    # then each case's overall deadline is recomputed and listed
    for c in cases:
        c.refresh_from_db()
        # official: 2/11 off, but Sunday 2/14 and Saturday 2/20 are workdays → 2027-02-25
        assert _deadlines(c)["overall"] == (D(2027, 2, 25), False)
        assert c.deadline_moved_on is not None
    listed = {m["id"] for m in result.moved if m["kind"] == "case"}
    assert listed == {c.pk for c in cases}
    assert AuditEvent.objects.filter(action="case.deadline_moved").count() == 3
    # and a handler's task list flags them
    tasks = {t.pk: t for t in my_tasks(actor=cw)}
    assert all(tasks[c.pk].deadline_moved_on is not None for c in cases)
    # and importing again changes nothing
    again = calendar_import(actor=None, text=official_2027(), filename="2027.csv")
    assert not again.changed and again.moved == []
    assert AuditEvent.objects.filter(action="case.deadline_moved").count() == 3
    # and the next action clears the flag
    case = act(cw, cases[0], "record_survey", D(2027, 1, 28), {"date": "2027-01-28", "investigators": ["王经办", "陈协理"],
                                                                "living_conditions": "砖混住房", "findings": "属实"})
    assert Case.objects.get(pk=case.pk).deadline_moved_on is None


def test_the_case_page_shows_provisional_and_moved(people, household, client):
    # given a December case
    case = _december_case(people, household)
    client.force_login(people["caseworker"])
    # when the caseworker opens it
    page = client.get(f"/cases/{case.pk}/").content.decode()
    # then the 2027 deadline says 暂定 with the reason
    assert "暂定" in page and 'id="provisional-note"' in page
    assert 'id="deadline-moved"' not in page
    # and the API says provisional too
    from jiuzhu.api.cases import case_out
    out = case_out(case, people["caseworker"], D(2026, 12, 9))
    assert {d["step"]: d["provisional"] for d in out["deadlines"]}["overall"] is True
