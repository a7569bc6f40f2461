"""Bulk audit: many events in one chain extension hash exactly as `jiuzhu audit verify` recomputes them."""

from __future__ import annotations

import pytest
from django.db import connection

from jiuzhu.apps.audit.bulk import audit_record_many
from jiuzhu.apps.audit.chain import GENESIS
from jiuzhu.apps.audit.models import AuditChain, AuditEvent
from jiuzhu.apps.audit.services import audit_record, audit_verify
from tests.apps.test_audit import TABLE, behind_the_triggers, verify_cli

pytestmark = pytest.mark.django_db


def _events(n, start=0):
    return [{"action": "enrollment.standard_adjust", "subject_type": "enrollment", "subject_id": start + i,
             "region_code": "330127100201", "before": {"amount": "2341.80", "class": "C"},
             "after": {"amount": "2430.00", "class": "C"},
             "details": {"standard_change": 7, "effective_month": "2026-07-01", "说明": "标准调整", "n": [i, None]}}
            for i in range(n)]


def _chain(chain):
    return AuditEvent.objects.filter(chain=chain).order_by("seq")


def test_bulk_events_chain_between_single_events(county_user):
    # given single events of the township before and after a bulk of 1500 (the fixtures may have audited already)
    base = audit_record(actor=None, action="test.before", subject_type="thing", subject_id=1,
                        region_code="330127100201").seq
    spans = audit_record_many(actor=county_user, events=_events(1500))
    audit_record(actor=None, action="test.after", subject_type="thing", subject_id=2, region_code="330127100")
    # then the township's chain is continuous, each event points at the one before, and verify passes
    assert spans == {"330127100": (base + 1, base + 1500)}
    assert list(_chain("330127100").values_list("seq", flat=True)) == list(range(1, base + 1502))
    bulk = _chain("330127100").get(seq=base + 1)
    assert bulk.prev_hash == _chain("330127100").get(seq=base).hash
    assert (bulk.actor_name, bulk.role, bulk.region_code) == ("county_staff", "county_staff", "330127100201")
    assert bulk.details["说明"] == "标准调整" and bulk.details["n"] == [0, None]
    assert _chain("330127100").get(seq=base + 1501).prev_hash == _chain("330127100").get(seq=base + 1500).hash
    intact, broken, checked = audit_verify()
    assert intact and broken is None and checked == AuditEvent.objects.count()
    head = AuditChain.objects.get(chain="330127100")
    assert head.seq == base + 1501 and head.hash == _chain("330127100").get(seq=base + 1501).hash
    assert verify_cli()[0] == 0


def test_bulk_events_of_several_townships_extend_each_chain():
    # given events of two townships and one without a region, interleaved
    a, b = _events(3), _events(2, start=10)
    for e in b:
        e["region_code"] = "330127101202"
    mixed = [a[0], b[0], a[1], {"action": "x.sys", "subject_type": "job", "subject_id": 1, "region_code": ""},
             b[1], a[2]]
    spans = audit_record_many(actor=None, events=mixed)
    # then each goes to its own chain, in order, numbered from 1
    assert spans == {"": (1, 1), "330127100": (1, 3), "330127101": (1, 2)}
    assert list(_chain("330127100").values_list("subject_id", flat=True)) == ["0", "1", "2"]
    assert list(_chain("330127101").values_list("subject_id", flat=True)) == ["10", "11"]
    assert _chain("330127101").first().prev_hash == GENESIS
    assert audit_verify() == (True, None, 6)


def test_unknown_event_key_is_refused():
    with pytest.raises(ValueError, match="unknown audit event keys"):
        audit_record_many(actor=None, events=[{"action": "x", "subject_type": "y", "subject_id": 1, "who": "me"}])
    assert not AuditEvent.objects.exists()


def test_tampering_with_a_bulk_event_is_detected():
    # given a bulk of events
    audit_record_many(actor=None, events=_events(50))
    # when an attacker behind the triggers edits one
    with behind_the_triggers() as cur:
        cur.execute(f"UPDATE {TABLE} SET reason = %s WHERE seq = 17", ["改过"])
    # then verify names it
    intact, broken, _ = audit_verify()
    assert not intact and broken["seq"] == 17
    code, out = verify_cli()
    assert code == 1 and "哈希链=330127100 序号=17" in out


def test_bulk_insert_refused_by_append_only_triggers_on_update():
    audit_record_many(actor=None, events=_events(3))
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET reason = 'x' WHERE seq = 2")
