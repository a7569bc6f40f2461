"""The monthly statistical return for a user: scope and input checks (:func:`monthly_return`), and
the exports — xlsx with one sheet per table plus the ledger check, and an A4 landscape PDF
(WeasyPrint, CJK fonts as the other documents). Both are refused when the amounts differ from the
payroll ledger (:class:`monthly_return.LedgerMismatch`); each export is audited."""

from __future__ import annotations

from datetime import date, datetime

from django.template.loader import render_to_string

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.documents.render import cjk_font_check, html_to_pdf
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.rules.errors import Forbidden, ValidationFailed

from .monthly_return import LedgerMismatch, ReturnData, build_return
from .selectors import check_reader
from .services import check_region, parse_month
from .xlsx import panels_xlsx

FORMATS = ("xlsx", "pdf")


def title(data: ReturnData) -> str:
    return f"{data.region_name}社会救助月度统计报表（{data.month:%Y年%m月}）"


def monthly_return(*, actor, month, region_code: str, today: date) -> ReturnData:
    """The return of ``month`` (YYYY-MM) for a county or township in the actor's scope (``actor``
    None: the system, e.g. the CLI). Bad input raises a Chinese error naming the field."""
    m = parse_month(month)
    if m > today.replace(day=1):
        raise ValidationFailed("stats.month", f"月份 {m:%Y-%m} 尚未开始，不能生成报表", field="month")
    code = str(region_code or "").strip()
    if actor is not None:
        check_reader(actor)
        if not in_scope(actor, code):
            raise Forbidden("forbidden", "该区划不在您的管辖范围内，不能生成其报表", field="region")
    code = check_region(None, code)
    return build_return(region_code=code, month=m, today=today)


def return_xlsx(data: ReturnData) -> bytes:
    data.require_balanced()
    return panels_xlsx([*data.tables, data.check], heading=title(data))


def return_pdf(data: ReturnData, *, today: date) -> bytes:
    data.require_balanced()
    cjk_font_check()
    html = render_to_string("stats/monthly_return.html",
                            {"title": title(data), "data": data, "tables": [*data.tables, data.check], "today": today})
    return html_to_pdf(html)


def return_export(*, actor, data: ReturnData, fmt: str, now: datetime, today: date) -> bytes:
    """The file in ``fmt`` (xlsx | pdf), audited; refused when the ledger check fails."""
    if fmt not in FORMATS:
        raise ValidationFailed("stats.format", f"导出格式（format）“{str(fmt)[:10]}”不支持，应为 xlsx 或 pdf", field="format")
    try:
        content = return_xlsx(data) if fmt == "xlsx" else return_pdf(data, today=today)
    except LedgerMismatch:
        audit_record(actor=actor, action="stats.return_refused", subject_type="region", subject_id=data.region,
                     region_code=data.region, details={"month": f"{data.month:%Y-%m}", "format": fmt,
                                                       "mismatches": len(data.mismatches)}, at=now)
        raise
    audit_record(actor=actor, action="stats.return_export", subject_type="region", subject_id=data.region,
                 region_code=data.region, details={"month": f"{data.month:%Y-%m}", "format": fmt}, at=now)
    return content
