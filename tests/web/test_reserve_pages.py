"""备用金 pages (issue 14 §2): the township requests a replenishment, the county approves or refuses it; the
month-end reconciliation for the county and a township's sheet with its confirmation and downloads;
township B attacks township A's pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.reserve.models import ReserveReconciliation, ReserveReplenishment
from jiuzhu.apps.reserve.services import reserve_allocate
from tests.apps.cases.flow import at
from tests.apps.temporary.reserve_fixtures import draws, emergency_case
from tests.conftest import PASSWORD, TOWNSHIP_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(county_user, caseworker, household):
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="1000", now=at(date(2026, 11, 2)))
    case = emergency_case(caseworker, household, at(date(2026, 11, 3)))
    draws(caseworker, case, ["300", "150.25"], at(date(2026, 11, 4)))
    return case


def _as(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)


def test_request_then_refuse_then_approve(client, drawn, caseworker, county_user, outsider):
    # the township sees the draws since its last request and requests
    _as(client, caseworker)
    page = client.get("/reserve/replenishments/").content.decode()
    assert drawn.number in page and "450.25" in page
    r = client.post("/reserve/replenishments/", {"note": "十一月补充"})
    assert r.status_code == 302
    request = ReserveReplenishment.objects.get()
    again = client.post("/reserve/replenishments/", {"note": ""})
    assert again.status_code == 409 and "待县级审批" in again.content.decode()
    # township B neither sees nor decides it
    _as(client, outsider)
    assert client.get(f"/reserve/replenishments/{request.pk}/").status_code == 404
    assert request.number not in client.get("/reserve/replenishments/").content.decode()
    assert client.post(f"/reserve/replenishments/{request.pk}/decide/", {"decision": "approve"}).status_code == 403
    # the county: a refusal without a reason is refused under the field, then refused with one
    _as(client, county_user)
    r = client.post(f"/reserve/replenishments/{request.pk}/decide/", {"decision": "refuse", "reason": ""})
    assert r.status_code == 422 and "须说明理由" in r.content.decode()
    assert client.post(f"/reserve/replenishments/{request.pk}/decide/",
                       {"decision": "refuse", "reason": "缺少发放凭证"}).status_code == 302
    # the township requests again; the county approves
    _as(client, caseworker)
    client.post("/reserve/replenishments/", {"note": "补齐凭证后再次申请"})
    second = ReserveReplenishment.objects.get(status="pending")
    _as(client, county_user)
    assert client.post(f"/reserve/replenishments/{second.pk}/decide/", {"decision": "approve"}).status_code == 302
    page = client.get(f"/reserve/replenishments/{second.pk}/").content.decode()
    assert "已批准补充" in page and drawn.number in page
    assert "1000.00" in client.get("/reserve/").content.decode()


def test_no_draws_to_request(client, county_user, caseworker):
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="100", now=at(date(2026, 11, 2)))
    _as(client, caseworker)
    r = client.post("/reserve/replenishments/", {"note": ""})
    assert r.status_code == 409 and "没有备用金支出" in r.content.decode()
    assert not ReserveReplenishment.objects.exists()


def test_reconciliation_pages(client, drawn, caseworker, county_user, outsider):
    _as(client, county_user)
    page = client.get("/reserve/reconciliation/?month=2026-11").content.decode()
    assert "千岛湖镇" in page and "549.75" in page and "待确认" in page and "文昌镇" in page
    bad = client.get("/reserve/reconciliation/?month=2026-13")
    assert bad.status_code == 422 and "对账月份（month）" in bad.content.decode()
    sheet = client.get(f"/reserve/reconciliation/{TOWNSHIP_A}/2026-11/").content.decode()
    assert drawn.number in sheet and "确认本月对账" not in sheet  # the county does not confirm
    xlsx = client.get(f"/reserve/reconciliation/{TOWNSHIP_A}/2026-11/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(f"/reserve/reconciliation/{TOWNSHIP_A}/2026-11/?format=doc").status_code == 422
    # township B: only its own row, nothing of A
    _as(client, outsider)
    page = client.get("/reserve/reconciliation/?month=2026-11").content.decode()
    assert "千岛湖镇" not in page and "文昌镇" in page
    assert client.get(f"/reserve/reconciliation/{TOWNSHIP_A}/2026-11/").status_code == 404
    assert client.get(f"/reserve/reconciliation/{TOWNSHIP_A}/2026-11/?format=xlsx").status_code == 404
    assert client.post(f"/reserve/reconciliation/{TOWNSHIP_A}/2026-11/").status_code == 404
    # the township confirms its finished month; the current month cannot be confirmed yet
    _as(client, caseworker)
    assert client.post(f"/reserve/reconciliation/{TOWNSHIP_A}/2026-11/").status_code == 302
    assert ReserveReconciliation.objects.get().closing == Decimal("549.75")
    r = client.post(f"/reserve/reconciliation/{TOWNSHIP_A}/2026-12/")
    assert r.status_code == 409 and "尚未结束" in r.content.decode()
    _as(client, county_user)
    assert "已确认" in client.get("/reserve/reconciliation/?month=2026-11").content.decode()
