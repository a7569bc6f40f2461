"""Wrong payments and their recovery (issue 15 §2; R-PEN-01 责令退回): a caseworker raises an item for
months an enrollment was paid wrongly (after a death, an undeclared change, fraud); the refund notice
(PDF, recovery_documents.py), instalments, receipts and 核销 (write-off) on the county's approval.

Every change locks the item (select_for_update) and re-checks its state and amounts inside the
transaction, so a receipt and a write-off racing each other cannot both apply: the approval writes off
exactly the amount proposed and is refused once a receipt changed what is outstanding. The database
checks that amounts balance and that a write-off carries an approver other than its proposer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import cast

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.core.validation import validate
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow.enrollment import add_months

from .models import RECOVERY_REASONS, RecoveryInstalment, RecoveryItem, RecoveryMonth, RecoveryReceipt
from .payloads import InstalmentPayload, RaisePayload, ReceiptPayload, WriteOffDecidePayload, WriteOffPayload
from .services import township_of

SUBJECT = "recovery_item"
CENT = Decimal("0.01")


def _snapshot(item: RecoveryItem) -> dict:
    return {"status": item.status, "total": str(item.total), "received": str(item.received),
            "written_off": str(item.written_off)}


def _require(actor, permission: str, message: str):
    if not can(actor, permission):
        raise Forbidden("forbidden", message)


def lock_item(actor, item_id) -> RecoveryItem:
    item = None
    if str(item_id).isdigit() and int(item_id) < 2**63:
        item = RecoveryItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None or not in_scope(actor, item.region_id):
        raise NotFound("not_found", "追回款项不存在或不在您的管辖范围内")
    return item


def recovery_raise(*, actor, data, now: datetime) -> RecoveryItem:
    """Months must have been paid (a paid payroll line) to the enrollment; each month is recovered once."""
    _require(actor, "recovery.operate", "您的角色不能登记追回款项")
    cleaned = cast(RaisePayload, validate(RaisePayload, data))
    if cleaned.reason not in RECOVERY_REASONS:
        raise ValidationFailed("recovery.reason", f"原因无效，可选：{'、'.join(RECOVERY_REASONS.values())}",
                               field="reason")
    enrollment = Enrollment.objects.filter(pk=cleaned.enrollment).first()
    if enrollment is None or not in_scope(actor, enrollment.region_id):
        raise NotFound("not_found", "在保对象不存在或不在您的管辖范围内", field="enrollment")
    months = sorted({date(int(m[:4]), int(m[5:]), 1) for m in cleaned.months})
    lines = {line.month: line for line in PaymentLine.objects.filter(
        enrollment_id=enrollment.pk, month__in=months, status=PaymentLine.Status.PAID)}
    unpaid = [m for m in months if m not in lines]
    if unpaid:
        raise ValidationFailed("recovery.month_unpaid", "以下月份没有已发放记录，不能追回："
                               + "、".join(f"{m:%Y-%m}" for m in unpaid), field="months")
    taken = list(RecoveryMonth.objects.filter(enrollment_id=enrollment.pk, month__in=months)
                 .values_list("month", flat=True))
    if taken:
        raise Conflict("recovery.month_taken", "以下月份已登记追回："
                       + "、".join(f"{m:%Y-%m}" for m in sorted(taken)), field="months")
    total = sum((lines[m].amount for m in months), Decimal(0))
    if total <= 0:
        raise ValidationFailed("recovery.zero", "所选月份发放金额合计为 0，无需追回", field="months")
    region = township_of(enrollment.region_id)
    try:
        with transaction.atomic():
            item = RecoveryItem.objects.create(
                enrollment=enrollment, household_id=enrollment.household_id, region_id=region,
                reason=cleaned.reason, note=cleaned.note, total=total, raised_by=actor, raised_at=now)
            RecoveryMonth.objects.bulk_create([
                RecoveryMonth(item=item, enrollment=enrollment, month=m, amount=lines[m].amount,
                              payment_line_id=lines[m].pk) for m in months])
            audit_record(actor=actor, action="recovery.raise", subject_type=SUBJECT, subject_id=item.pk,
                         region_code=region, after={**_snapshot(item), "months": [f"{m:%Y-%m}" for m in months]},
                         at=now)
    except IntegrityError:  # another user recovered one of the months meanwhile
        raise Conflict("recovery.month_taken", "所选月份已被登记追回，请刷新后重试", field="months") from None
    return item


def recovery_plan(*, actor, item_id, data, now: datetime) -> RecoveryItem:
    """Split what is outstanding into ``count`` monthly instalments from ``first_due`` (replaces a plan)."""
    _require(actor, "recovery.operate", "您的角色不能安排分期退款")
    cleaned = cast(InstalmentPayload, validate(InstalmentPayload, data))
    today = timezone.localdate(now)
    if cleaned.first_due < today:
        raise ValidationFailed("recovery.first_due", f"首期应还日期不能早于今天 {today.isoformat()}", field="first_due")
    with transaction.atomic():
        item = lock_item(actor, item_id)
        if item.status not in (RecoveryItem.Status.OPEN,):
            raise Conflict("recovery.state", f"该款项当前为“{item.get_status_display()}”，不能安排分期")
        left = item.outstanding
        share = (left / cleaned.count).quantize(CENT, rounding="ROUND_DOWN")
        if share <= 0:
            raise ValidationFailed("recovery.count", "分期数过多：每期金额不足 0.01 元", field="count")
        item.instalments.all().delete()
        RecoveryInstalment.objects.bulk_create([
            RecoveryInstalment(item=item, seq=i + 1, due=add_months(cleaned.first_due, i),
                               amount=share if i < cleaned.count - 1 else left - share * (cleaned.count - 1))
            for i in range(cleaned.count)])
        audit_record(actor=actor, action="recovery.plan", subject_type=SUBJECT, subject_id=item.pk,
                     region_code=item.region_id, after={"count": cleaned.count, "first_due": cleaned.first_due.isoformat()},
                     at=now)
    return item


def recovery_receive(*, actor, item_id, data, now: datetime) -> RecoveryReceipt:
    """A refund received (到账). Settles the item when nothing is outstanding."""
    _require(actor, "recovery.operate", "您的角色不能登记退款到账")
    cleaned = cast(ReceiptPayload, validate(ReceiptPayload, data, today=timezone.localdate(now)))
    with transaction.atomic():
        item = lock_item(actor, item_id)
        if item.status not in (RecoveryItem.Status.OPEN, RecoveryItem.Status.WRITE_OFF_PROPOSED):
            raise Conflict("recovery.state", f"该款项当前为“{item.get_status_display()}”，不能再登记到账",
                           field="amount")
        if cleaned.amount > item.outstanding:
            raise ValidationFailed("recovery.overpaid", f"到账金额超过未追回金额 {item.outstanding} 元", field="amount")
        before = _snapshot(item)
        receipt = RecoveryReceipt.objects.create(item=item, received_on=cleaned.received_on, amount=cleaned.amount,
                                                 note=cleaned.note, recorded_by=actor, recorded_at=now)
        item.received += cleaned.amount
        if item.outstanding == 0:
            item.status = RecoveryItem.Status.SETTLED
        item.save()
        audit_record(actor=actor, action="recovery.receive", subject_type=SUBJECT, subject_id=item.pk,
                     region_code=item.region_id, before=before, after=_snapshot(item), at=now)
    return receipt


def recovery_write_off_propose(*, actor, item_id, data, now: datetime) -> RecoveryItem:
    """Propose 核销 of what is outstanding now (e.g. the recipient died without an estate)."""
    _require(actor, "recovery.operate", "您的角色不能申请核销")
    cleaned = cast(WriteOffPayload, validate(WriteOffPayload, data))
    with transaction.atomic():
        item = lock_item(actor, item_id)
        if item.status != RecoveryItem.Status.OPEN:
            raise Conflict("recovery.state", f"该款项当前为“{item.get_status_display()}”，不能申请核销", field="reason")
        before = _snapshot(item)
        item.status, item.write_off_amount = RecoveryItem.Status.WRITE_OFF_PROPOSED, item.outstanding
        item.write_off_reason, item.write_off_proposed_by = cleaned.reason, actor
        item.save()
        audit_record(actor=actor, action="recovery.write_off_propose", subject_type=SUBJECT, subject_id=item.pk,
                     region_code=item.region_id, before=before, after={**_snapshot(item),
                                                                        "write_off_amount": str(item.write_off_amount)},
                     at=now, reason=cleaned.reason)
    return item


def recovery_write_off_decide(*, actor, item_id, data, now: datetime) -> RecoveryItem:
    """县民政 approves or refuses the 核销. Approval writes off exactly the proposed amount, and only while
    it is still what is outstanding (a receipt in between → refused, propose again)."""
    _require(actor, "recovery.write_off", "核销须经县级民政部门审批")
    cleaned = cast(WriteOffDecidePayload, validate(WriteOffDecidePayload, data))
    with transaction.atomic():
        item = lock_item(actor, item_id)
        if item.status != RecoveryItem.Status.WRITE_OFF_PROPOSED:
            raise Conflict("recovery.state", f"该款项当前为“{item.get_status_display()}”，没有待审批的核销")
        if item.write_off_proposed_by_id == actor.pk:
            raise Conflict("recovery.maker_checker", "核销申请人不能审批本人的申请")
        before = _snapshot(item)
        if not cleaned.approve:
            item.status, item.write_off_amount, item.write_off_proposed_by = RecoveryItem.Status.OPEN, None, None
        else:
            if item.write_off_amount != item.outstanding:
                raise Conflict("recovery.changed", f"申请核销 {item.write_off_amount} 元后已有退款到账，"
                               f"未追回金额现为 {item.outstanding} 元，请重新申请核销")
            item.written_off = item.write_off_amount or Decimal(0)
            item.status, item.write_off_approved_by = RecoveryItem.Status.WRITTEN_OFF, actor
        item.write_off_decided_at = now
        item.save()
        audit_record(actor=actor, action="recovery.write_off_decide", subject_type=SUBJECT, subject_id=item.pk,
                     region_code=item.region_id, before=before, after=_snapshot(item), at=now, reason=cleaned.note)
    return item
