"""一门受理 API for a person without a registered household (``POST /api/v1/intake`` with ``person``, issue 14 §4):
the /intake/person/ page's service; ``household`` or ``person`` required, not both; bad input names the field with
nothing written, not even the 临时登记 record; another township's village is out of reach."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from jiuzhu.apps.monitoring.models import Intake
from jiuzhu.apps.registry.models import Household, Person
from tests.apps.cases.flow import at
from tests.conftest import VILLAGE_A, VILLAGE_B, make_id

from .conftest import post_json

pytestmark = pytest.mark.django_db
BASE = "/api/v1/intake"
NOW = at(date(2026, 12, 7))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _body(**person):
    data = {"name": "赵四海", "id_number": make_id(date(1980, 2, 3)), "phone": "13800001111",
            "address": "外省来本县务工", "area_type": "rural", **person}
    return {"person": data, "place_region": VILLAGE_A, "needs": ["medical"], "description": "务工受伤，无钱就医",
            "departments": ["medical"]}


def test_person_without_household_is_registered_and_referred(client, bearer, caseworker):
    first = _body()
    r = post_json(client, BASE, first, bearer(caseworker))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["registration"] == "created" and "临时登记" in body["registration_label"]
    assert body["person"] and body["region"] == VILLAGE_A and len(body["tickets"]) == 1
    assert Household.objects.get(pk=body["household"]).minimal
    again = post_json(client, BASE, first, bearer(caseworker))
    assert again.status_code == 201 and again.json()["registration"] == "reused"
    assert again.json()["household"] == body["household"]


def test_household_or_person_required_and_bad_person_writes_nothing(client, bearer, caseworker, household):
    h = bearer(caseworker)
    r = post_json(client, BASE, {"needs": ["medical"], "description": "住院", "departments": ["medical"]}, h)
    assert r.status_code == 422 and r.json()["details"]["field"] == "household"
    assert "household" in r.json()["message"] and "person" in r.json()["message"]
    r = post_json(client, BASE, {**_body(), "household": household.pk}, h)
    assert r.status_code == 422 and r.json()["details"]["field"] == "person" and "只能填写其一" in r.json()["message"]
    r = post_json(client, BASE, _body(name=""), h)
    assert r.status_code == 422 and r.json()["details"]["field"].startswith("person")
    r = post_json(client, BASE, {**_body(), "place_region": ""}, h)
    assert r.status_code == 422 and r.json()["details"]["field"] == "place_region" and "受理地" in r.json()["message"]
    r = post_json(client, BASE, {**_body(), "needs": ["housing"], "departments": []}, h)
    assert r.status_code == 422 and r.json()["details"]["field"] == "departments"
    assert not Intake.objects.exists() and Person.objects.count() == 2  # only the registered household's


def test_another_townships_village_is_out_of_reach(client, bearer, outsider):
    r = post_json(client, BASE, _body(), bearer(outsider))
    assert r.status_code == 404 and r.json()["details"]["field"] == "place_region"
    assert not Intake.objects.exists() and not Person.objects.exists()
    # the outsider's own village works: the refusal is the scope, not a blanket one
    assert post_json(client, BASE, {**_body(), "place_region": VILLAGE_B}, bearer(outsider)).status_code == 201
