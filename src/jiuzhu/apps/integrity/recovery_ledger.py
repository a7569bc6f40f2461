"""The county's recovery ledger (追回台账) by township: items, total to recover, received, written off,
outstanding; a page and an xlsx (xlsxwriter through core.spreadsheets)."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Sum

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import scope_filter
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules.errors import Forbidden

from .models import RecoveryItem

COLUMNS = [("name", "乡镇（街道）"), ("items", "款项数"), ("total", "应追回(元)"), ("received", "已追回(元)"),
           ("written_off", "已核销(元)"), ("outstanding", "未追回(元)"), ("pending_write_off", "核销待批(件)")]


def items_visible(*, actor, status: str = ""):
    qs = scope_filter(RecoveryItem.objects.select_related("household", "region", "enrollment"), actor)
    return qs.filter(status=status) if status in RecoveryItem.Status.values else qs


def ledger(*, actor) -> dict:
    if not can(actor, "recovery.read"):
        raise Forbidden("forbidden", "您的角色不能查看追回台账")
    rows = (items_visible(actor=actor).values("region_id")
            .annotate(items=Count("id"), total=Sum("total"), received=Sum("received"),
                      written_off=Sum("written_off")).order_by("region_id"))
    pending = dict(items_visible(actor=actor, status="write_off_proposed").values("region_id")
                   .annotate(n=Count("id")).values_list("region_id", "n"))
    names = dict(Region.objects.filter(code__in=[r["region_id"] for r in rows]).values_list("code", "name"))
    out = []
    for r in rows:
        out.append({"code": r["region_id"], "name": names.get(r["region_id"], r["region_id"]), "items": r["items"],
                    "total": r["total"], "received": r["received"], "written_off": r["written_off"],
                    "outstanding": r["total"] - r["received"] - r["written_off"],
                    "pending_write_off": pending.get(r["region_id"], 0)})
    sums = {k: sum((row[k] for row in out), Decimal(0)) for k in ("total", "received", "written_off", "outstanding")}
    return {"rows": out, "sums": {**sums, "items": sum(r["items"] for r in out),
                                  "pending_write_off": sum(r["pending_write_off"] for r in out)}}


def ledger_xlsx(*, actor, now: datetime) -> bytes:
    data = ledger(actor=actor)
    buf = io.BytesIO()
    wb = xlsx_workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("追回台账")
    bold, money = wb.add_format({"bold": True}), wb.add_format({"num_format": "#,##0.00"})
    for col, (_, label) in enumerate(COLUMNS):
        ws.write(0, col, label, bold)
    for i, row in enumerate([*data["rows"], {"name": "合计", **data["sums"]}], start=1):
        for col, (key, _) in enumerate(COLUMNS):
            value = row[key]
            if isinstance(value, Decimal):
                ws.write_number(i, col, float(value), money)
            else:
                ws.write(i, col, value)
    ws.set_column(0, 0, 18)
    ws.set_column(1, len(COLUMNS) - 1, 14)
    wb.close()
    audit_record(actor=actor, action="recovery.ledger_export", subject_type="export", subject_id="recovery_ledger",
                 region_code=actor.region_id or "", after={"rows": len(data["rows"])}, at=now)
    return buf.getvalue()
