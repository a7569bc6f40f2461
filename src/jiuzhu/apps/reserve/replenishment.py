"""补充备用金申请 (R-TA-07, issue 14 §2): the township asks the county to make good what it paid out.

The request lists every draw of the township's fund not yet covered by a request (the draws since the
last one), its amount is their sum; one request at a time per township. A county user other than the
requester approves it — a replenishment entry raises the balance by that amount — or refuses it with a
reason, which frees the draws for the next request. Each service locks the rows it changes and writes
its audit event in the same transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.scope import in_scope, scope_q
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.explain import yuan

from .models import ReserveEntry, ReserveFund, ReserveReplenishment

NOTE_MAX, REASON_MAX = 200, 500


def _text(value, *, field: str, label: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ValidationFailed("reserve.text", f"{label}：过长（最多 {limit} 个字）", field=field)
    return text


def uncovered_draws(fund_id: str):
    """The draws of a fund no request covers yet (the draws since the last request), oldest first."""
    return (ReserveEntry.objects.filter(fund_id=fund_id, kind=ReserveEntry.Kind.DRAW, replenishment__isnull=True)
            .select_related("case").order_by("id"))


def reserve_replenish_request(*, actor, township_code: str, note: str = "", now: datetime) -> ReserveReplenishment:
    """The township requests a replenishment of the draws since its last request."""
    if not can(actor, "reserve.request"):
        raise Forbidden("reserve.role", "您的角色不能申请补充备用金")
    note = _text(note, field="note", label="申请说明", limit=NOTE_MAX)
    if not in_scope(actor, township_code):
        raise NotFound("reserve.township", "乡镇不存在或不在您的管辖范围内", field="township")
    with transaction.atomic():
        fund = ReserveFund.objects.select_for_update().filter(pk=township_code).first()
        if fund is None:
            raise NotFound("reserve.no_fund", "本乡镇尚未设立备用金（县级尚未拨付）", field="township")
        pending = fund.replenishments.filter(status=ReserveReplenishment.Status.PENDING).first()
        if pending is not None:
            raise Conflict("reserve.request_pending", f"已有待县级审批的补充申请 {pending.number}，请待审批后再申请",
                           field="general", request=pending.pk)
        draws = list(uncovered_draws(fund.pk))
        if not draws:
            raise Conflict("reserve.no_draws", "自上次申请补充以来没有备用金支出，无需申请补充", field="general")
        amount = sum((d.amount for d in draws), Decimal(0))
        listing = [{"entry": d.pk, "date": f"{d.at:%Y-%m-%d}", "case": d.case.number, "case_id": d.case_id,
                    "reference": d.reference, "amount": str(d.amount)} for d in draws]
        request = ReserveReplenishment.objects.create(fund=fund, amount=amount, draw_count=len(draws), listing=listing,
                                                      note=note, requested_by=actor, requested_at=now)
        ReserveEntry.objects.filter(pk__in=[d.pk for d in draws]).update(replenishment=request)
        audit_record(actor=actor, action="reserve.replenish_request", subject_type="reserve_replenishment",
                     subject_id=str(request.pk), region_code=fund.pk, after={"amount": str(amount), "draws": len(draws)},
                     reason=note, at=now)
    return request


def _pending(actor, request_id) -> ReserveReplenishment:
    if not can(actor, "reserve.approve"):
        raise Forbidden("reserve.role", "您的角色不能审批补充备用金申请")
    request = (ReserveReplenishment.objects.select_for_update().filter(scope_q(actor, "fund__region"))
               .filter(pk=request_id).first()) if str(request_id).isdigit() else None
    if request is None:
        raise NotFound("reserve.request", "补充申请不存在或不在您的管辖范围内")
    if request.requested_by_id == actor.pk:  # maker-checker
        raise Forbidden("reserve.own_request", "不能审批本人提出的补充申请，请由县级其他工作人员审批")
    if request.status != ReserveReplenishment.Status.PENDING:
        raise Conflict("reserve.request_decided", f"补充申请 {request.number} 已{request.get_status_display()}，不能再次审批")
    return request


def reserve_replenish_approve(*, actor, request_id, reason: str = "", now: datetime) -> ReserveReplenishment:
    """A county user (not the requester) approves: the fund is replenished by the requested amount."""
    reason = _text(reason, field="reason", label="审批意见", limit=REASON_MAX)
    with transaction.atomic():
        request = _pending(actor, request_id)
        fund = ReserveFund.objects.select_for_update().get(pk=request.fund_id)
        covered = ReserveEntry.objects.filter(replenishment=request, kind=ReserveEntry.Kind.DRAW).aggregate(
            total=Sum("amount"))["total"] or Decimal(0)
        if covered != request.amount:  # the listed draws are the request's amount, to the fen
            raise Conflict("reserve.request_changed", f"申请所列支出合计 {yuan(covered)} 与申请金额 {yuan(request.amount)} 不符")
        before = fund.balance
        fund.balance = before + request.amount
        fund.updated_at = now
        fund.save(update_fields=["balance", "updated_at"])
        ReserveEntry.objects.create(fund=fund, kind=ReserveEntry.Kind.REPLENISHMENT, amount=request.amount,
                                    balance_after=fund.balance, replenishment=request,
                                    note=f"补充申请 {request.number}", at=now, actor=actor)
        request.status, request.decided_by, request.decided_at, request.reason = "approved", actor, now, reason
        request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_record(actor=actor, action="reserve.replenish_approve", subject_type="reserve_replenishment",
                     subject_id=str(request.pk), region_code=fund.pk, before={"balance": str(before)},
                     after={"balance": str(fund.balance), "amount": str(request.amount)}, reason=reason, at=now)
    return request


def reserve_replenish_refuse(*, actor, request_id, reason: str, now: datetime) -> ReserveReplenishment:
    """A county user (not the requester) refuses with a reason; the listed draws may be requested again."""
    reason = _text(reason, field="reason", label="审批意见", limit=REASON_MAX)
    if not reason:
        raise ValidationFailed("reserve.reason", "审批意见：不予补充须说明理由", field="reason")
    with transaction.atomic():
        request = _pending(actor, request_id)
        ReserveEntry.objects.filter(replenishment=request, kind=ReserveEntry.Kind.DRAW).update(replenishment=None)
        request.status, request.decided_by, request.decided_at, request.reason = "refused", actor, now, reason
        request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_record(actor=actor, action="reserve.replenish_refuse", subject_type="reserve_replenishment",
                     subject_id=str(request.pk), region_code=request.fund_id,
                     after={"amount": str(request.amount)}, reason=reason, at=now)
    return request


def replenishments_visible(*, actor):
    """Requests in the actor's region (a township sees its own, the county every township's)."""
    return (ReserveReplenishment.objects.filter(scope_q(actor, "fund__region"))
            .select_related("fund__region", "requested_by", "decided_by"))
