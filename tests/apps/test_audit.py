"""Audit log: hash chain, append-only triggers, tamper detection by `jiuzhu audit verify`."""

from __future__ import annotations

import importlib
import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from jiuzhu.apps.audit.chain import GENESIS, event_hash
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db

TRIGGERS = importlib.import_module("jiuzhu.apps.audit.migrations.0002_append_only_triggers")
TABLE = AuditEvent._meta.db_table


@pytest.fixture
def events():
    return [
        audit_record(actor=None, action=f"test.step{i}", subject_type="thing", subject_id=i, after={"i": i})
        for i in range(1, 5)
    ]


@contextmanager
def behind_the_triggers():
    """Let the test change the log the way an attacker with DDL rights would."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            for sql in TRIGGERS.SQLITE_DROP:
                cur.execute(sql)
            try:
                yield cur
            finally:
                for sql in TRIGGERS.SQLITE:
                    cur.execute(sql)
        else:
            cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            try:
                yield cur
            finally:
                cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


def verify_cli() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_events_are_chained(events):
    # given four recorded events (after anything recorded before)
    chain = list(AuditEvent.objects.order_by("seq"))
    # then seq runs 1..n, each event points at the previous hash, and each hash matches its content
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    assert chain[0].prev_hash == GENESIS
    for prev, cur in zip(chain, chain[1:]):
        assert cur.prev_hash == prev.hash
    stored = AuditEvent.objects.filter(pk__in=[e.pk for e in events]).values()
    assert all(event_hash(row) == row["hash"] for row in stored)
    assert len({e.hash for e in chain}) == len(chain)


def test_verify_intact(events):
    intact, broken, checked = audit_verify()
    assert (intact, broken) == (True, None)
    assert checked == AuditEvent.objects.count()
    code, out = verify_cli()
    assert code == 0 and str(checked) in out


@pytest.mark.parametrize("chunk", [1, 2, 3, 5000])
def test_verify_walks_across_chunks(events, chunk):
    assert audit_verify(chunk=chunk) == (True, None, AuditEvent.objects.count())
    victim = events[2]
    with behind_the_triggers() as cur:
        cur.execute(f"UPDATE {TABLE} SET reason = 'x' WHERE id = %s", [victim.pk])
    intact, broken, checked = audit_verify(chunk=chunk)
    assert (intact, broken["seq"], checked) == (False, victim.seq, victim.seq - 1)


def test_verify_empty_log():
    assert audit_verify()[0] is True


def _refused(fn):
    with pytest.raises(DatabaseError) as exc:
        with transaction.atomic():
            fn()
    return exc.value


@pytest.mark.parametrize(
    "case, attack",
    [
        ("ORM queryset update", lambda e: AuditEvent.objects.filter(pk=e.pk).update(action="forged")),
        ("ORM save", lambda e: (setattr(e, "reason", "forged"), e.save())),
        ("ORM delete one", lambda e: e.delete()),
        ("ORM queryset delete", lambda e: AuditEvent.objects.all().delete()),
        ("raw SQL update", lambda e: connection.cursor().execute(f"UPDATE {TABLE} SET action = 'forged' WHERE id = %s", [e.pk])),
        ("raw SQL delete", lambda e: connection.cursor().execute(f"DELETE FROM {TABLE} WHERE id = %s", [e.pk])),
    ],
)
def test_update_and_delete_are_refused_by_the_database(events, case, attack):
    # given an event
    target = events[1]
    before = list(AuditEvent.objects.order_by("id").values())
    # when anyone tries to change or remove it
    error = _refused(lambda: attack(target))
    # then the database refuses and nothing changed
    assert "append-only" in str(error), case
    assert list(AuditEvent.objects.order_by("id").values()) == before
    assert audit_verify()[0] is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE trigger exists on PostgreSQL only")
def test_truncate_is_refused_on_postgresql(events):
    _refused(lambda: connection.cursor().execute(f"TRUNCATE {TABLE}"))
    assert AuditEvent.objects.count() >= 4


@pytest.mark.parametrize(
    "case, column, value",
    [
        ("action changed", "action", "test.forged"),
        ("reason changed", "reason", "改过了"),
        ("subject changed", "subject_id", "999"),
        ("after digest changed", "after_digest", "0" * 64),
    ],
)
def test_tampering_is_detected_and_names_the_first_broken_event(events, case, column, value):
    # given an altered event in the middle of the chain (triggers bypassed)
    victim = events[1]
    with behind_the_triggers() as cur:
        cur.execute(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, victim.pk])
    # the triggers are back afterwards
    _refused(lambda: AuditEvent.objects.filter(pk=victim.pk).update(reason="x"))
    # when the chain is verified
    intact, broken, _ = audit_verify()
    code, out = verify_cli()
    # then verification fails at that event's seq and the CLI exits 1 naming it
    assert intact is False, case
    assert broken["seq"] == victim.seq
    assert code == 1
    assert f"序号={victim.seq}" in out


def test_rehashed_forgery_breaks_the_next_link(events):
    # given an attacker who also recomputes the altered event's own hash
    victim = events[1]
    row = AuditEvent.objects.filter(pk=victim.pk).values().get()
    row["action"] = "test.forged"
    forged_hash = event_hash(row)
    with behind_the_triggers() as cur:
        cur.execute(f"UPDATE {TABLE} SET action = %s, hash = %s WHERE id = %s", ["test.forged", forged_hash, victim.pk])
    # when verified
    intact, broken, _ = audit_verify()
    # then the following event no longer links to it
    assert intact is False and broken["seq"] == victim.seq + 1
    assert verify_cli()[0] == 1


def test_deleting_a_middle_event_is_detected(events):
    victim = events[1]
    with behind_the_triggers() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])
    intact, broken, _ = audit_verify()
    assert intact is False and broken["seq"] == victim.seq + 1
    code, out = verify_cli()
    assert code == 1 and f"序号={victim.seq + 1}" in out


def test_deleting_the_last_event_is_detected(events):
    # given the newest event removed behind the triggers' back
    last = events[-1]
    with behind_the_triggers() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [last.pk])
    # when verified
    intact, broken, checked = audit_verify()
    code, out = verify_cli()
    # then the missing tail is reported at the deleted seq
    assert intact is False
    assert broken["seq"] == last.seq
    assert checked == last.seq - 1
    assert code == 1 and f"序号={last.seq}" in out


def test_chain_continues_after_verification(events):
    # given a verified chain, when another event is recorded, then it links to the last one
    last = events[-1]
    nxt = audit_record(actor=None, action="test.next", subject_type="thing", subject_id="n")
    assert nxt.seq == last.seq + 1 and nxt.prev_hash == last.hash
    assert audit_verify()[0] is True
