"""The 备用金 reconciliation sheet (备用金月末对账单) as xlsx (core.spreadsheets: strings never become
formulas) and PDF (the documents toolkit: WeasyPrint, local fonts only, CJK font checked), audited."""

from __future__ import annotations

import io
from datetime import date, datetime

from django.template.loader import render_to_string

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.documents.render import cjk_font_check, html_to_pdf
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules.errors import ValidationFailed

from .reconciliation import MonthRow, township_sheet

FORMATS = ("xlsx", "pdf")
SUMMARY = (("期初余额", "opening"), ("县级拨付", "allocated"), ("县级补充", "replenished"), ("救助支出", "drawn"),
           ("期末余额", "closing"), ("台账期末余额", "ledger_closing"))
LINE_HEADERS = ("日期", "类别", "案件编号", "救助对象", "支付事项", "金额(元)", "结余(元)", "说明")


def title(row: MonthRow, month: date) -> str:
    return f"{row.name}临时救助备用金{month.year}年{month.month}月对账单"


def sheet_xlsx(row: MonthRow, month: date) -> bytes:
    out = io.BytesIO()
    wb = xlsx_workbook(out, {"in_memory": True})
    bold, money = wb.add_format({"bold": True}), wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet("对账单")
    ws.write_string(0, 0, title(row, month), bold)
    for i, (label, key) in enumerate(SUMMARY, start=2):
        ws.write_string(i, 0, label)
        ws.write_number(i, 1, float(getattr(row, key)), money)
    ws.write_string(len(SUMMARY) + 2, 0, "支出笔数")
    ws.write_number(len(SUMMARY) + 2, 1, row.draws)
    ws.write_string(len(SUMMARY) + 3, 0, "对账结果")
    ws.write_string(len(SUMMARY) + 3, 1, "相符" if row.matched else "不符")
    top = len(SUMMARY) + 5
    ws.write_row(top, 0, LINE_HEADERS, bold)
    for i, line in enumerate(row.lines, start=top + 1):
        ws.write_string(i, 0, f"{line['date']:%Y-%m-%d}")
        for j, key in enumerate(("kind", "case", "recipient", "reference"), start=1):
            ws.write_string(i, j, str(line[key]))
        ws.write_number(i, 5, float(line["amount"]), money)
        ws.write_number(i, 6, float(line["balance_after"]), money)
        ws.write_string(i, 7, str(line["note"]))
    ws.set_column(0, 0, 14)
    ws.set_column(1, 7, 14)
    wb.close()
    return out.getvalue()


def sheet_pdf(row: MonthRow, month: date, *, today: date) -> bytes:
    cjk_font_check()
    html = render_to_string("reserve/reconciliation_sheet.html",
                            {"title": title(row, month), "row": row, "month": month, "today": today,
                             "summary": [(label, getattr(row, key)) for label, key in SUMMARY]})
    return html_to_pdf(html)


def reserve_sheet_export(*, actor, township: str, month: date, fmt: str, now: datetime,
                         today: date) -> tuple[str, bytes]:
    """(file name, content) of one township's sheet in ``fmt``; region-scoped and audited."""
    if fmt not in FORMATS:
        raise ValidationFailed("reserve.format", f"导出格式（format）“{str(fmt)[:10]}”不支持，应为 xlsx 或 pdf",
                               field="format")
    row = township_sheet(actor=actor, township=township, month=month)
    content = sheet_xlsx(row, month) if fmt == "xlsx" else sheet_pdf(row, month, today=today)
    audit_record(actor=actor, action="reserve.reconcile_export", subject_type="reserve_fund", subject_id=township,
                 region_code=township, details={"month": f"{month:%Y-%m}", "format": fmt}, at=now)
    return f"{title(row, month)}.{fmt}", content
