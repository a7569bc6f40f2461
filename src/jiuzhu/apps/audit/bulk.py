"""Bulk writes: many audit events in one chain extension, and the insert helpers bulk jobs share.

``audit_record_many`` computes the hash chain in Python under the head-row lock (the same lock
``audit_record`` takes, so single and bulk writers serialize) and inserts every event at once: COPY
on PostgreSQL, executemany on SQLite. The rows hash exactly as ``audit_verify`` recomputes them.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .chain import GENESIS, digest, event_hash
from .models import AuditEvent, AuditHead

_EVENT_COLUMNS = ("seq", "at", "actor_id", "actor_name", "role", "region_code", "action", "subject_type",
                  "subject_id", "before_digest", "after_digest", "details", "reason", "prev_hash", "hash")
_EVENT_KEYS = {"action", "subject_type", "subject_id", "before", "after", "reason", "region_code", "details"}


def bulk_insert(model, columns: tuple[str, ...] | list[str], rows, *, json_columns: tuple[str, ...] = ()) -> int:
    """Insert ``rows`` (tuples in ``columns`` order, attribute names of ``model``) without the ORM per row:
    COPY on PostgreSQL, executemany on other databases. ``json_columns`` hold dicts, serialized here.
    Returns the number of rows written. Call inside the caller's transaction."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    fields = [model._meta.get_field(c) for c in columns]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    json_at = [i for i, c in enumerate(columns) if c in json_columns]
    if connection.vendor == "postgresql":
        with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
        return len(rows)
    prep = [f.get_db_prep_save for f in fields]
    adapted = [[p(v, connection) if i not in json_at else json.dumps(v, ensure_ascii=False)
                for i, (p, v) in enumerate(zip(prep, row))] for row in rows]
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", adapted)
    return len(rows)


def allocate_ids(model, n: int) -> list[int]:
    """``n`` fresh primary keys for ``model``, taken from the sequence on PostgreSQL (safe beside
    concurrent inserts); on SQLite after the current maximum (the caller holds the write lock, or a
    collision fails its transaction). On PostgreSQL nothing else needs resetting afterwards."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cur.fetchone()[0] + 1
    return list(range(start, start + n))


def audit_record_many(*, actor, events, at=None) -> tuple[int, int]:
    """Append every event of ``events`` (dicts with ``action``, ``subject_type``, ``subject_id`` and
    optionally ``before``, ``after``, ``reason``, ``region_code``, ``details``) by one ``actor`` at one
    time, in order. Returns (first seq, last seq), (0, 0) when there is nothing to record. Call inside
    the state change's transaction: the head row stays locked until it commits."""
    events = list(events)
    if not events:
        return 0, 0
    for event in events:
        extra = set(event) - _EVENT_KEYS
        if extra:
            raise ValueError(f"unknown audit event keys: {sorted(extra)}")
    at = at or timezone.now()
    actor_id = getattr(actor, "pk", None)
    actor_name = getattr(actor, "username", None) or "system"
    role = getattr(actor, "role", "") or ""
    actor_region = getattr(actor, "region_id", "") or ""
    with transaction.atomic():
        if not AuditHead.objects.filter(pk=1).exists():
            AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        AuditHead.objects.filter(pk=1).update(seq=F("seq") + len(events))  # takes the lock, reserves the seqs
        head = AuditHead.objects.get(pk=1)
        first = head.seq - len(events) + 1
        prev = head.hash
        rows = []
        for offset, event in enumerate(events):
            fields = {
                "seq": first + offset, "at": at, "actor_id": actor_id, "actor_name": actor_name, "role": role,
                "region_code": event.get("region_code") or actor_region, "action": event["action"],
                "subject_type": event["subject_type"], "subject_id": str(event["subject_id"]),
                "before_digest": digest(event.get("before")), "after_digest": digest(event.get("after")),
                "details": _json_safe(event.get("details") or {}), "reason": event.get("reason") or "",
                "prev_hash": prev,
            }
            fields["hash"] = prev = event_hash(fields)
            rows.append(tuple(fields[c] for c in _EVENT_COLUMNS))
        bulk_insert(AuditEvent, _EVENT_COLUMNS, rows, json_columns=("details",))
        AuditHead.objects.filter(pk=1).update(hash=prev)
    return first, head.seq


def _json_safe(details: dict) -> dict:
    """The details as they will read back from the JSON column (the hash covers the stored form)."""
    return json.loads(json.dumps(details, ensure_ascii=False))
