from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS, digest, event_hash
from .models import AuditEvent, AuditHead


def audit_record(
    *, actor, action: str, subject_type: str, subject_id, before=None, after=None,
    reason: str = "", region_code: str = "", details: dict | None = None, at=None,
) -> AuditEvent:
    """Append one event to the chain. Call inside the state change's transaction (outside one, the
    event gets its own). Three statements: take the head (``UPDATE … RETURNING`` locks the row on
    PostgreSQL and takes the write lock on SQLite), insert the event, move the head's hash — no
    savepoint, so the head is locked for as short a time as the caller's commit allows."""
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _advance_head()
        fields = {
            "seq": seq,
            "at": at or timezone.now(),
            "actor_id": getattr(actor, "pk", None),
            "actor_name": getattr(actor, "username", None) or "system",
            "role": getattr(actor, "role", "") or "",
            "region_code": region_code or getattr(actor, "region_id", "") or "",
            "action": action,
            "subject_type": subject_type,
            "subject_id": str(subject_id),
            "before_digest": digest(before),
            "after_digest": digest(after),
            "details": details or {},
            "reason": reason or "",
            "prev_hash": prev_hash,
        }
        fields["hash"] = event_hash(fields)
        event = AuditEvent.objects.create(**fields)
        AuditHead.objects.filter(pk=1).update(hash=fields["hash"])
    return event


def _advance_head() -> tuple[int, str]:
    """Increment the head's sequence number; returns (new seq, hash of the previous event)."""
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    sql = f"UPDATE {table} SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"
    with connection.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
        if row is None:  # the very first event: create the head, then take it
            AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
            cur.execute(sql)
            row = cur.fetchone()
    return int(row[0]), row[1]


def audit_verify(*, chunk: int = 5000) -> tuple[bool, dict | None, int]:
    """Walk the chain in order. Returns (intact, first broken event info, events checked)."""
    prev = GENESIS
    checked = 0
    expected_seq = 1
    last_seq = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:chunk].values())
        if not batch:
            break
        for row in batch:
            problem = None
            if row["seq"] != expected_seq:
                problem = f"序号不连续：应为 {expected_seq}，实为 {row['seq']}（事件被删除）"
            elif row["prev_hash"] != prev:
                problem = "前一事件哈希不匹配（前面的事件被改动或删除）"
            elif event_hash(row) != row["hash"]:
                problem = "事件内容与其哈希不符（事件被改动）"
            if problem:
                return False, {"seq": row["seq"], "id": row["id"], "action": row["action"], "problem": problem}, checked
            prev = row["hash"]
            expected_seq += 1
            last_seq = row["seq"]
            checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq != last_seq or head.hash != prev):
        return False, {"seq": last_seq + 1, "id": None, "action": "",
                       "problem": f"链尾不符：记录的末尾序号为 {head.seq}，实际为 {last_seq}（末尾事件被删除）"}, checked
    return True, None, checked
