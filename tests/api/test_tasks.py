"""/api/v1/tasks: my tasks (工作台) — role, region scope (township B must never see township A), order."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiuzhu.apps.registry.services import household_create
from tests.apps.cases.flow import act, submit, verification
from tests.conftest import AS_OF, TOWNSHIP_A, VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db
URL = "/api/v1/tasks"
DAY = date(2026, 12, 1)


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def cases_a(caseworker, county_user, household_data):
    """Two cases in township A: one submitted (caseworker's task), one verifying (county's task)."""
    first = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    second = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    submitted = submit(caseworker, first, day=DAY)
    verifying = act(caseworker, submit(caseworker, second, day=DAY), "request_verification", DAY)
    return submitted, verifying


def test_caseworker_gets_the_cases_waiting_for_their_role_earliest_due_first(client, bearer, caseworker, cases_a):
    submitted, verifying = cases_a
    # when
    response = client.get(URL, **bearer(caseworker))
    # then only the case waiting for a caseworker, with its next step and due date
    assert _ids(response) == [str(submitted.pk)]
    item = response.json()["items"][0]
    assert item["state"] == "submitted" and item["next_step"] == "request_verification"
    assert item["next_due"] == submitted.next_due.isoformat() and item["overdue"] is False
    assert item["region"] == VILLAGE_A and item["applicant_name"] and item["number"] == submitted.number


def test_county_gets_the_verification_task_of_every_township(client, bearer, county_user, cases_a):
    _, verifying = cases_a
    assert _ids(client.get(URL, **bearer(county_user))) == [str(verifying.pk)]
    # after the county records the verification the task moves back to the township
    act(county_user, verifying, "record_verification", date(2026, 12, 2), verification())
    assert _ids(client.get(URL, **bearer(county_user))) == []


def test_township_b_never_sees_township_a_tasks(client, bearer, caseworker, outsider, cases_a, household_data):
    # given a case in township B as well
    hh_b = household_create(actor=outsider, data=household_data(region=VILLAGE_B), as_of=AS_OF)
    case_b = submit(outsider, hh_b, day=DAY)
    submitted_a, verifying_a = cases_a
    headers_b = bearer(outsider)
    # when township B asks, also trying to widen the scope through the query string
    plain = _ids(client.get(URL, **headers_b))
    widened = _ids(client.get(URL, {"region": TOWNSHIP_A, "region_code": TOWNSHIP_A, "role": "county_staff"},
                              **headers_b))
    # then only its own case, and township A's case stays invisible (404, not 403) on the case page too
    assert plain == widened == [str(case_b.pk)]
    assert client.get(f"/api/v1/cases/{submitted_a.pk}", **headers_b).status_code == 404
    # and township A does not get township B's case
    assert str(case_b.pk) not in _ids(client.get(URL, **bearer(caseworker)))


def test_village_assistant_gets_surveys_of_their_village_only(client, bearer, caseworker, county_user, village_user,
                                                               household_data):
    hh = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    case = act(caseworker, submit(caseworker, hh, day=DAY), "request_verification", DAY)
    case = act(county_user, case, "record_verification", date(2026, 12, 2), verification())
    headers = bearer(village_user)
    assert _ids(client.get(URL, **headers)) == []
    case = act(caseworker, case, "accept", date(2026, 12, 3))
    assert _ids(client.get(URL, **headers)) == [str(case.pk)]


def test_needs_a_token_and_a_sane_limit(client, bearer, caseworker):
    assert client.get(URL).status_code == 401
    headers = bearer(caseworker)
    for bad in (0, 201, "x"):
        response = client.get(URL, {"limit": bad}, **headers)
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
    assert client.get(URL, {"limit": 1}, **headers).status_code == 200


def test_a_task_due_in_a_provisional_year_says_so(client, caseworker, county_user, household, bearer):
    """Issue 12 §1: the task list marks a next due date counted over a year without official schedule."""
    from datetime import date

    from tests.apps.cases.flow import act, submit, verification

    # given a case accepted on 2027-02-03 (survey due 2027-02-12 on the provisional calendar)
    case = submit(caseworker, household, day=date(2027, 1, 29))
    case = act(caseworker, case, "request_verification", date(2027, 2, 1))
    case = act(county_user, case, "record_verification", date(2027, 2, 2), verification())
    act(caseworker, case, "accept", date(2027, 2, 3))
    # when the caseworker lists their tasks
    items = client.get("/api/v1/tasks", **bearer(caseworker)).json()["items"]
    # then the task says its due date is provisional
    task = next(t for t in items if t["id"] == str(case.pk))
    assert (task["next_due"], task["next_due_provisional"], task["deadline_moved_on"]) == ("2027-02-12", True, None)


def test_a_recheck_due_in_2027_counts_calendar_days_and_is_not_provisional(client, caseworker, household, bearer):
    """Issue 12 §1: 暂定 comes from the deadline, not from its year: a recheck's calendar-day limit never
    depends on a holiday schedule."""
    from jiuzhu.apps.cases.scheduling import schedule_recheck
    from tests.apps.cases.flow import at
    from tests.apps.enrollment.lifecycle_helpers import make_enrollment

    # given a recheck due on 2027-01-05 (calendar days)
    enrollment = make_enrollment(household)
    case, _ = schedule_recheck(actor=caseworker, enrollment=enrollment, due=date(2027, 1, 5), reason="年审",
                               now=at(date(2026, 12, 7)))
    # when the caseworker lists their tasks
    items = client.get("/api/v1/tasks", **bearer(caseworker)).json()["items"]
    # then the task is due 2027-01-05 and not marked provisional
    task = next(t for t in items if t["id"] == str(case.pk))
    assert (task["next_due"], task["next_due_provisional"]) == ("2027-01-05", False)


def test_a_task_whose_next_action_is_blocked_says_what_it_waits_for(client, bearer, caseworker, outsider,
                                                                     household_data):
    """Issue 13 §1: a case whose next action a guard blocks is listed as waiting, with the reason."""
    # given one case submitted without 一证一书 and one with it
    waiting = submit(caseworker, household_create(actor=caseworker, data=household_data(), as_of=AS_OF), day=DAY,
                     id_checked=False, authorization_signed=False)
    ready = submit(caseworker, household_create(actor=caseworker, data=household_data(), as_of=AS_OF), day=DAY)
    # when the caseworker lists their tasks
    items = {t["id"]: t for t in client.get(URL, **bearer(caseworker)).json()["items"]}
    # then the first waits for 一证一书 (the guard's message), the second is actionable
    assert items[str(waiting.pk)]["waiting"] == ("尚未签署委托授权书（一证一书），不能提请核对。"
                                                 "需要：登记一证一书或上传委托授权书扫描件")
    assert items[str(ready.pk)]["waiting"] == ""
    # and once 一证一书 is recorded the case is actionable again
    act(caseworker, waiting, "record_id_authorization", DAY, {"id_checked": True, "authorization_signed": True})
    items = {t["id"]: t for t in client.get(URL, **bearer(caseworker)).json()["items"]}
    assert items[str(waiting.pk)]["waiting"] == "" and items[str(waiting.pk)]["next_step"] == "request_verification"
    # and township B sees neither
    assert _ids(client.get(URL, **bearer(outsider))) == []


def test_a_case_in_its_notice_waits_for_the_end_of_the_notice(client, bearer, caseworker, county_user, household):
    from tests.apps.cases.flow import SURVEY

    case = act(caseworker, submit(caseworker, household, day=DAY), "request_verification", DAY)
    case = act(county_user, case, "record_verification", DAY, verification())
    case = act(caseworker, case, "accept", DAY)
    case = act(caseworker, case, "record_survey", DAY, {**SURVEY, "date": DAY.isoformat()})
    case = act(caseworker, case, "initial_review", DAY, {"opinion": "grant"})
    case = act(caseworker, case, "publish_notice", DAY)
    # while the notice runs (read on a day inside it, whatever the suite's business date)
    with time_machine.travel(datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        task = next(t for t in client.get(URL, **bearer(caseworker)).json()["items"] if t["id"] == str(case.pk))
    assert (task["next_step"], task["next_due"], task["overdue"]) == ("notice_period", "2026-12-08", False)
    assert task["waiting"] == "公示期未满（公示至 2026-12-08），2026-12-09 起方可结束公示"
    # and on the first day the notice may be closed (the daily job not run yet) nothing waits and nothing is late
    with time_machine.travel(datetime(2026, 12, 9, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        headers = bearer(caseworker)
        task = next(t for t in client.get(URL, **headers).json()["items"] if t["id"] == str(case.pk))
        detail = client.get(f"/api/v1/cases/{case.pk}", **headers).json()
    assert (task["waiting"], task["overdue"]) == ("", False)
    assert "close_notice" in detail["allowed_actions"] and detail["blocked"] == []
