"""``POST /api/v1/cases`` with a ``person`` block instead of a household (issue 14 §1, 急难型, R-TA-04)."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.registry.models import Household, Person
from tests.conftest import VILLAGE_A, make_id

from .conftest import post_json

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases"
EMERGENCY = {"kind": "emergency", "category": "traffic", "circumstance": "途经本村遭遇交通事故",
             "occurred_on": "2026-12-05", "place_region": VILLAGE_A, "need": "600"}


def _person(**overrides):
    data = {"name": "赵四海", "id_number": make_id(date(1980, 2, 3)), "phone": "13800001111", "area_type": "rural"}
    data.update(overrides)
    return data


def _create(client, headers, person, intake=EMERGENCY, **extra):
    return post_json(client, URL, {"program": "temporary", "channel": "window", "person": person, "intake": intake,
                                   **extra}, headers)


def test_api_opens_emergency_for_person_and_reuses_by_id(client, bearer, caseworker):
    headers = bearer(caseworker)
    person = _person()
    r = _create(client, headers, person)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["program"] == "temporary" and body["kind"] == "emergency" and body["state"] == "accepted"
    assert body["applicant_name"] == "赵四海" and body["region"] == VILLAGE_A
    assert Household.objects.get(pk=body["household"]).minimal
    again = _create(client, headers, person, {**EMERGENCY, "category": "illness", "confirm_duplicate": True})
    assert again.status_code == 201 and again.json()["household"] == body["household"]
    assert again.json()["applicant"] == body["applicant"]


def test_api_bad_person_names_field_nothing_written(client, bearer, caseworker):
    headers = bearer(caseworker)
    r = _create(client, headers, _person(name="", id_number="12345"))
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["details"]["errors"]}
    assert {"person.name", "person.id_number"} <= fields and "姓名" in r.json()["message"]
    r = _create(client, headers, _person(), {**EMERGENCY, "category": "meteor"})
    assert r.status_code == 422 and r.json()["details"]["field"] == "intake.category"
    r = _create(client, headers, _person(), {**EMERGENCY, "kind": "expenditure", "category": "medical"})
    assert r.status_code == 422 and r.json()["details"]["field"] == "intake.kind"
    r = post_json(client, URL, {"program": "dibao", "channel": "window", "person": _person(), "intake": {}}, headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "person"
    r = post_json(client, URL, {"program": "temporary", "channel": "window", "intake": EMERGENCY}, headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "household"
    assert not Person.objects.filter(name="赵四海").exists() and not Case.objects.exists()


def test_api_place_outside_scope(client, bearer, outsider):
    r = _create(client, bearer(outsider), _person())
    assert r.status_code == 404
    assert not Household.objects.filter(minimal=True).exists() and not Case.objects.exists()


def test_api_household_list_leaves_minimal_out(client, bearer, caseworker, household):
    headers = bearer(caseworker)
    created = _create(client, headers, _person()).json()
    listing = client.get("/api/v1/households", **headers).json()
    ids = {str(item["id"]) for item in listing["items"]}
    assert str(household.pk) in ids and created["household"] not in ids


def test_api_household_detail_says_minimal(client, bearer, caseworker, household):
    headers = bearer(caseworker)
    created = _create(client, headers, _person()).json()
    detail = client.get(f"/api/v1/households/{created['household']}", **headers).json()
    assert detail["minimal"] is True and detail["member_count"] == 1
    assert client.get(f"/api/v1/households/{household.pk}", **headers).json()["minimal"] is False
