"""The 台账 of recognized low-income households (年审 plan 四(三)3 "建立低收入家庭人员台账，做到动态新增和
清退"): one row per recognition, its source case, validity and removal, as xlsx. Heads' ID numbers masked."""

from __future__ import annotations

from datetime import date
from typing import BinaryIO

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules.lowincome import CATEGORY_WORDS

from .selectors import ledger_rows

HEADERS = ("序号", "家庭编号", "户主", "户主身份证号", "村(居)", "类别", "认定日期", "有效期至", "认定案件",
           "状态", "清退日期", "清退原因", "说明")


def status_of(entry, today: date) -> str:
    if entry.removed_on is not None:
        return "已清退"
    if entry.valid_until is not None and entry.valid_until < today:
        return "已过期"
    return "有效"


def ledger_export(*, actor, out: BinaryIO, today: date) -> int:
    """Write the actor's 台账; returns the number of rows. Audited as ``lowincome.ledger_export``."""
    rows = ledger_rows(actor=actor, today=today)
    wb = xlsx_workbook(out)
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("低收入家庭台账")
    ws.set_column(0, len(HEADERS) - 1, 14)
    ws.write_row(0, 0, HEADERS, bold)
    n = 0
    for e in rows.iterator(chunk_size=2000):
        n += 1
        head = e.household.head
        ws.write_row(n, 0, [
            n, e.household.number, e.household.head_name, head.id_number_masked if head else "", e.region.name,
            CATEGORY_WORDS.get(e.category, e.category), e.recognized_on.isoformat(),
            e.valid_until.isoformat() if e.valid_until else "", e.source_case.number if e.source_case else "手工登记",
            status_of(e, today), e.removed_on.isoformat() if e.removed_on else "", e.removal_reason, e.note])
    wb.close()
    audit_record(actor=actor, action="lowincome.ledger_export", subject_type="region",
                 subject_id=getattr(actor, "region_id", "") or "", region_code=getattr(actor, "region_id", "") or "",
                 details={"rows": n})
    return n
