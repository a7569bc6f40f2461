"""备用金 API (``/api/v1/reserve``, R-TA-07, issue 14 §2): balances in scope, a township's ledger, the county's
allocation, the replenishment request and its approval, the month-end reconciliation; bad input 422 naming the
field with nothing written; a township user may not allocate (403); another township's fund is out of reach (404)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.reserve.models import ReserveEntry, ReserveFund, ReserveReconciliation, ReserveReplenishment
from jiuzhu.apps.reserve.services import reserve_allocate
from tests.apps.cases.flow import at
from tests.apps.temporary.reserve_fixtures import draws, emergency_case
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B, _user

from .conftest import post_json

pytestmark = pytest.mark.django_db
BASE = "/api/v1/reserve"
NOW = at(date(2026, 12, 7))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _rows(r):
    return {row["township"]: row for row in r.json()}


def test_allocate_list_ledger_replenish_and_approve(client, bearer, county_user, caseworker, household):
    county = bearer(county_user)
    r = post_json(client, f"{BASE}/{TOWNSHIP_A}/allocations", {"amount": "1000", "note": "年初拨付"}, county)
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "allocation" and r.json()["balance_after"] == "1000.00"
    draws(caseworker, emergency_case(caseworker, household, NOW), ["300", "200.50"], NOW)
    rows = _rows(client.get(BASE, **county))
    assert {TOWNSHIP_A, TOWNSHIP_B} <= set(rows)
    assert rows[TOWNSHIP_A]["balance"] == "499.50" and rows[TOWNSHIP_A]["drawn"] == "500.50"
    assert rows[TOWNSHIP_A]["reconciled"] and rows[TOWNSHIP_B]["balance"] == "0.00"
    township = bearer(caseworker)
    assert set(_rows(client.get(BASE, **township))) == {TOWNSHIP_A}
    page = client.get(f"{BASE}/{TOWNSHIP_A}/entries", **township).json()
    assert [e["kind"] for e in page["items"]] == ["draw", "draw", "allocation"] and page["next_page"] is None
    assert page["items"][0]["case_number"] and page["items"][0]["amount"] == "200.50"
    r = post_json(client, f"{BASE}/{TOWNSHIP_A}/replenishments", {"note": "十二月补充"}, township)
    assert r.status_code == 201, r.content
    made = r.json()
    assert made["amount"] == "500.50" and made["draw_count"] == 2 and made["status"] == "pending"
    r = post_json(client, f"{BASE}/replenishments/{made['id']}/approve", {"reason": "同意"}, county)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved" and ReserveFund.objects.get(pk=TOWNSHIP_A).balance == 1000


def test_bad_amount_names_the_field_and_writes_nothing(client, bearer, county_user):
    h = bearer(county_user)
    for amount in ("abc", "-5", "0", "1.234", None):
        r = post_json(client, f"{BASE}/{TOWNSHIP_A}/allocations", {"amount": amount}, h)
        assert r.status_code == 422, (amount, r.content)
        body = r.json()
        assert "amount" in body["message"] and all(e["field"].endswith("amount") for e in body["details"]["errors"])
        assert any("\u4e00" <= c <= "\u9fff" for c in body["details"]["errors"][0]["message"])
    r = post_json(client, f"{BASE}/{TOWNSHIP_A}/reconciliations", {"month": "2026-13"}, bearer(
        _user("reviewer_x", Role.REVIEWER, TOWNSHIP_A)))
    assert r.status_code == 422 and "YYYY-MM" in r.json()["message"]
    assert not ReserveEntry.objects.exists() and not ReserveFund.objects.exists()
    assert not ReserveReconciliation.objects.exists()


def test_township_user_may_not_allocate(client, bearer, caseworker):
    r = post_json(client, f"{BASE}/{TOWNSHIP_A}/allocations", {"amount": "1000"}, bearer(caseworker))
    assert r.status_code == 403 and "拨付" in r.json()["message"]
    assert not ReserveEntry.objects.exists() and not ReserveFund.objects.exists()


def test_another_township_is_out_of_reach(client, bearer, county_user, caseworker, outsider, household):
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="800", now=NOW)
    draws(caseworker, emergency_case(caseworker, household, NOW), ["100"], NOW)
    h = bearer(outsider)
    assert TOWNSHIP_A not in _rows(client.get(BASE, **h))
    assert client.get(f"{BASE}/{TOWNSHIP_A}/entries", **h).status_code == 404
    assert client.get(f"{BASE}/not-a-code/entries", **h).status_code == 404
    r = post_json(client, f"{BASE}/{TOWNSHIP_A}/replenishments", {"note": "冒领"}, h)
    assert r.status_code == 404 and r.json()["details"]["field"] == "township"
    made = post_json(client, f"{BASE}/{TOWNSHIP_A}/replenishments", {}, bearer(caseworker)).json()
    assert post_json(client, f"{BASE}/replenishments/{made['id']}/approve", {}, h).status_code == 403
    assert not ReserveReplenishment.objects.exclude(status="pending").exists()
    assert ReserveFund.objects.get(pk=TOWNSHIP_A).balance == 700


def test_month_end_reconciliation(client, bearer, county_user, caseworker):
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="600", now=at(date(2026, 11, 5)))
    rows = {r["township"]: r for r in client.get(f"{BASE}/reconciliation?month=2026-11", **bearer(county_user)).json()}
    assert rows[TOWNSHIP_A]["closing"] == "600.00" and rows[TOWNSHIP_A]["matched"]
    reviewer = _user("reviewer_y", Role.REVIEWER, TOWNSHIP_A)
    r = post_json(client, f"{BASE}/{TOWNSHIP_A}/reconciliations", {"month": "2026-11"}, bearer(reviewer))
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "已确认" and r.json()["closing"] == "600.00"
    assert post_json(client, f"{BASE}/{TOWNSHIP_A}/reconciliations", {"month": "2026-12"},
                     bearer(reviewer)).status_code == 409
    assert ReserveReconciliation.objects.count() == 1
