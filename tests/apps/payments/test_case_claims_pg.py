"""Two payments of one case stage at the same moment, in two real transactions (PostgreSQL): one by bank,
one from the 备用金. The claim's unique key makes the second wait for the first and then refuses it —
with a Chinese message, and its draw never happens: the stage is paid once, the fund untouched."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.services import case_submit
from jiuzhu.apps.payments.claims import case_claim
from jiuzhu.apps.payments.models import CaseClaim
from jiuzhu.apps.reserve.models import ReserveEntry, ReserveFund
from jiuzhu.apps.reserve.services import reserve_allocate, reserve_draw
from jiuzhu.rules.errors import Conflict
from tests.apps.temporary.test_reserve_concurrency_pg import EMERGENCY, NOW
from tests.conftest import TOWNSHIP_A
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="needs concurrent transactions (PostgreSQL only)")


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_of_one_stage_pay_once(county_user, caseworker, household):
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="1000", now=NOW)
    case = case_submit(actor=caseworker, program="temporary", household_id=household.pk,
                       applicant_id=household.head_id, channel="window", payload=EMERGENCY, now=NOW)
    barrier = threading.Barrier(2, timeout=10)
    first_in = threading.Event()
    outcomes = []

    def pay(channel):
        try:
            with transaction.atomic():
                c = Case.objects.get(pk=case.pk)
                barrier.wait()
                if channel == "reserve":
                    first_in.wait(5)  # the bank payment inserts its claim first and holds it uncommitted
                case_claim(actor=caseworker, case=c, reference="advance", channel=channel, amount=Decimal("600"),
                           paid_on=NOW.date(), now=NOW)
                if channel == "bank":
                    first_in.set()
                    threading.Event().wait(0.5)  # still uncommitted while the other one tries
                else:
                    reserve_draw(actor=caseworker, case=c, amount="600", reference="advance", now=NOW)
            outcomes.append(channel)
        except Conflict as exc:
            outcomes.append(exc.code)
            assert "不能重复支付" in exc.message or "同时支付" in exc.message
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(ch,)) for ch in ("bank", "reserve")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["bank", "payment.claimed"]
    assert list(CaseClaim.objects.values_list("channel", flat=True)) == ["bank"]
    assert ReserveFund.objects.get(pk=TOWNSHIP_A).balance == Decimal("1000.00")
    assert not ReserveEntry.objects.filter(kind="draw").exists()
