"""/api/v1/cases (GET list, POST /search) and /api/v1/cases/overdue (督办): filters as the case-list page
(township, village, program, state, overdue, date range), keyset paging, bad input (422 naming the field),
a township outside the caller's region (404), township B never sees township A."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.cases.jobs import cases_mark_overdue
from jiuzhu.apps.registry.services import household_create
from tests.apps.cases.flow import act, submit
from tests.bad_files import CHINESE
from tests.conftest import AS_OF, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A, VILLAGE_A2, VILLAGE_B

from .conftest import post_json

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases"
TODAY = date(2026, 12, 7)


@pytest.fixture
def cases(caseworker, outsider, household_data):
    """Township A: an old submitted case in village A (overdue), a newer one in village A2 now verifying, and a
    tekun case in village A; township B: one case."""
    def household(actor, region):
        return household_create(actor=actor, data=household_data(region=region), as_of=AS_OF)

    old = submit(caseworker, household(caseworker, VILLAGE_A), day=date(2026, 11, 2))
    newer = act(caseworker, submit(caseworker, household(caseworker, VILLAGE_A2), day=date(2026, 12, 3)),
                "request_verification", date(2026, 12, 4))
    tekun = submit(caseworker, household(caseworker, VILLAGE_A), program="tekun", day=date(2026, 12, 4))
    other = submit(outsider, household(outsider, VILLAGE_B), day=date(2026, 12, 4))
    cases_mark_overdue(today=TODAY)
    return {"old": old, "newer": newer, "tekun": tekun, "other": other}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["items"]]


def s(*cases) -> list[str]:
    return [str(c.pk) for c in cases]


def test_list_filters_like_the_case_list_page(client, bearer, caseworker, cases):
    headers = bearer(caseworker)
    old, newer, tekun = cases["old"], cases["newer"], cases["tekun"]
    # newest first, only township A
    assert ids(client.get(URL, **headers)) == s(tekun, newer, old)
    assert ids(client.get(URL, {"village": VILLAGE_A2}, **headers)) == s(newer)
    assert ids(client.get(URL, {"township": TOWNSHIP_A, "program": "tekun"}, **headers)) == s(tekun)
    assert ids(client.get(URL, {"state": "verifying"}, **headers)) == s(newer)
    assert ids(client.get(URL, {"overdue": "true"}, **headers)) == s(old)
    assert ids(client.get(URL, {"overdue": "false"}, **headers)) == s(tekun, newer)
    assert ids(client.get(URL, {"submitted_from": "2026-12-03", "submitted_to": "2026-12-03"}, **headers)) == s(newer)
    assert ids(client.get(URL, {"submitted_to": "2026-11-30"}, **headers)) == s(old)
    # a row: ids as digit strings, labels, time with +08:00
    row = client.get(URL, {"state": "verifying"}, **headers).json()["items"][0]
    assert row["household"] == str(newer.household_id) and row["applicant"] == str(newer.applicant_id)
    assert row["state_label"] == "核对中" and row["region"] == VILLAGE_A2 and row["region_name"]
    assert row["submitted_at"] == "2026-12-03T10:00:00+08:00" and row["next_step"] == "verification_report"


def test_keyset_paging_and_search_in_the_body(client, bearer, caseworker, cases):
    headers = bearer(caseworker)
    first = client.get(URL, {"limit": 2}, **headers).json()
    assert [c["id"] for c in first["items"]] == s(cases["tekun"], cases["newer"])
    assert first["next_after"] == str(cases["newer"].pk)
    second = client.get(URL, {"limit": 2, "after": first["next_after"]}, **headers).json()
    assert [c["id"] for c in second["items"]] == s(cases["old"]) and second["next_after"] is None
    # the same filters in a POST body (the applicant's name stays out of the URL)
    name = cases["newer"].applicant.name
    found = post_json(client, f"{URL}/search", {"name": name, "program": "dibao"}, headers)
    assert str(cases["newer"].pk) in ids(found) and str(cases["tekun"].pk) not in ids(found)


@pytest.mark.parametrize(("params", "field"), [
    ({"state": "flying"}, "state"), ({"program": "welfare"}, "program"), ({"township": "33012710000"}, "township"),
    ({"submitted_from": "2026-13-01"}, "submitted_from"), ({"limit": 0}, "limit"), ({"after": "x"}, "after"),
    ({"submitted_from": "2026-12-05", "submitted_to": "2026-12-01"}, "submitted_to"),
    ({"submitted_to": "9999-12-31"}, "submitted_to"), ({"overdue": "maybe"}, "overdue"),
])
def test_bad_filters_are_422_naming_the_field(client, bearer, caseworker, cases, params, field):
    response = client.get(URL, params, **bearer(caseworker))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error" and field in body["message"] and CHINESE.search(body["message"])
    assert [e["field"] for e in body["details"]["errors"]] == [f"query.{field}"]
    assert all(CHINESE.search(e["message"]) for e in body["details"]["errors"])


def test_township_b_never_sees_township_a(client, bearer, outsider, cases):
    headers = bearer(outsider)
    assert ids(client.get(URL, **headers)) == s(cases["other"])
    # naming township A or one of its villages is "not found", never an empty page
    for params in ({"township": TOWNSHIP_A}, {"village": VILLAGE_A}, {"township": VILLAGE_B}):
        attack = client.get(URL, params, **headers)
        assert attack.status_code == 404 and attack.json()["code"] == "region.not_found", params
        assert CHINESE.search(attack.json()["message"])
    assert ids(client.get(URL, {"township": TOWNSHIP_B}, **headers)) == s(cases["other"])
    body = post_json(client, f"{URL}/search", {"township": TOWNSHIP_A}, headers)
    assert body.status_code == 404


def test_overdue_list_for_the_county_with_counts_by_township(client, bearer, county_user, inspector, caseworker,
                                                            cases):
    # the county sees the overdue case of township A and the count per township
    response = client.get(f"{URL}/overdue", **bearer(county_user))
    assert ids(response) == s(cases["old"])
    assert response.json()["by_township"] == [{"township": TOWNSHIP_A, "township_name": "千岛湖镇", "overdue": 1}]
    assert ids(client.get(f"{URL}/overdue", **bearer(inspector))) == s(cases["old"])
    # a township caseworker: 403 with the way to their own overdue cases
    denied = client.get(f"{URL}/overdue", **bearer(caseworker))
    assert denied.status_code == 403 and "overdue=true" in denied.json()["message"]
    bad = client.get(f"{URL}/overdue", {"limit": 100000}, **bearer(county_user))
    assert bad.status_code == 422 and bad.json()["details"]["errors"][0]["field"] == "query.limit"


def test_the_web_session_reads_the_list_like_a_token(client, caseworker, cases):
    # given the caseworker logged in on the web (no token)
    client.force_login(caseworker)
    # when the case page's script reads the list
    response = client.get(URL, {"village": VILLAGE_A2})
    # then the session is accepted and scoped the same way
    assert ids(response) == s(cases["newer"])
    client.logout()
    assert client.get(URL).status_code == 401
