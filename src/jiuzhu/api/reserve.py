"""Township 临时救助备用金 (``/v1/reserve``, R-TA-07, issue 14 §2): balances in the caller's scope, a township's
ledger, the county's allocation, the township's replenishment request and its approval, the month-end
reconciliation. Thin: parse → the selectors and services the /reserve/ pages use; roles and region scope live
there (a township outside the caller's region: 404; a role that may not: 403)."""

from __future__ import annotations

import re

from django.utils import timezone
from ninja import Query, Router, Status

from jiuzhu.apps.accounts.names import display_name
from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.reserve import reconciliation as rec
from jiuzhu.apps.reserve import replenishment as rep
from jiuzhu.apps.reserve.models import ReserveEntry, ReserveReplenishment
from jiuzhu.apps.reserve.selectors import fund_balances, township_entries
from jiuzhu.apps.reserve.services import reserve_allocate
from jiuzhu.rules.errors import Forbidden

from .reserve_schemas import (
    TOWNSHIP_PATTERN,
    AllocationIn,
    DecideIn,
    EntryOut,
    EntryPage,
    EntryQuery,
    FundOut,
    MonthIn,
    MonthOut,
    MonthQuery,
    ReplenishIn,
    ReplenishmentOut,
)
from .schemas import RowId, errors

router = Router(tags=["reserve"])
KIND_LABELS = dict(ReserveEntry.Kind.choices)
STATUS_LABELS = dict(ReserveReplenishment.Status.choices)
Township = str  # the path's 12-digit code; checked against TOWNSHIP_PATTERN by the selector/service (404)


def _viewer(actor) -> None:
    if not can(actor, "reserve.view"):
        raise Forbidden("reserve.role", "您的角色不能查看备用金")


def _money(value) -> str:
    return f"{value:.2f}"


def entry_out(e: ReserveEntry) -> dict:
    return {"id": str(e.pk), "kind": e.kind, "kind_label": KIND_LABELS.get(e.kind, e.kind), "amount": _money(e.amount),
            "balance_after": _money(e.balance_after), "case": str(e.case_id) if e.case_id else None,
            "case_number": e.case.number if e.case is not None else None, "reference": e.reference,
            "replenishment": str(e.replenishment_id) if e.replenishment_id else None, "note": e.note,
            "at": timezone.localtime(e.at), "actor": display_name(e.actor)}


def replenishment_out(r: ReserveReplenishment) -> dict:
    return {"id": str(r.pk), "number": r.number, "township": r.fund_id, "status": r.status,
            "status_label": STATUS_LABELS.get(r.status, r.status), "amount": _money(r.amount),
            "draw_count": r.draw_count, "listing": r.listing, "note": r.note,
            "requested_by": display_name(r.requested_by), "requested_at": timezone.localtime(r.requested_at),
            "decided_by": display_name(r.decided_by) if r.decided_by_id else None,
            "decided_at": timezone.localtime(r.decided_at) if r.decided_at else None, "reason": r.reason}


def month_out(row, month) -> dict:
    keys = ("opening", "allocated", "replenished", "drawn", "closing", "ledger_closing")
    return {"township": row.code, "name": row.name, "month": f"{month:%Y-%m}", **{k: _money(getattr(row, k)) for k in keys},
            "draws": row.draws, "matched": row.matched, "status": row.status,
            "confirmed_at": timezone.localtime(row.confirmed_at) if row.confirmed_at else None}


def _township(code: str) -> str:
    return code if re.fullmatch(TOWNSHIP_PATTERN, code) else "-"  # any other text: not found, as a foreign code


@router.get("", response={200: list[FundOut], **errors(403)}, summary="管辖范围内各乡镇备用金余额及对账",
            description="县级看到所有乡镇，乡镇看到本乡镇（未设立备用金的乡镇余额为 0）。")
def fund_list(request):
    _viewer(request.auth)
    return [{"township": r["code"], "name": r["name"], "balance": _money(r["balance"]),
             "allocated": _money(r["allocated"]), "replenished": _money(r["replenished"]), "drawn": _money(r["drawn"]),
             "reconciled": r["reconciled"]} for r in fund_balances(actor=request.auth)]


@router.get("/reconciliation", response={200: list[MonthOut], **errors(403, 422)},
            summary="月末对账：管辖范围内各乡镇某月的期初、拨付、补充、支出、期末及对账状态")
def month_list(request, q: Query[MonthQuery]):
    _viewer(request.auth)
    month = rec.parse_month(q.month)
    return [month_out(r, month) for r in rec.month_rows(actor=request.auth, month=month)]


@router.get("/{township}/entries", response={200: EntryPage, **errors(403, 404, 422)},
            summary="乡镇备用金收支台账（最新在前，每页 100 条）",
            description="乡镇不存在或不在本人管辖范围内 404。")
def entry_list(request, township: Township, q: Query[EntryQuery]):
    _viewer(request.auth)
    rows, more = township_entries(actor=request.auth, township=_township(township), page=q.page)
    return {"items": [entry_out(e) for e in rows], "next_page": q.page + 1 if more else None}


@router.post("/{township}/allocations", response={201: EntryOut, **errors(403, 404, 422)},
             summary="县级向乡镇拨付备用金",
             description="仅县民政。金额须大于 0（元，两位小数）；字段错误 422，未作任何更改；其他角色 403；乡镇不在管辖范围 404。")
def allocation_create(request, township: Township, payload: AllocationIn):
    entry = reserve_allocate(actor=request.auth, township_code=_township(township), amount=payload.amount,
                             note=payload.note, now=timezone.now())
    return Status(201, entry_out(entry))


@router.post("/{township}/replenishments", response={201: ReplenishmentOut, **errors(403, 404, 409, 422)},
             summary="申请补充备用金（列出自上次申请以来的支出）",
             description="乡镇经办人、审核人或县民政（代乡镇申请）。已有待审批申请或没有新支出 409。")
def replenishment_create(request, township: Township, payload: ReplenishIn):
    made = rep.reserve_replenish_request(actor=request.auth, township_code=_township(township), note=payload.note,
                                         now=timezone.now())
    return Status(201, replenishment_out(made))


def _decide(request, request_id: int, payload: DecideIn, service) -> dict:
    service(actor=request.auth, request_id=request_id, reason=payload.reason, now=timezone.now())
    found = rep.replenishments_visible(actor=request.auth).get(pk=request_id)
    return replenishment_out(found)


@router.post("/replenishments/{request_id}/approve", response={200: ReplenishmentOut, **errors(403, 404, 409, 422)},
             summary="批准补充申请（县民政，不能审批本人提出的申请）")
def replenishment_approve(request, request_id: RowId, payload: DecideIn):
    return _decide(request, request_id, payload, rep.reserve_replenish_approve)


@router.post("/replenishments/{request_id}/refuse", response={200: ReplenishmentOut, **errors(403, 404, 409, 422)},
             summary="不予补充（县民政，须说明理由；所列支出可再次申请）")
def replenishment_refuse(request, request_id: RowId, payload: DecideIn):
    return _decide(request, request_id, payload, rep.reserve_replenish_refuse)


@router.post("/{township}/reconciliations", response={201: MonthOut, **errors(403, 404, 409, 422)},
             summary="确认月末对账（乡镇；月份结束后、到分相符时，每月一次）")
def reconciliation_confirm(request, township: Township, payload: MonthIn):
    code = _township(township)
    done = rec.reserve_reconcile_confirm(actor=request.auth, township=code, month=payload.month, now=timezone.now())
    return Status(201, month_out(rec.month_rows(actor=request.auth, month=done.month, township=code)[0], done.month))
