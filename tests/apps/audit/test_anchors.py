"""Signed chain heads (anchors) and the chain-head triggers (issue 18 §3): the held-out tamper — delete
the newest events behind the triggers and move the chain head back to the new tail — passes the chain
walk, and is caught by `jiuzhu audit verify` through the anchor signed before it. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import logging
import stat
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from jiuzhu.apps.audit.anchors import AnchorRefused, anchor_files, anchors_check, audit_anchor
from jiuzhu.apps.audit.models import AuditChain, AuditEvent
from jiuzhu.apps.audit.services import audit_record, audit_verify
from tests.apps.test_audit import TABLE, verify_cli
from tests.flushable_audit import HEAD_TABLE, audit_triggers

pytestmark = pytest.mark.django_db

TOWNSHIP_A, TOWNSHIP_B = "330127100201", "330127101202"


@pytest.fixture(autouse=True)
def anchors(tmp_path, settings):
    settings.JIUZHU_AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"
    return settings.JIUZHU_AUDIT_ANCHOR_DIR


@contextmanager
def attacker():
    """Someone with DDL rights on the database: every audit trigger off (dropped on SQLite, disabled on
    PostgreSQL), then back on."""
    audit_triggers(on=False)
    try:
        with connection.cursor() as cur:
            yield cur
    finally:
        audit_triggers(on=True)


def _record(region, n, start=0):
    return [audit_record(actor=None, action=f"test.a{start + i}", subject_type="thing", subject_id=start + i,
                         region_code=region) for i in range(n)]


def _cut_tail(chain: str, keep_seq: int):
    """The held-out tamper: delete the chain's events after ``keep_seq`` and rewrite its head to the new tail."""
    tail = AuditEvent.objects.get(chain=chain, seq=keep_seq)
    with attacker() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE chain = %s AND seq > %s", [chain, keep_seq])
        cur.execute(f"UPDATE {HEAD_TABLE} SET seq = %s, hash = %s WHERE chain = %s", [keep_seq, tail.hash, chain])


def anchor_cli() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit", "anchor", stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_held_out_tamper_is_detected_through_the_anchor(anchors):
    # given events in two townships, anchored
    a = _record(TOWNSHIP_A, 5)
    _record(TOWNSHIP_B, 2)
    code, out = anchor_cli()
    assert code == 0 and "已写入审计锚点" in out
    # and more events afterwards (not anchored yet)
    _record(TOWNSHIP_A, 2, start=10)
    # when an attacker deletes township A's newest events back past the anchor and rewrites the head
    _cut_tail("330127100", keep_seq=a[2].seq)
    # then the chain walk alone sees a valid, shorter chain (what `audit verify` accepted before) …
    assert audit_verify(anchors=False)[0] is True
    # … but verify with the anchor names the anchored event that is gone, and exits 1
    intact, broken, _ = audit_verify()
    assert intact is False and (broken["chain"], broken["seq"]) == ("330127100", a[-1].seq)
    code, out = verify_cli()
    assert code == 1
    assert f"哈希链=330127100 序号={a[-1].seq}" in out and "已不存在" in out and "截断" in out


def test_cut_after_the_last_anchor_is_not_visible_until_the_next_anchor(anchors):
    # given an anchor, then events; the limit of the method, stated: events after the newest anchor
    # can be cut unseen, so anchors are signed daily (docs/operations-backup.md)
    _record(TOWNSHIP_A, 3)
    audit_anchor()
    extra = _record(TOWNSHIP_A, 2, start=10)
    _cut_tail("330127100", keep_seq=extra[0].seq - 1)
    assert audit_verify()[0] is True


def test_rewritten_anchored_event_is_detected(anchors):
    # given an anchored chain whose anchored last event is then replaced by another one at the same seq
    events = _record(TOWNSHIP_A, 3)
    audit_anchor()
    last = events[-1]
    with attacker() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [last.pk])
        cur.execute(f"UPDATE {HEAD_TABLE} SET seq = %s, hash = %s WHERE chain = %s",
                    [last.seq - 1, events[-2].hash, "330127100"])
    forged = audit_record(actor=None, action="test.forged", subject_type="thing", subject_id="x",
                          region_code=TOWNSHIP_A)
    assert forged.seq == last.seq and audit_verify(anchors=False)[0] is True
    # when verified, then the anchor's hash for that seq differs
    intact, broken, _ = audit_verify()
    assert intact is False and broken["seq"] == last.seq and "哈希不符" in broken["problem"]


def test_anchor_file_is_signed_private_and_logged(anchors, caplog):
    # given events
    _record(TOWNSHIP_A, 2)
    _record("", 1)
    expected = {(c.chain, c.seq, c.hash) for c in AuditChain.objects.filter(seq__gt=0)}
    # when anchored
    with caplog.at_level(logging.INFO, logger="jiuzhu.audit.anchor"):
        path, signed = audit_anchor()
    # then the file holds every chain head, signed, readable by the owner only, and the log has a copy
    assert path.parent == anchors and stat.S_IMODE(path.stat().st_mode) == 0o600
    on_disk = json.loads(path.read_text())
    assert {(h["chain"], h["seq"], h["hash"]) for h in on_disk["heads"]} == expected
    assert on_disk == signed and len(signed["mac"]) == 64
    assert signed["mac"] in caplog.text and path.name in caplog.text
    # and anchoring itself is an audit event (after the anchored heads)
    assert AuditEvent.objects.filter(action="audit.anchor", subject_id=path.name).exists()
    assert audit_verify()[0] is True


@pytest.mark.parametrize("case", ["hash edited", "seq edited", "not json", "forged without key"])
def test_damaged_or_forged_anchor_file_fails_verify(anchors, case):
    # given an anchor file an attacker edits (to match a cut chain) or replaces
    _record(TOWNSHIP_A, 3)
    path, signed = audit_anchor()
    if case == "hash edited":
        signed["heads"][0]["hash"] = "0" * 64
        path.write_text(json.dumps(signed))
    elif case == "seq edited":
        signed["heads"][0]["seq"] -= 1
        path.write_text(json.dumps(signed))
    elif case == "not json":
        path.write_bytes(b"\xff\xfe garbage")
    else:
        signed["mac"] = "ab" * 32
        path.write_text(json.dumps(signed))
    # when verified, then it fails naming the file
    intact, broken, _ = audit_verify()
    assert intact is False and path.name in broken["problem"], case
    code, out = verify_cli()
    assert code == 1 and path.name in out


def test_anchor_refuses_a_head_that_does_not_match_its_event(anchors):
    # given a head whose hash was rewritten (behind the triggers)
    _record(TOWNSHIP_A, 2)
    with attacker() as cur:
        cur.execute(f"UPDATE {HEAD_TABLE} SET hash = %s WHERE chain = %s", ["f" * 64, "330127100"])
    # when anchoring, then nothing is signed and the CLI exits 1 naming the chain
    with pytest.raises(AnchorRefused):
        audit_anchor()
    code, out = anchor_cli()
    assert code == 1 and "哈希链=330127100" in out
    assert anchor_files() == []


def test_anchors_after_a_cut_off_time_are_ignored(anchors):
    # given an anchor; the log is then cut (as a restored older backup would look)
    events = _record(TOWNSHIP_A, 3)
    path, signed = audit_anchor()
    _cut_tail("330127100", keep_seq=events[0].seq)
    created = datetime.fromisoformat(signed["created_at"])
    # then an anchor signed after the cut-off time does not count; one before it does
    assert anchors_check(until=created - timedelta(seconds=1)) is None
    assert anchors_check(until=created) is not None


def test_no_anchor_directory_verifies(anchors):
    _record(TOWNSHIP_A, 1)
    assert not anchors.exists()
    assert audit_verify()[0] is True


# --- the chain-head table's triggers ---

def _refused(sql, params=()):
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(exc.value)


@pytest.mark.parametrize(
    "case, sql",
    [
        ("head moved back", f"UPDATE {HEAD_TABLE} SET seq = seq - 1 WHERE chain = '330127100'"),
        ("head reset to zero", f"UPDATE {HEAD_TABLE} SET seq = 0, hash = '{'0' * 64}' WHERE chain = '330127100'"),
        ("head renamed", f"UPDATE {HEAD_TABLE} SET chain = '330127199' WHERE chain = '330127100'"),
        ("head deleted", f"DELETE FROM {HEAD_TABLE} WHERE chain = '330127100'"),
        ("all heads deleted", f"DELETE FROM {HEAD_TABLE}"),
    ],
)
def test_chain_head_only_moves_forward(case, sql):
    # given a chain of three events
    _record(TOWNSHIP_A, 3)
    before = list(AuditChain.objects.order_by("chain").values())
    # when its head is moved back, renamed or removed, then the database refuses and nothing changed
    assert "forward only" in _refused(sql), case
    assert list(AuditChain.objects.order_by("chain").values()) == before
    # and the ORM is refused the same way
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChain.objects.filter(chain="330127100").delete()
    # while recording keeps moving it forward
    nxt = audit_record(actor=None, action="test.more", subject_type="thing", subject_id=9, region_code=TOWNSHIP_A)
    assert AuditChain.objects.get(chain="330127100").seq == nxt.seq == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE triggers exist on PostgreSQL only")
def test_chain_head_truncate_is_refused_on_postgresql():
    _record(TOWNSHIP_A, 1)
    assert "forward only" in _refused(f"TRUNCATE {HEAD_TABLE}")
    assert AuditChain.objects.filter(chain="330127100").exists()


def test_daily_anchor_runs_from_the_job_table(anchors):
    from datetime import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from jiuzhu.apps.jobs.models import Job
    from jiuzhu.apps.jobs.schedule import schedules, schedules_enqueue_due
    from jiuzhu.apps.jobs.worker import Worker

    # given the registered daily schedule and some events
    entry = schedules()["audit.anchor"]
    assert (entry.cadence, entry.at.hour) == ("daily", 3)
    _record(TOWNSHIP_A, 2)
    # when the workers look after 03:00 and run the job
    schedules_enqueue_due(now=dt(2026, 12, 7, 4, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    Job.objects.filter(kind="audit.anchor").update(run_after=timezone.now() - timedelta(minutes=1))
    Job.objects.exclude(kind="audit.anchor").delete()
    Worker("w1", schedule=False).tick()
    # then today's anchor is written once and verify checks it
    job = Job.objects.get(kind="audit.anchor")
    assert job.key == "audit.anchor:2026-12-07" and job.status == Job.Status.SUCCEEDED
    assert job.result["file"] == anchor_files()[0].name and job.result["chains"] >= 1
    assert audit_verify()[0] is True
