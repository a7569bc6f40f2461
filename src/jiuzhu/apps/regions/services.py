"""Region import: validate every row first, then import all or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.core import uploads
from jiuzhu.rules.errors import ValidationFailed

from .codes import LEVELS, is_valid_code, level_of, parent_of
from .models import Region

MAX_FILE_BYTES = 64 * uploads.MB  # the whole country's villages are ~30 MB
HEADER_ALIASES = {
    "code": "code", "区划代码": "code", "代码": "code",
    "name": "name", "名称": "name",
    "parent_code": "parent_code", "parent": "parent_code", "上级代码": "parent_code", "上级区划代码": "parent_code",
}


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str
    parent_code: str


def parse_region_csv(text: str) -> list[RegionRow]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    if not rows:
        raise ValidationFailed("regions.empty", "文件为空", field="file")
    header = [HEADER_ALIASES.get(h.strip().lower(), HEADER_ALIASES.get(h.strip(), "")) for h in rows[0]]
    start = 1
    if "code" not in header:
        header, start = ["code", "name", "parent_code"], 0  # no header row
    idx = {name: header.index(name) for name in ("code", "name", "parent_code") if name in header}
    out = []
    for number, cells in enumerate(rows[start:], start=start + 1):
        if not any(c.strip() for c in cells):
            continue

        def cell(key, cells=cells):
            i = idx.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        out.append(RegionRow(number, cell("code"), cell("name"), cell("parent_code")))
    return out


def validate_region_rows(rows: list[RegionRow]) -> list[dict]:
    """Return one error per bad row (``row``, ``field``, ``message``); empty when all are good."""
    errors = []
    known = set(Region.objects.values_list("code", flat=True))
    in_file: dict[str, int] = {}
    for row in rows:
        if row.code in in_file:
            errors.append(_err(row, "code", f"区划代码 {row.code} 与第{in_file[row.code]}行重复"))
        elif is_valid_code(row.code):
            in_file[row.code] = row.line
    for row in rows:
        if not is_valid_code(row.code):
            errors.append(_err(row, "code", f"区划代码“{row.code}”应为12位数字"))
            continue
        if not row.name:
            errors.append(_err(row, "name", "名称不能为空"))
        elif len(row.name) > 100:
            errors.append(_err(row, "name", "名称过长（最多100字）"))
        expected_parent = parent_of(row.code)
        if expected_parent is None:
            if row.parent_code:
                errors.append(_err(row, "parent_code", "省级区划不应填写上级代码"))
            continue
        if row.parent_code != expected_parent:
            errors.append(_err(
                row, "parent_code",
                f"上级代码“{row.parent_code}”与区划代码不一致（{LEVELS[level_of(row.code)]}级代码 {row.code} 的上级应为 {expected_parent}）",
            ))
        elif row.parent_code not in known and row.parent_code not in in_file:
            errors.append(_err(row, "parent_code", f"上级代码 {row.parent_code} 既不在系统中，也不在文件中"))
    return sorted(errors, key=lambda e: e["row"])


def _err(row: RegionRow, field: str, message: str) -> dict:
    return {"row": row.line, "field": field, "message": f"第{row.line}行：{message}"}


def regions_import_file(*, actor, path, name: str | None = None) -> dict:
    """Import a region CSV file (UTF-8 or GBK), refusing an unreadable file before any row is read."""
    return regions_import(actor=actor, text=uploads.read_text(path, limit=MAX_FILE_BYTES, name=name))


def regions_import(*, actor, text: str) -> dict:
    """Import regions from CSV text (code, name, parent code). All rows or none."""
    rows = parse_region_csv(text)
    errors = validate_region_rows(rows)
    if errors:
        raise ValidationFailed(
            "regions.invalid_rows", f"导入失败：{len(errors)}行有错误，未导入任何数据", field="file", errors=errors
        )
    ordered = sorted(rows, key=lambda r: (level_of(r.code), r.code))
    names = dict(Region.objects.values_list("code", "full_name"))
    created = updated = 0
    with transaction.atomic():
        for row in ordered:
            parent_full = names.get(row.parent_code, "") if row.parent_code else ""
            full = f"{parent_full}{row.name}"
            _, was_created = Region.objects.update_or_create(
                code=row.code,
                defaults={"name": row.name, "level": level_of(row.code),
                          "parent_id": row.parent_code or None, "full_name": full},
            )
            names[row.code] = full
            created += was_created
            updated += not was_created
        audit_record(actor=actor, action="regions.import", subject_type="region", subject_id="*",
                     after={"created": created, "updated": updated})
    return {"created": created, "updated": updated, "rows": len(rows)}
