"""Hash chain arithmetic over a canonical JSON of each event.

Events carry the id of the audit key that sealed them (``key_id``): their hash is HMAC-SM3 under that
key (kept in the key file, outside the database), so an attacker who can write the database cannot
recompute a link. Events written before the keyed chain (``key_id`` "", legacy) hash with plain SM3.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from jiuzhu.core.audit_keys import AuditKeys, audit_keys
from jiuzhu.core.crypto import sm3_hex

GENESIS = "0" * 64


def chain_of(region_code: str) -> str:
    """The chain an event of ``region_code`` joins: its township (the code's first 9 digits; a
    county's own code gives the county's chain), or "" for events without a region."""
    return (region_code or "")[:9]


def canonical(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def digest(data) -> str:
    return "" if data is None else sm3_hex(canonical(data))


def event_hash(fields: dict, keys: AuditKeys | None = None) -> str:
    """The event's link hash: HMAC-SM3 under its ``key_id`` (``keys`` defaults to the key file's audit
    keys; an unknown key id raises KeyError_), or plain SM3 for a legacy event (``key_id`` "")."""
    at = fields["at"]
    if isinstance(at, datetime):
        at = at.astimezone(UTC).isoformat(timespec="microseconds")
    body = {k: fields[k] for k in HASHED_FIELDS}
    body["at"] = at
    if fields.get("chain"):  # events of the single chain written before chains per township hash without it
        body["chain"] = fields["chain"]
    key_id = fields.get("key_id") or ""
    if not key_id:
        return sm3_hex(canonical(body))
    body["key_id"] = key_id
    return (keys or audit_keys()).mac(key_id, canonical(body))


HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_name", "role", "region_code", "action", "subject_type",
    "subject_id", "before_digest", "after_digest", "details", "reason", "prev_hash",
)
