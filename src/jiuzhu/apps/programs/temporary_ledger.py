"""The county's 临时救助台账 (issue 14 §5): one month's temporary assistance, one row per payment (先行救助
or a stage of an approval, R-TA-03/06) and per referral decided in the month (转介服务, no money), with
township, the person (name and ID masked), kind, reason, amount, stages, approval level, date and
modality. A township sees its own rows, the county all; xlsx through ``core.spreadsheets`` (no cell is
ever a formula).

Set-based: the month's payment and decision records of temporary cases in the region range are read
with one query (joined to case, applicant and event), the cases' decisions and intakes with one query
each, region names with one; no query per row. A payment's month is its payment day (先行救助: the day
it was recorded; a stage: ``paid_on``); a payment is recorded on or after the day it was paid, so the
records read are those recorded since the month began.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.models import CaseRecord
from jiuzhu.apps.regions.codes import level_of, subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry.pii import mask_name
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules.errors import Forbidden, ValidationFailed
from jiuzhu.rules.workflow.temporary import KINDS, SPEC

from .temporary_documents import LEVELS
from .temporary_payloads import CATEGORIES, MODALITIES

PAYMENT_KINDS = ("ta_advance", "ta_payment")
CENT = Decimal("0.01")
HEADERS = ("序号", "乡镇(街道)", "村(社区)", "案件编号", "姓名", "身份证号", "救助类型", "困难类别", "救助事由",
           "款项", "金额(元)", "审批金额(元)", "分阶段", "审批层级", "发放日期", "救助方式", "领取人", "备用金支付")
WIDTHS = (6, 12, 12, 16, 8, 20, 8, 12, 40, 14, 12, 12, 22, 14, 12, 12, 8, 8)


@dataclass(frozen=True)
class LedgerRow:
    town: str
    town_name: str
    village_name: str
    case_id: int
    case_number: str
    name_masked: str
    id_number_masked: str
    kind: str  # 急难型 / 支出型
    category: str
    reason: str
    item: str  # 先行救助 / 第1期（共2期） / 转介
    amount: Decimal
    approved: Decimal | None
    stages: str
    level: str
    paid_on: date
    modality: str
    recipient: str
    from_reserve: bool


def parse_month(value) -> date:
    """``2026-12`` → 2026-12-01; anything else → a Chinese error naming ``month``."""
    text = str(value or "").strip()
    parts = text.split("-")
    if len(parts) == 2 and len(parts[0]) == 4 and parts[0].isdigit() and parts[1].isdigit() and len(parts[1]) <= 2:
        if 1 <= int(parts[1]) <= 12 and int(parts[0]) >= 2000:
            return date(int(parts[0]), int(parts[1]), 1)
    raise ValidationFailed("temporary.month", f"月份（month）“{text[:20]}”格式错误，应为 YYYY-MM（如 2026-12）",
                           field="month")


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _local(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone()) \
        if settings.USE_TZ else datetime.combine(day, time.min)


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _number(case_id: int, submitted_at: datetime) -> str:
    """The case number (``Case.number``) from the row's values, without loading the case."""
    return f"{SPEC.number_prefix}{timezone.localtime(submitted_at):%Y}{case_id:08d}"


def _on(rec: Mapping[str, Any]) -> date:
    if rec["kind"] == "ta_payment" and rec["data"].get("paid_on"):
        return date.fromisoformat(rec["data"]["paid_on"])
    return timezone.localtime(rec["event__at"]).date()


def ledger_rows(low: str, high: str, month: date) -> list[LedgerRow]:
    """The month's rows for the region range ``low``–``high``, by township, date and case."""
    first, last = month, _month_end(month)
    base = CaseRecord.objects.filter(case__program="temporary", case__region_id__gte=low, case__region_id__lte=high)
    records = list(base.filter(kind__in=(*PAYMENT_KINDS, "ta_decision"), event__at__gte=_local(first))
                   .values("id", "kind", "data", "case_id", "event__at", "case__submitted_at", "case__kind",
                           "case__region_id", "case__applicant__name", "case__applicant__id_number_masked"))
    picked = [r for r in records if (r["kind"] in PAYMENT_KINDS and first <= _on(r) <= last)
              or (r["kind"] == "ta_decision" and r["data"].get("modality") == "referral" and first <= _on(r) <= last)]
    cases = {r["case_id"] for r in picked}
    decisions: dict[int, dict] = {}
    for d in base.filter(case_id__in=cases, kind="ta_decision").order_by("id").values("case_id", "data"):
        decisions[d["case_id"]] = d["data"]  # the latest decision of each case
    intakes = {d["case_id"]: d["data"] for d in
               base.filter(case_id__in=cases, kind="ta_intake").order_by("id").values("case_id", "data")}
    codes = {r["case__region_id"] for r in picked} | {r["case__region_id"][:9] + "000" for r in picked}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    out = []
    for r in picked:
        d, decision, intake = r["data"], decisions.get(r["case_id"], {}), intakes.get(r["case_id"], {})
        town = r["case__region_id"][:9] + "000"
        stages = decision.get("stages") or []
        if r["kind"] == "ta_advance":
            item, amount, level = "先行救助", _money(d["amount"]), "乡镇先行救助"
        elif r["kind"] == "ta_payment":
            item, amount = f"第{d['stage']}期（共{d['of']}期）", _money(d["amount"])
            level = LEVELS.get(decision.get("level", ""), "")
        else:
            item, amount, level = f"转介：{d.get('referral_to', '')}", Decimal("0.00"), LEVELS.get(d.get("level", ""), "")
        out.append(LedgerRow(
            town=town, town_name=names.get(town, town), village_name=names.get(r["case__region_id"], ""),
            case_id=r["case_id"], case_number=_number(r["case_id"], r["case__submitted_at"]), name_masked=mask_name(r["case__applicant__name"]),
            id_number_masked=r["case__applicant__id_number_masked"] or "", kind=KINDS.get(r["case__kind"], ""),
            category=CATEGORIES.get(intake.get("category", ""), ""),
            reason=(d.get("reason") if r["kind"] == "ta_advance" else "") or intake.get("circumstance", ""),
            item=item, amount=amount, approved=_money(decision["amount"]) if decision.get("amount") else None,
            stages="、".join(f"{_money(s)}" for s in stages) if len(stages) > 1 else "",
            level=level, paid_on=_on(r), modality=MODALITIES.get(d.get("modality", ""), ""),
            recipient=mask_name(d.get("recipient", "")), from_reserve=bool(d.get("from_reserve"))))
    out.sort(key=lambda row: (row.town, row.paid_on, row.case_number, row.item))
    return out


def town_totals(rows: list[LedgerRow]) -> dict[str, dict]:
    """township → {cases, amount}: the cases with a row and the sum of the amounts (Decimal, to the fen)."""
    cases: dict[str, set] = defaultdict(set)
    amounts: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in rows:
        cases[row.town].add(row.case_id)
        amounts[row.town] += row.amount
    return {t: {"cases": len(cases[t]), "amount": amounts[t]} for t in cases}


def _region(actor, region: str) -> str:
    if not can(actor, "temporary.ledger"):
        raise Forbidden("forbidden", "您的角色不能查看临时救助台账")
    own = getattr(actor, "region_id", "") or ""
    code = str(region or "").strip() or (own if level_of(own) <= 4 else own[:9] + "000")
    if not Region.objects.filter(code=code).exists():
        raise ValidationFailed("temporary.region", "区划（region）不存在", field="region")
    if not in_scope(actor, code):
        raise Forbidden("forbidden", "该区划不在您的管辖范围内，不能查看其临时救助台账", field="region")
    return code


def temporary_ledger(*, actor, month, region: str = "") -> dict:
    """The actor's ledger of ``month`` (YYYY-MM): their township's, or the county's (optionally one township)."""
    m = parse_month(month)
    code = _region(actor, region)
    rows = ledger_rows(*subtree_range(code), m)
    name = Region.objects.filter(code=code).values_list("name", flat=True).first() or code
    total = sum((r.amount for r in rows), Decimal("0.00"))
    return {"month": m, "region": code, "region_name": name, "rows": rows, "total": total,
            "cases": len({r.case_id for r in rows})}


def ledger_xlsx(*, actor, month, region: str = "", now: datetime) -> tuple[str, bytes]:
    """(filename, xlsx) of the ledger, audited as ``temporary.ledger_export``."""
    data = temporary_ledger(actor=actor, month=month, region=region)
    buf = io.BytesIO()
    wb = xlsx_workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("临时救助台账")
    bold, money = wb.add_format({"bold": True}), wb.add_format({"num_format": "#,##0.00"})
    title = f"{data['region_name']}临时救助台账（{data['month']:%Y年%m月}）"
    ws.write(0, 0, title, bold)
    ws.write_row(1, 0, HEADERS, bold)
    for i, width in enumerate(WIDTHS):
        ws.set_column(i, i, width)
    for n, r in enumerate(data["rows"], start=1):
        ws.write_row(n + 1, 0, [n, r.town_name, r.village_name, r.case_number, r.name_masked, r.id_number_masked,
                                r.kind, r.category, r.reason, r.item])
        ws.write_number(n + 1, 10, float(r.amount), money)
        if r.approved is not None:
            ws.write_number(n + 1, 11, float(r.approved), money)
        ws.write_row(n + 1, 12, [r.stages, r.level, r.paid_on.isoformat(), r.modality, r.recipient,
                                 "是" if r.from_reserve else ""])
    last = len(data["rows"]) + 2
    ws.write(last, 0, "合计", bold)
    ws.write(last, 3, f"{data['cases']} 件")
    ws.write_number(last, 10, float(data["total"]), money)
    wb.close()
    audit_record(actor=actor, action="temporary.ledger_export", subject_type="region", subject_id=data["region"],
                 region_code=data["region"], details={"month": f"{data['month']:%Y-%m}", "rows": len(data["rows"])},
                 at=now)
    return f"{title}.xlsx", buf.getvalue()


def townships_visible(*, actor) -> list[tuple[str, str]]:
    """(code, name) of the townships the actor's ledger may be narrowed to."""
    low, high = subtree_range(getattr(actor, "region_id", "") or "0" * 12)
    return list(Region.objects.filter(level=4, code__gte=low, code__lte=high).order_by("code")
                .values_list("code", "name"))
