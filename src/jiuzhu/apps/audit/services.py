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
    event gets its own). Everything that does not depend on the chain is prepared first; then the
    head is taken (``UPDATE … RETURNING`` locks the row on PostgreSQL and takes the write lock on
    SQLite) and the event inserted and the head moved — in one statement on PostgreSQL — with no
    savepoint: every case action passes here, so the head stays locked as briefly as possible."""
    fields = {
        "seq": 0,
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
        "prev_hash": "",
    }
    with transaction.atomic(savepoint=False):
        fields["seq"], fields["prev_hash"] = _advance_head()
        fields["hash"] = event_hash(fields)
        if connection.vendor == "postgresql":
            return _insert_and_move_head(fields)
        event = AuditEvent.objects.create(**fields)
        AuditHead.objects.filter(pk=1).update(hash=fields["hash"])
    return event


_FIELDS = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]


def _insert_and_move_head(fields: dict) -> AuditEvent:
    """PostgreSQL: insert the event and set the head's hash in one round trip."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in _FIELDS)
    marks = ", ".join(["%s"] * len(_FIELDS))
    values = [f.get_db_prep_save(fields[f.attname], connection) for f in _FIELDS]
    sql = (f"WITH ev AS (INSERT INTO {qn(AuditEvent._meta.db_table)} ({columns}) VALUES ({marks}) RETURNING id) "
           f"UPDATE {qn(AuditHead._meta.db_table)} SET hash = %s WHERE id = 1 RETURNING (SELECT id FROM ev)")
    with connection.cursor() as cur:
        cur.execute(sql, [*values, fields["hash"]])
        pk = cur.fetchone()[0]
    event = AuditEvent(pk=pk, **fields)
    event._state.adding, event._state.db = False, connection.alias
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
