"""A repayment and a write-off approval of the same recovery item at the same moment, in two real
transactions (PostgreSQL): exactly one applies, never both (issue 15 "concurrent write-off and
repayment cannot both apply"). A barrier just before the item's row lock makes both overlap."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from jiuzhu.apps.integrity import recovery
from jiuzhu.apps.integrity.models import RecoveryItem, RecoveryReceipt
from jiuzhu.rules.errors import Conflict
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

from .conftest import T0

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="needs row locks and concurrent transactions (PostgreSQL only)")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", range(3))
def test_repayment_and_write_off_at_once_only_one_applies(caseworker, county_user, paid, monkeypatch, rounds):
    item = recovery.recovery_raise(actor=caseworker, now=T0, data={
        "enrollment": paid.enrollment.pk, "reason": "death", "months": ["2026-11"], "note": "死亡未报告"})
    recovery.recovery_write_off_propose(actor=caseworker, item_id=item.pk, now=T0, data={"reason": "无遗产，无力退回"})
    barrier = threading.Barrier(2, timeout=10)
    real_lock = recovery.lock_item

    def lock_after_both_arrive(actor, item_id):
        barrier.wait()
        return real_lock(actor, item_id)

    monkeypatch.setattr(recovery, "lock_item", lock_after_both_arrive)
    outcomes: dict[str, object] = {}

    def run(name, fn):
        try:
            fn()
            outcomes[name] = "ok"
        except Exception as exc:  # noqa: BLE001 — shown in the assertion
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("receive", lambda: recovery.recovery_receive(
            actor=caseworker, item_id=item.pk, now=T0, data={"amount": "650", "received_on": "2026-12-07"}))),
        threading.Thread(target=run, args=("write_off", lambda: recovery.recovery_write_off_decide(
            actor=county_user, item_id=item.pk, now=T0, data={"approve": True, "note": "同意核销"}))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["receive", "write_off"]
    winners = [k for k, v in outcomes.items() if v == "ok"]
    assert len(winners) == 1, outcomes
    loser = outcomes["write_off" if winners == ["receive"] else "receive"]
    assert isinstance(loser, Conflict)
    item.refresh_from_db()
    if winners == ["receive"]:
        assert (item.status, item.received, item.written_off) == ("settled", Decimal("650.00"), Decimal(0))
    else:
        assert (item.status, item.received, item.written_off) == ("written_off", Decimal(0), Decimal("650.00"))
        assert not RecoveryReceipt.objects.filter(item=item).exists()
    assert RecoveryItem.objects.get(pk=item.pk).outstanding == 0
