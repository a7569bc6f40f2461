"""/api/v1/cases/{id}/events: a case's audit events from the hash chain — readers of the audit log only,
the case in their region (404 from another township, checked before the role), paging, bad input."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.registry.services import household_create
from tests.apps.cases.flow import act, submit
from tests.bad_files import CHINESE
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker, household_data):
    household = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    case = submit(caseworker, household, day=date(2026, 12, 1))
    return act(caseworker, case, "request_verification", date(2026, 12, 2))


def url(case) -> str:
    return f"/api/v1/cases/{case.pk}/events"


def test_inspector_reads_the_case_events_with_names_hashes_and_local_time(client, bearer, inspector, caseworker, case):
    response = client.get(url(case), **bearer(inspector))
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [(e["action"], e["action_label"]) for e in items] == [("case.submit", "提交申请"),
                                                                 ("case.request_verification", "提请核对")]
    first = items[0]
    assert first["actor"] == caseworker.display_name and first["actor_username"] == caseworker.username
    assert first["at"].endswith("+08:00") and first["at"].startswith("2026-12-01T10:00:00")
    assert len(first["hash"]) == 64 and items[1]["prev_hash"] == first["hash"]
    assert isinstance(first["id"], str) and first["id"].isdigit()
    # paged oldest first
    page = client.get(url(case), {"limit": 1}, **bearer(inspector)).json()
    assert [e["action"] for e in page["items"]] == ["case.submit"] and page["next_after"] == first["id"]
    rest = client.get(url(case), {"after": page["next_after"]}, **bearer(inspector)).json()
    assert [e["action"] for e in rest["items"]] == ["case.request_verification"] and rest["next_after"] is None


def test_roles_without_the_audit_log_get_403_and_other_townships_404(client, bearer, caseworker, outsider, case):
    denied = client.get(url(case), **bearer(caseworker))
    assert denied.status_code == 403 and "timeline" in denied.json()["message"]
    attack = client.get(url(case), **bearer(outsider))
    assert attack.status_code == 404 and attack.json()["code"] == "not_found" and CHINESE.search(attack.json()["message"])
    assert client.get(f"/api/v1/cases/{case.pk + 999}/events", **bearer(outsider)).status_code == 404


@pytest.mark.parametrize(("params", "field"), [({"limit": 0}, "limit"), ({"after": "abc"}, "after"),
                                               ({"after": str(2**64)}, "after")])
def test_bad_paging_is_422_naming_the_field(client, bearer, inspector, case, params, field):
    response = client.get(url(case), params, **bearer(inspector))
    assert response.status_code == 422
    assert response.json()["details"]["errors"][0]["field"] == f"query.{field}"
    assert field in response.json()["message"]


def test_session_and_token_give_the_same_events(client, bearer, inspector, case):
    by_token = client.get(url(case), **bearer(inspector)).json()
    client.force_login(inspector)
    by_session = client.get(url(case)).json()
    assert by_session == by_token
