"""/api/v1/cases/{id}/evaluation: the engine's proposal before the initial opinion — read-only (state,
version, records and audit unchanged), the same figures the initial review then records; scope (404)."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case, CaseEvent, CaseRecord
from jiuzhu.apps.registry.services import household_create
from tests.apps.cases.conftest import people  # noqa: F401
from tests.apps.cases.flow import act, to_surveyed
from tests.bad_files import CHINESE
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def surveyed(people, household_data):
    household = household_create(actor=people["caseworker"], data=household_data(), as_of=AS_OF)
    case, day = to_surveyed(people, household, date(2026, 11, 2))
    return case, day


def snapshot():
    return (list(Case.objects.values()), CaseEvent.objects.count(), CaseRecord.objects.count(),
            AuditEvent.objects.count())


def test_evaluation_is_read_only_and_matches_the_initial_review(client, bearer, people, surveyed):
    case, day = surveyed
    headers = bearer(people["caseworker"])
    before = snapshot()
    # when the caseworker asks what the engine proposes
    response = client.get(f"/api/v1/cases/{case.pk}/evaluation", **headers)
    # then the proposal, and nothing changed
    assert response.status_code == 200, response.content
    body = response.json()
    assert snapshot() == before
    assert body["case"] == str(case.pk) and body["state"] == "surveyed" and body["version"] == case.version
    assert body["as_of"] == "2026-12-07" and body["status"] and body["reasons"] is not None
    assert body["request"]["program"] == "dibao" and body["result"]["status"] == body["status"]
    # the initial review records the same proposal
    reviewed = act(people["caseworker"], case, "initial_review", date(2026, 12, 7), {"opinion": "grant"})
    assert reviewed.proposal["result"]["status"] == body["status"]
    assert reviewed.proposal["result"]["monthly_amount"] == body["monthly_amount"]


def test_other_township_gets_404_and_bad_ids_422(client, bearer, people, surveyed):
    case, _ = surveyed
    attack = client.get(f"/api/v1/cases/{case.pk}/evaluation", **bearer(people["outsider"]))
    assert attack.status_code == 404 and CHINESE.search(attack.json()["message"])
    bad = client.get("/api/v1/cases/abc/evaluation", **bearer(people["caseworker"]))
    assert bad.status_code == 422 and "case_id" in bad.json()["message"]


def test_session_reads_the_evaluation(client, people, surveyed):
    case, _ = surveyed
    client.force_login(people["caseworker"])
    assert client.get(f"/api/v1/cases/{case.pk}/evaluation").status_code == 200
