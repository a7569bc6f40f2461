"""临时救助 through the API (``POST /api/v1/cases`` with program ``temporary``) (issue 14 §0)."""

from __future__ import annotations

import pytest

from jiuzhu.apps.cases.models import Case
from tests.conftest import VILLAGE_A

from .conftest import post_json

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases"
EMERGENCY = {"kind": "emergency", "category": "traffic", "circumstance": "交通事故致家庭主要劳动力受伤",
             "occurred_on": "2026-12-05", "place_region": VILLAGE_A, "need": "800"}


def _create(client, headers, household, intake=EMERGENCY):
    return post_json(client, URL, {"program": "temporary", "household": str(household.pk),
                                   "applicant": str(household.head_id), "channel": "window", "intake": intake}, headers)


def test_api_opens_and_pays_first(client, bearer, caseworker, household):
    headers = bearer(caseworker)
    r = _create(client, headers, household)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["program"] == "temporary" and body["state"] == "accepted"
    assert "ta_pay_advance" in body["allowed_actions"]
    r = post_json(client, f"{URL}/{body['id']}/actions/ta_pay_advance",
                  {"amount": "9999999", "reason": "事故", "recipient": "张建国", "modality": "bank"}, headers)
    assert r.status_code == 403 and r.json()["code"] == "ta.over_township_limit"
    assert "乡镇审批额度" in r.json()["message"] and r.json()["details"]["limit"]
    r = post_json(client, f"{URL}/{body['id']}/actions/ta_pay_advance",
                  {"amount": "300", "reason": "事故", "recipient": "张建国", "modality": "bank"}, headers)
    assert r.status_code == 200 and r.json()["state"] == "advance_paid"


def test_api_duplicate_warning_and_bad_intake(client, bearer, caseworker, household):
    headers = bearer(caseworker)
    first = _create(client, headers, household).json()
    r = _create(client, headers, household)
    assert r.status_code == 409 and r.json()["details"]["earlier_case"] == first["id"]
    r = _create(client, headers, household, {**EMERGENCY, "category": "meteor"})
    assert r.status_code == 422 and r.json()["details"]["field"] == "intake.category"
    assert Case.objects.count() == 1


def test_api_outsider_cannot_record_emergency_elsewhere(client, bearer, outsider, household):
    r = _create(client, bearer(outsider), household)
    assert r.status_code == 404
    assert not Case.objects.exists()
