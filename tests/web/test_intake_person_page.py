"""一门受理 for a person without a registered household (issue 14 loose end): /intake/person/ records the 临时登记
record and the intake in one form; bad input under its field with nothing written; another township's village
is out of reach; a registered person's intake goes to their household."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from jiuzhu.apps.monitoring.models import Intake, Referral
from jiuzhu.apps.registry.models import Household, Person
from tests.apps.cases.flow import at
from tests.conftest import VILLAGE_A, VILLAGE_B, make_id

pytestmark = pytest.mark.django_db
URL = "/intake/person/"
NOW = at(date(2026, 12, 7))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _form(**overrides):
    data = {"person_name": "赵四海", "person_id_number": make_id(date(1980, 2, 3)), "person_phone": "13800001111",
            "person_address": "外省来本县务工", "person_area_type": "rural", "place_region": VILLAGE_A,
            "needs": ["medical", "employment"], "description": "务工受伤，无钱就医，想找工作",
            "departments": ["medical", "employment"]}
    data.update(overrides)
    return data


def test_linked_from_referrals_and_records_person_and_tickets(client, caseworker):
    client.force_login(caseworker)
    assert URL in client.get("/referrals/").content.decode()
    assert 'id="intake-person-form"' in client.get(URL).content.decode()
    form = _form(needs=["medical", "employment", "basic_living", "emergency"])
    r = client.post(URL, form)
    assert r.status_code == 302, r.content.decode()[:3000]
    intake = Intake.objects.get()
    assert r["Location"] == f"/intake/{intake.pk}/"
    assert intake.household.minimal and intake.person.name == "赵四海" and intake.region_id == VILLAGE_A
    assert sorted(Referral.objects.filter(intake=intake).values_list("department", flat=True)) == [
        "employment", "medical"]
    page = client.get(r["Location"]).content.decode()
    assert "已为该人员建立临时登记记录" in page and 'id="minimal-note"' in page
    again = client.post(URL, {**form, "needs": ["education"], "departments": ["education"], "description": "子女上学"})
    assert again.status_code == 302 and Household.objects.filter(minimal=True).count() == 1
    assert "沿用该记录" in client.get(again["Location"]).content.decode()
    first = client.get(f"/intake/{intake.pk}/").content.decode()  # only what applies to a 临时登记 record
    assert 'id="apply-emergency"' in first
    assert 'id="apply-dibao"' not in first and 'id="apply-expenditure"' not in first


def test_bad_input_under_fields_nothing_written(client, caseworker):
    client.force_login(caseworker)
    r = client.post(URL, _form(person_name="", person_id_number="330127198002031234x"))
    text = r.content.decode()
    assert r.status_code == 422 and 'id="err-person_name"' in text and 'id="err-person_id_number"' in text
    r = client.post(URL, _form(place_region=""))
    assert r.status_code == 422 and 'id="err-place_region"' in r.content.decode()
    r = client.post(URL, _form(needs=[], description=""))
    assert r.status_code == 422 and 'id="err-needs"' in r.content.decode()
    assert not Person.objects.filter(name="赵四海").exists() and not Intake.objects.exists()
    assert not Household.objects.filter(minimal=True).exists()


def test_another_townships_village_is_refused_nothing_written(client, caseworker):
    client.force_login(caseworker)
    r = client.post(URL, _form(place_region=VILLAGE_B))
    assert r.status_code == 404 and "不在您的管辖范围内" in r.content.decode()
    assert not Intake.objects.exists() and not Household.objects.filter(minimal=True).exists()


def test_role_without_intake_is_refused(client, inspector):
    client.force_login(inspector)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403 and not Intake.objects.exists()


def test_registered_person_goes_to_their_household(client, caseworker, household_data):
    from jiuzhu.apps.registry.services import household_create
    from tests.conftest import AS_OF

    data = household_data()
    household = household_create(actor=caseworker, data=data, as_of=AS_OF)
    client.force_login(caseworker)
    number = data["members"][0]["id_number"]
    r = client.post(URL, _form(person_name="张建国", person_id_number=number))
    assert r.status_code == 302, r.content.decode()[:3000]
    assert Intake.objects.get().household_id == household.pk
    assert not Household.objects.filter(minimal=True).exists()
