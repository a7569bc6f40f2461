"""Two draws on one township's 备用金 at the same moment, in two real transactions (PostgreSQL): the fund
row lock queues them, so the second sees the first's balance and is refused — never an overdraw."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.services import case_submit
from jiuzhu.apps.reserve.models import ReserveEntry, ReserveFund
from jiuzhu.apps.reserve.services import reserve_allocate, reserve_draw
from jiuzhu.rules.errors import Conflict
from tests.apps.cases.flow import at
from tests.conftest import TOWNSHIP_A, VILLAGE_A
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="needs row locks and concurrent transactions (PostgreSQL only)")
NOW = at(date(2026, 12, 7))
EMERGENCY = {"kind": "emergency", "category": "fire", "circumstance": "住房失火", "occurred_on": "2026-12-06",
             "place_region": VILLAGE_A, "need": "600", "confirm_duplicate": True}


@pytest.mark.django_db(transaction=True)
def test_concurrent_draws_never_overdraw(county_user, caseworker, household):
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="1000", now=NOW)
    cases = [case_submit(actor=caseworker, program="temporary", household_id=household.pk,
                         applicant_id=household.head_id, channel="window", payload=EMERGENCY, now=NOW)
             for _ in range(2)]
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def draw(case_id):
        try:
            with transaction.atomic():
                case = Case.objects.get(pk=case_id)
                barrier.wait()  # both transactions open; now both go for the fund row
                reserve_draw(actor=caseworker, case=case, amount="600", reference="advance", now=NOW)
            outcomes.append("paid")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(c.pk,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["paid", "reserve.insufficient"]
    assert ReserveFund.objects.get(pk=TOWNSHIP_A).balance == Decimal("400.00")
    assert ReserveEntry.objects.filter(kind="draw").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_county_users_approving_at_once_replenish_once(county_user, caseworker, household):
    """Two county checkers approve the same replenishment request at the same moment: the request row lock
    queues them, the second finds it decided — the fund is replenished once."""
    from jiuzhu.apps.accounts.roles import Role
    from jiuzhu.apps.reserve.replenishment import reserve_replenish_approve, reserve_replenish_request
    from tests.conftest import COUNTY, _user

    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="1000", now=NOW)
    case = case_submit(actor=caseworker, program="temporary", household_id=household.pk,
                       applicant_id=household.head_id, channel="window", payload=EMERGENCY, now=NOW)
    reserve_draw(actor=caseworker, case=case, amount="600", reference="advance", now=NOW)
    request = reserve_replenish_request(actor=caseworker, township_code=TOWNSHIP_A, now=NOW)
    checkers = [county_user, _user("county_checker_2", Role.COUNTY, COUNTY)]
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def approve(actor):
        try:
            barrier.wait()
            reserve_replenish_approve(actor=actor, request_id=request.pk, now=NOW)
            outcomes.append("approved")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in checkers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["approved", "reserve.request_decided"]
    assert ReserveFund.objects.get(pk=TOWNSHIP_A).balance == Decimal("1000.00")
    assert ReserveEntry.objects.filter(kind="replenishment").count() == 1
