"""Export the low-income register of a region to xlsx (xlsxwriter, constant memory). Heads' ID numbers
are written masked only; the 家庭编号 column identifies the household, so the file (after removing the
rows already registered) imports back. Audited as ``lowincome.export``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import BinaryIO

from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.core.spreadsheets import xlsx_workbook

from .register_columns import CATEGORY_SHORT, EXPORT_HEADERS
from .register_import import check_registrar
from .register_selectors import entry_valid, register_rows, temporary_since

_CHUNK = 2000


def register_export(*, actor, region_code: str, out: str | Path | BinaryIO, today: date | None = None,
                    progress=None) -> dict:
    """Write every register entry of ``region_code``'s subtree; returns {"rows", "valid"}."""
    step = progress or (lambda label, done, total: None)
    region_code = check_registrar(actor, region_code, permission="lowincome.read", what="导出低收入人口登记")
    today = today or timezone.localdate()
    since = temporary_since(region_code, today)
    qs = register_rows(actor=actor, region_code=region_code)
    total = qs.count()
    wb = xlsx_workbook(out, {"constant_memory": True})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("低收入人口登记")
    ws.set_column(0, len(EXPORT_HEADERS) - 1, 14)
    ws.write_row(0, 0, EXPORT_HEADERS, bold)
    n = valid = 0
    for e in qs.iterator(chunk_size=_CHUNK):
        n += 1
        ok = entry_valid(e, today, since)
        valid += ok
        head = e.household.head
        ws.write_row(n, 0, [
            n, e.household.number, e.household.head_name, head.id_number_masked if head else "", e.region_id,
            e.region.name, CATEGORY_SHORT.get(e.category, e.category), e.recognized_on.isoformat(),
            e.valid_until.isoformat() if e.valid_until else "", e.note, "有效" if ok else "已过期",
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M")])
        if n % 5000 == 0:
            step("导出", n, total)
    wb.close()
    step("导出", total, total)
    audit_record(actor=actor, action="lowincome.export", subject_type="region", subject_id=region_code,
                 region_code=region_code, details={"rows": n, "valid": valid})
    return {"rows": n, "valid": valid}
