"""无登记家庭人员急难救助: the page (issue 14 §1, R-TA-04)."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.registry.models import Household, Person
from tests.conftest import PASSWORD, VILLAGE_A, VILLAGE_B, make_id

pytestmark = pytest.mark.django_db
URL = "/temporary/person/"


def _form(**overrides):
    data = {"person_name": "赵四海", "person_id_number": make_id(date(1980, 2, 3)), "person_phone": "13800001111",
            "person_address": "外省来本县务工", "person_area_type": "rural", "place_region": VILLAGE_A,
            "category": "traffic", "circumstance": "途经本村遭遇交通事故", "occurred_on": "2026-12-05", "need": "600"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["caseworker", "village_user"])
def test_reachable_from_case_list_and_records_case(client, request, persona):
    user = request.getfixturevalue(persona)
    client.login(username=user.username, password=PASSWORD)
    assert URL in client.get("/cases/").content.decode()
    page = client.get(URL)
    assert page.status_code == 200 and "无登记家庭人员急难救助" in page.content.decode()
    r = client.post(URL, _form())
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get(program="temporary")
    assert r["Location"] == f"/cases/{case.pk}/" and case.kind == "emergency" and case.household.minimal
    detail = client.get(r["Location"]).content.decode()
    assert 'id="minimal-badge"' in detail and "临时登记" in detail and "已为该人员建立临时登记记录" in detail


def test_same_id_number_reuses_record(client, caseworker):
    client.login(username=caseworker.username, password=PASSWORD)
    form = _form()
    assert client.post(URL, form).status_code == 302
    r = client.post(URL, {**form, "category": "illness", "circumstance": "突发疾病", "confirm_duplicate": "on"})
    assert r.status_code == 302
    assert Household.objects.filter(minimal=True).count() == 1 and Case.objects.count() == 2
    assert "沿用该记录" in client.get(r["Location"]).content.decode()


def test_bad_input_shown_under_fields_nothing_written(client, caseworker):
    client.login(username=caseworker.username, password=PASSWORD)
    r = client.post(URL, _form(person_name="", person_id_number="330127198002031234x", circumstance=""))
    text = r.content.decode()
    assert r.status_code == 422
    assert 'id="err-person_name"' in text and "姓名不能为空" in text
    assert 'id="err-person_id_number"' in text and "身份证号" in text
    assert "困难情形" in text
    assert not Person.objects.filter(name="赵四海").exists() and not Case.objects.exists()


def test_place_outside_scope_refused(client, outsider):
    client.login(username=outsider.username, password=PASSWORD)
    r = client.post(URL, _form())  # 珍珠半岛村 is township A's; the outsider works in township B
    assert r.status_code == 404 and "急难发生地不在您的管辖范围内" in r.content.decode()
    assert VILLAGE_A not in client.get(URL).content.decode()
    assert not Household.objects.filter(minimal=True).exists() and not Case.objects.exists()
    assert client.post(URL, _form(place_region=VILLAGE_B)).status_code == 302


def test_role_without_permission(client, inspector):
    client.login(username=inspector.username, password=PASSWORD)
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/cases/").content.decode()


def test_minimal_household_not_in_household_list_or_count(client, caseworker, household):
    client.login(username=caseworker.username, password=PASSWORD)
    assert client.post(URL, _form()).status_code == 302
    minimal = Household.objects.get(minimal=True)
    listing = client.get("/households/").content.decode()
    assert f"/households/{household.pk}/" in listing and f"/households/{minimal.pk}/" not in listing
    detail = client.get(f"/households/{minimal.pk}/")
    assert detail.status_code == 200 and 'id="minimal-badge"' in detail.content.decode()
    count = client.get("/").content.decode()
    assert 'id="household-count">1<' in count
