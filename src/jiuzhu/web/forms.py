"""Turning POSTed form fields into the plain dicts services expect, and service errors back into
per-field messages. No validation here: the services (apps/registry/inputs.py) own every rule."""

from __future__ import annotations

import re

from jiuzhu.apps.registry.choices import (
    DisabilityKind,
    Employment,
    Health,
    MoveReason,
    Relation,
)

HOUSEHOLD_FIELDS = ("region_code", "residence_region_code", "area_type", "address", "bank_account", "bank_name")
MEMBER_FIELDS = ("name", "id_number", "relation", "phone", "disability_kind", "disability_grade", "health",
                 "employment")
MIN_MEMBER_ROWS = 4
_ROW_KEY = re.compile(r"^m-(\d+)-")
_MEMBER_PATH = re.compile(r"^members\[(\d+)\](?:\.(\w+))?$")

CHOICES = {
    "relation": Relation.choices,
    "disability_kind": DisabilityKind.choices,
    "health": Health.choices,
    "employment": Employment.choices,
    "reason": MoveReason.choices,
}


def _member_from(post, prefix: str) -> dict:
    row = {f: post.get(f"{prefix}{f}", "").strip() for f in MEMBER_FIELDS}
    row["co_resident"] = post.get(f"{prefix}co_resident") == "on"
    return row


def _filled(row: dict) -> bool:
    return any(row[f] for f in ("name", "id_number", "phone"))


def household_data_from_post(post) -> tuple[dict, list[dict]]:
    """(data for the service, the filled member rows in order). Empty member rows are dropped."""
    data = {f: post.get(f, "").strip() for f in HOUSEHOLD_FIELDS}
    indices = sorted({int(m.group(1)) for k in post.keys() if (m := _ROW_KEY.match(k))})
    rows = [r for r in (_member_from(post, f"m-{i}-") for i in indices) if _filled(r)]
    data["members"] = rows
    return data, rows


def household_edit_data_from_post(post) -> dict:
    return {f: post.get(f, "").strip() for f in HOUSEHOLD_FIELDS if f != "region_code"}


def member_data_from_post(post) -> dict:
    return _member_from(post, "")


def blank_member(relation: str = "") -> dict:
    return {**{f: "" for f in MEMBER_FIELDS}, "relation": relation, "co_resident": True,
            "disability_kind": "none", "disability_grade": "0", "health": "healthy"}


def error_items(exc) -> list[dict]:
    """Every field error of a DomainError: the list of a ValidationFailed, or its single field."""
    items = exc.details.get("errors")
    if items:
        return list(items)
    return [{"field": exc.details.get("field", ""), "code": exc.code, "message": exc.message}]


class FormErrors:
    """Errors split by where they are shown: household fields, member rows (by index), the rest on top."""

    def __init__(self, items: list[dict] | None = None, member_prefix: str = "members"):
        self.fields: dict[str, list[str]] = {}
        self.rows: dict[int, dict[str, list[str]]] = {}
        self.general: list[str] = []
        for item in items or []:
            self._add(item.get("field") or "", item["message"], member_prefix)

    def _add(self, path: str, message: str, member_prefix: str):
        if member_prefix == "member" and path.startswith("member."):
            self.fields.setdefault(path.split(".", 1)[1], []).append(message)
            return
        m = _MEMBER_PATH.match(path)
        if m and m.group(2):
            self.rows.setdefault(int(m.group(1)), {}).setdefault(m.group(2), []).append(message)
        elif path in HOUSEHOLD_FIELDS or path in ("reason", "relation", "to_household") or (
                path == "members" and member_prefix == "members"):
            self.fields.setdefault(path, []).append(message)
        else:
            self.general.append(message)

    def __bool__(self):
        return bool(self.fields or self.rows or self.general)


def member_rows(rows: list[dict], errors: FormErrors | None = None, minimum: int = MIN_MEMBER_ROWS) -> list[dict]:
    """Rows for the template: the given values (errors attached by index) padded with blank rows."""
    rows = list(rows) or [blank_member("head")]
    while len(rows) < minimum:
        rows.append(blank_member())
    errors = errors or FormErrors()
    return [{"index": i, "values": r, "errors": errors.rows.get(i, {})} for i, r in enumerate(rows)]


def parse_household_ref(raw: str) -> int | None:
    """``H00000012`` or ``12`` → 12."""
    raw = (raw or "").strip().upper()
    if raw.startswith("H"):
        raw = raw[1:]
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def parse_int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None
