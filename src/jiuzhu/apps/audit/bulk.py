"""Bulk writes: many audit events in one chain extension, and the insert helpers bulk jobs share.

``audit_record_many`` computes each township chain's hashes in Python under its head-row lock (the
lock ``audit_record`` takes, so single and bulk writers of a chain serialize) and inserts every event at once: COPY
on PostgreSQL, executemany on SQLite. The rows hash exactly as ``audit_verify`` recomputes them.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.core.audit_keys import audit_keys

from .chain import chain_of, digest, event_hash
from .models import AuditChain, AuditEvent
from .services import advance_head

_EVENT_COLUMNS = ("chain", "seq", "at", "actor_id", "actor_name", "role", "region_code", "action", "subject_type",
                  "subject_id", "before_digest", "after_digest", "details", "reason", "prev_hash", "hash", "key_id")
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


def audit_record_many(*, actor, events, at=None) -> dict[str, tuple[int, int]]:
    """Append every event of ``events`` (dicts with ``action``, ``subject_type``, ``subject_id`` and
    optionally ``before``, ``after``, ``reason``, ``region_code``, ``details``) by one ``actor`` at one
    time, in order within each township's chain. Returns {chain: (first seq, last seq)}. Call inside
    the state change's transaction: the chain heads stay locked until it commits (taken in chain
    order, so two bulk writers never wait for each other in a cycle)."""
    events = list(events)
    for event in events:
        extra = set(event) - _EVENT_KEYS
        if extra:
            raise ValueError(f"unknown audit event keys: {sorted(extra)}")
    at = at or timezone.now()
    keys = audit_keys()
    actor_id = getattr(actor, "pk", None)
    actor_name = getattr(actor, "username", None) or "system"
    role = getattr(actor, "role", "") or ""
    actor_region = getattr(actor, "region_id", "") or ""
    by_chain: dict[str, list[tuple[str, dict]]] = {}
    for event in events:
        region = event.get("region_code") or actor_region
        by_chain.setdefault(chain_of(region), []).append((region, event))
    spans, rows = {}, []
    with transaction.atomic():
        for chain in sorted(by_chain):
            chained = by_chain[chain]
            last, prev = advance_head(chain, len(chained))
            first = last - len(chained) + 1
            for offset, (region, event) in enumerate(chained):
                fields = {
                    "chain": chain, "seq": first + offset, "at": at, "actor_id": actor_id,
                    "actor_name": actor_name, "role": role, "region_code": region, "action": event["action"],
                    "subject_type": event["subject_type"], "subject_id": str(event["subject_id"]),
                    "before_digest": digest(event.get("before")), "after_digest": digest(event.get("after")),
                    "details": _json_safe(event.get("details") or {}), "reason": event.get("reason") or "",
                    "prev_hash": prev, "key_id": keys.active,
                }
                fields["hash"] = prev = event_hash(fields, keys)
                rows.append(tuple(fields[c] for c in _EVENT_COLUMNS))
            AuditChain.objects.filter(chain=chain).update(hash=prev)
            spans[chain] = (first, last)
        bulk_insert(AuditEvent, _EVENT_COLUMNS, rows, json_columns=("details",))
    return spans


def _json_safe(details: dict) -> dict:
    """The details as they will read back from the JSON column (the hash covers the stored form)."""
    return json.loads(json.dumps(details, ensure_ascii=False))
