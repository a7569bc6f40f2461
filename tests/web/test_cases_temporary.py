"""临时救助 on the generic case page (issue 14 §0: no program names in the page)."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.services import case_submit
from tests.apps.cases.flow import at
from tests.conftest import PASSWORD, VILLAGE_A

pytestmark = pytest.mark.django_db
EMERGENCY = {"kind": "emergency", "category": "fire", "circumstance": "住房失火", "occurred_on": "2026-12-05",
             "place_region": VILLAGE_A, "need": "800"}


def test_case_page_shows_temporary_case(client, caseworker, outsider, household):
    case = case_submit(actor=caseworker, program="temporary", household_id=household.pk,
                       applicant_id=household.head_id, channel="window", payload=EMERGENCY, now=at(date(2026, 12, 7)))
    client.login(username=caseworker.username, password=PASSWORD)
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "临时救助" in text and "先行救助发放" in text and "已受理" in text
    client.logout()
    client.login(username=outsider.username, password=PASSWORD)
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def _form(**overrides):
    data = {"kind": "emergency", "category": "fire", "circumstance": "住房失火", "occurred_on": "2026-12-05",
            "place_region": VILLAGE_A, "need": "800"}
    data.update(overrides)
    return data


def test_record_emergency_form_then_duplicate_warning(client, caseworker, household):
    client.login(username=caseworker.username, password=PASSWORD)
    url = f"/households/{household.pk}/temporary/"
    page = client.get(url)
    assert page.status_code == 200 and "急难发生地" in page.content.decode()
    r = client.post(url, {**_form(), "applicant": str(household.head_id)})
    assert r.status_code == 302
    first = Case.objects.get(program="temporary")
    r = client.post(url, {**_form(), "applicant": str(household.head_id)})
    text = r.content.decode()
    assert r.status_code == 409 and f"/cases/{first.pk}/" in text and first.number in text
    assert Case.objects.filter(program="temporary").count() == 1


def test_record_form_errors_next_to_field(client, caseworker, village_user, household):
    client.login(username=caseworker.username, password=PASSWORD)
    url = f"/households/{household.pk}/temporary/"
    r = client.post(url, {**_form(place_region=""), "applicant": str(household.head_id)})
    assert r.status_code == 422 and "急难型须填写急难发生地" in r.content.decode()
    r = client.post(url, {**_form(circumstance=""), "applicant": str(household.head_id)})
    assert r.status_code == 422 and "困难情形" in r.content.decode()
    assert not Case.objects.exists()
    apply_page = client.get(f"/households/{household.pk}/apply/").content.decode()
    assert 'value="temporary"' not in apply_page  # opened from its own form


def test_outsider_cannot_open_form(client, outsider, household):
    client.login(username=outsider.username, password=PASSWORD)
    assert client.get(f"/households/{household.pk}/temporary/").status_code == 404


def test_reserve_page_county_allocates_township_sees_own(client, county_user, caseworker, outsider):
    from decimal import Decimal

    from jiuzhu.apps.reserve.models import ReserveFund
    from tests.conftest import TOWNSHIP_A

    client.login(username=county_user.username, password=PASSWORD)
    r = client.post("/reserve/", {"township": TOWNSHIP_A, "amount": "abc"})
    assert r.status_code == 422 and "金额" in r.content.decode()
    assert client.post("/reserve/", {"township": TOWNSHIP_A, "amount": "2000", "note": "拨付"}).status_code == 302
    assert ReserveFund.objects.get(pk=TOWNSHIP_A).balance == Decimal("2000.00")
    client.logout()
    client.login(username=outsider.username, password=PASSWORD)
    page = client.get("/reserve/").content.decode()
    assert "2000.00" not in page
    assert client.post("/reserve/", {"township": TOWNSHIP_A, "amount": "1"}).status_code == 403
    client.logout()
    client.login(username=caseworker.username, password=PASSWORD)
    assert "2000.00" in client.get("/reserve/").content.decode()
