"""Hash chain arithmetic (SM3 over a canonical JSON of each event)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

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


def event_hash(fields: dict) -> str:
    at = fields["at"]
    if isinstance(at, datetime):
        at = at.astimezone(timezone.utc).isoformat(timespec="microseconds")
    body = {k: fields[k] for k in HASHED_FIELDS}
    body["at"] = at
    if fields.get("chain"):  # events of the single chain written before chains per township hash without it
        body["chain"] = fields["chain"]
    return sm3_hex(canonical(body))


HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_name", "role", "region_code", "action", "subject_type",
    "subject_id", "before_digest", "after_digest", "details", "reason", "prev_hash",
)
