"""临时救助 on the generic case page (issue 14 §0: no program names in the page)."""

from __future__ import annotations

from datetime import date

import pytest

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
