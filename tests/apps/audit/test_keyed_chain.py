"""Keyed audit chain (issue 18 §3): each event's hash is HMAC-SM3 under an audit key kept in the key file
(outside the database) with its key id, so an attacker who can write the database cannot recompute a
link; rotation keeps old events verifiable; legacy (unkeyed) events written before the upgrade verify."""

from __future__ import annotations

import io
import json
import os
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import connection

from jiuzhu.apps.audit.chain import event_hash
from jiuzhu.apps.audit.models import AuditChain, AuditEvent
from jiuzhu.apps.audit.services import audit_record, audit_verify
from jiuzhu.core import audit_keys as ak
from tests.apps.test_audit import TABLE, verify_cli
from tests.flushable_audit import audit_triggers

pytestmark = pytest.mark.django_db

TOWNSHIP = "330127100201"


@pytest.fixture
def key_env(monkeypatch):
    """Point JIUZHU_KEYS at editable material (the test keys plus audit keys) and reload the key caches."""
    base = json.loads(os.environ["JIUZHU_KEYS"])

    def use(material: dict):
        monkeypatch.setenv("JIUZHU_KEYS", json.dumps(material))
        ak.audit_keys.cache_clear()

    yield base, use
    ak.audit_keys.cache_clear()


@contextmanager
def behind_all_triggers():
    """The attacker with DDL rights: events' and chain heads' triggers off, then back on."""
    audit_triggers(on=False)
    try:
        with connection.cursor() as cur:
            yield cur
    finally:
        audit_triggers(on=True)


def _record(n, start=0):
    return [audit_record(actor=None, action=f"test.k{start + i}", subject_type="thing", subject_id=start + i,
                         region_code=TOWNSHIP, after={"i": i}) for i in range(n)]


def test_new_events_are_hmac_sm3_under_the_active_key():
    # given the test key material (no audit keys of its own: the derived key a0 is active)
    keys = ak.audit_keys()
    # when an event is recorded
    event = _record(1)[0]
    # then it carries the key id and its hash is the HMAC of its body under that key, not a bare SM3
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert row["key_id"] == keys.active == ak.DERIVED_ID
    assert row["hash"] == event_hash(row, keys)
    plain = dict(row, key_id="")
    assert row["hash"] != event_hash(plain)
    assert audit_verify() == (True, None, AuditEvent.objects.count())


def test_derived_key_is_not_the_blind_index_key_and_needs_it():
    material = json.loads(os.environ["JIUZHU_KEYS"])
    keys = ak.parse_audit_keys(material)
    assert keys.keys[ak.DERIVED_ID] != bytes.fromhex(material["blind_index_key"])
    with pytest.raises(ak.KeyError_):
        ak.parse_audit_keys({"keys": {}})


def test_rehashing_a_rewritten_tail_without_the_key_is_detected():
    # given keyed events; an attacker rewrites the newest one and recomputes its hash the only way they
    # can without the key (plain SM3, as the unkeyed chain allowed), then moves the head to match
    events = _record(3)
    last = events[-1]
    row = AuditEvent.objects.filter(pk=last.pk).values().get()
    for key_id in (row["key_id"], ""):  # keep the key id (bad HMAC) or claim a legacy event
        forged_hash = event_hash(dict(row, reason="改过", key_id=""))  # bare SM3: no key needed
        with behind_all_triggers() as cur:
            cur.execute(f"UPDATE {TABLE} SET reason = %s, key_id = %s, hash = %s WHERE id = %s",
                        ["改过", key_id, forged_hash, last.pk])
            AuditChain.objects.filter(chain="330127100").update(hash=forged_hash)
        # when verified, then the forged event is named (content mismatch, or legacy after keyed)
        intact, broken, _ = audit_verify(anchors=False)
        assert intact is False and broken["seq"] == last.seq, key_id
        expected = "哈希不符" if key_id else "无密钥的旧式事件"
        assert expected in broken["problem"], broken
        code, out = verify_cli()
        assert code == 1 and f"序号={last.seq}" in out


def test_rotation_keeps_old_events_verifiable(key_env):
    # given events under the first key, then an explicit audit key added and made active (keys rotate)
    base, use = key_env
    old = _record(2)
    material = dict(base)
    new_id = ak.add_audit_key(material)
    use(material)
    # when more events are recorded
    new = _record(2, start=10)
    # then each carries its own key id and the whole chain verifies
    assert {e.key_id for e in old} == {ak.DERIVED_ID} and {e.key_id for e in new} == {new_id}
    assert audit_verify() == (True, None, AuditEvent.objects.count())
    # and without the new key (key file lost or replaced), verify names the first event it cannot check
    material.pop("audit_keys")
    material.pop("audit_active")
    use(material)
    intact, broken, _ = audit_verify()
    assert intact is False and broken["seq"] == new[0].seq and new_id in broken["problem"]


def test_keys_rotate_audit_adds_a_key_to_the_key_file(tmp_path, settings, monkeypatch):
    # given a key file written before the keyed chain (no audit keys)
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({k: v for k, v in json.loads(os.environ["JIUZHU_KEYS"]).items()}))
    settings.JIUZHU_KEY_FILE = str(path)
    monkeypatch.delenv("JIUZHU_KEYS")
    ak.audit_keys.cache_clear()
    first = _record(1)[0]
    # when the audit key is rotated
    call_command("keys", "rotate-audit", stdout=io.StringIO())
    material = json.loads(path.read_text())
    # then the file holds a new active audit key, new events use it, and the old one still verifies
    assert material["audit_active"] == "a1" and len(bytes.fromhex(material["audit_keys"]["a1"])) == 32
    second = _record(1, start=5)[0]
    assert (first.key_id, second.key_id) == (ak.DERIVED_ID, "a1")
    assert audit_verify()[0] is True
    ak.audit_keys.cache_clear()


def test_legacy_events_before_keyed_ones_verify():
    # given an unkeyed (legacy) event at the start of a chain, as the upgrade leaves them
    legacy = {"chain": "330127101", "seq": 1, "at": datetime(2026, 10, 1, tzinfo=UTC), "actor_id": None,
              "actor_name": "system", "role": "", "region_code": "330127101201", "action": "old.step",
              "subject_type": "thing", "subject_id": "1", "before_digest": "", "after_digest": "", "details": {},
              "reason": "", "prev_hash": "0" * 64, "key_id": ""}
    legacy["hash"] = event_hash(legacy)
    AuditEvent.objects.create(**legacy)
    AuditChain.objects.create(chain="330127101", seq=1, hash=legacy["hash"])
    # when keyed events follow it
    nxt = audit_record(actor=None, action="new.step", subject_type="thing", subject_id=2, region_code="330127101201")
    # then they link to it and the chain verifies
    assert (nxt.seq, nxt.prev_hash, nxt.key_id) == (2, legacy["hash"], ak.DERIVED_ID)
    assert audit_verify()[0] is True
    code, out = verify_cli()
    assert code == 0 and "1 条为启用密钥前写入的旧式事件" in out


def test_generated_key_files_have_their_own_audit_key():
    from jiuzhu.core.crypto import generate_key_material

    material = generate_key_material()
    keys = ak.parse_audit_keys(material)
    assert keys.active == "a1" and len(keys.keys["a1"]) == 32
