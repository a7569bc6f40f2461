"""补充备用金申请 (R-TA-07, issue 14 §2): the township lists the draws since its last request, a county
user other than the requester approves (a replenishment entry) or refuses with a reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.reserve.models import ReserveEntry, ReserveFund, ReserveReplenishment
from jiuzhu.apps.reserve.replenishment import (
    replenishments_visible,
    reserve_replenish_approve,
    reserve_replenish_refuse,
    reserve_replenish_request,
)
from jiuzhu.apps.reserve.selectors import fund_balances
from jiuzhu.apps.reserve.services import reserve_allocate
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.apps.cases.flow import at
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, _user

from .reserve_fixtures import draws, emergency_case

pytestmark = pytest.mark.django_db
NOW = at(date(2026, 12, 7))


@pytest.fixture
def paid(county_user, caseworker, household):
    """Township A's fund: 1000 allocated, 300 + 200.50 drawn for one case."""
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="1000", now=NOW)
    case = emergency_case(caseworker, household, NOW)
    draws(caseworker, case, ["300", "200.50"], NOW)
    return case


def test_request_lists_the_draws_and_the_county_approves(paid, caseworker, county_user):
    # given two draws; when the township requests
    request = reserve_replenish_request(actor=caseworker, township_code=TOWNSHIP_A, note="十二月补充", now=NOW)
    # then the request lists both with their case, and covers them
    assert request.amount == Decimal("500.50") and request.draw_count == 2 and request.status == "pending"
    assert [x["case"] for x in request.listing] == [paid.number, paid.number]
    assert ReserveEntry.objects.filter(kind="draw", replenishment=request).count() == 2
    # when the county approves: the balance is made good by a replenishment entry
    done = reserve_replenish_approve(actor=county_user, request_id=request.pk, reason="同意", now=NOW)
    assert done.status == "approved" and done.decided_by == county_user
    assert ReserveFund.objects.get(pk=TOWNSHIP_A).balance == Decimal("1000.00")
    entry = ReserveEntry.objects.get(kind="replenishment")
    assert entry.amount == Decimal("500.50") and entry.replenishment == request and entry.balance_after == Decimal("1000")
    assert set(AuditEvent.objects.filter(action__startswith="reserve.replenish").values_list("action", flat=True)) == {
        "reserve.replenish_request", "reserve.replenish_approve"}
    row = {r["code"]: r for r in fund_balances(actor=county_user)}[TOWNSHIP_A]
    assert row["replenished"] == Decimal("500.50") and row["reconciled"]
    # and the next request has nothing to list
    with pytest.raises(Conflict) as exc:
        reserve_replenish_request(actor=caseworker, township_code=TOWNSHIP_A, now=NOW)
    assert exc.value.code == "reserve.no_draws" and "没有备用金支出" in exc.value.message


def test_refusal_needs_a_reason_and_frees_the_draws(paid, caseworker, county_user):
    request = reserve_replenish_request(actor=caseworker, township_code=TOWNSHIP_A, now=NOW)
    with pytest.raises(ValidationFailed) as exc:
        reserve_replenish_refuse(actor=county_user, request_id=request.pk, reason="  ", now=NOW)
    assert exc.value.details["field"] == "reason" and "理由" in exc.value.message
    refused = reserve_replenish_refuse(actor=county_user, request_id=request.pk, reason="附件不全", now=NOW)
    assert refused.status == "refused" and refused.reason == "附件不全" and len(refused.listing) == 2
    assert ReserveFund.objects.get(pk=TOWNSHIP_A).balance == Decimal("499.50")
    assert not ReserveEntry.objects.filter(kind="draw", replenishment__isnull=False).exists()
    # a decided request cannot be decided again; the freed draws can be requested anew
    with pytest.raises(Conflict):
        reserve_replenish_approve(actor=county_user, request_id=request.pk, now=NOW)
    again = reserve_replenish_request(actor=caseworker, township_code=TOWNSHIP_A, now=NOW)
    assert again.amount == Decimal("500.50")


def test_no_draws_and_one_pending_at_a_time(county_user, caseworker, paid):
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_B, amount="100", now=NOW)
    outsider_b = _user("cw_b2", Role.CASEWORKER, TOWNSHIP_B)
    with pytest.raises(Conflict) as exc:
        reserve_replenish_request(actor=outsider_b, township_code=TOWNSHIP_B, now=NOW)
    assert exc.value.code == "reserve.no_draws"
    reserve_replenish_request(actor=caseworker, township_code=TOWNSHIP_A, now=NOW)
    with pytest.raises(Conflict) as exc:
        reserve_replenish_request(actor=caseworker, township_code=TOWNSHIP_A, now=NOW)
    assert exc.value.code == "reserve.request_pending"
    assert ReserveReplenishment.objects.count() == 1


def test_maker_checker_the_requester_cannot_approve(paid, county_user):
    # given a request the county filed for the township
    request = reserve_replenish_request(actor=county_user, township_code=TOWNSHIP_A, now=NOW)
    # then its maker cannot approve it; another county user can
    with pytest.raises(Forbidden) as exc:
        reserve_replenish_approve(actor=county_user, request_id=request.pk, now=NOW)
    assert exc.value.code == "reserve.own_request"
    checker = _user("county_checker_x", Role.COUNTY, COUNTY)
    assert reserve_replenish_approve(actor=checker, request_id=request.pk, now=NOW).status == "approved"


def test_township_roles_cannot_approve_and_other_townships_cannot_see(paid, caseworker, reviewer, outsider):
    request = reserve_replenish_request(actor=caseworker, township_code=TOWNSHIP_A, now=NOW)
    for actor in (caseworker, reviewer):
        with pytest.raises(Forbidden):
            reserve_replenish_approve(actor=actor, request_id=request.pk, now=NOW)
    # an attack from township B: cannot request for A, does not see A's requests
    with pytest.raises(NotFound):
        reserve_replenish_request(actor=outsider, township_code=TOWNSHIP_A, now=NOW)
    assert not replenishments_visible(actor=outsider).exists()
    assert list(replenishments_visible(actor=caseworker)) == [request]
    assert ReserveReplenishment.objects.get().status == "pending"
