"""失信 records (R-PEN-04): propose (township 经办人), decide (县民政, a different user), remove at the end
of the listing period or on credit repair, appeal. One audited service per state change; the record row
is locked (select_for_update) and its state checked inside the transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.standard import region_policy
from jiuzhu.apps.regions.codes import ancestors, level_of
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Membership, Person
from jiuzhu.core.validation import validate
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow.enrollment import add_months

from .models import BEHAVIOURS, CreditRecord
from .payloads import AppealDecidePayload, AppealPayload, DecidePayload, ProposePayload, RemovePayload

SUBJECT = "credit_record"


def township_of(region_code: str) -> str:
    """The 乡镇（街道） of a region code (itself when it is one; the code when above township level)."""
    if level_of(region_code) <= 4:
        return region_code
    return next(c for c in ancestors(region_code) if level_of(c) == 4)


def _months(region_code: str, key: str, today: date) -> int | None:
    try:
        value = region_policy(region_code).lookup(key, today)
    except DomainError:
        return None
    return int(Decimal(value))


def listable_behaviours(region_code: str, today: date) -> dict[str, tuple[str, int]]:
    """behaviour → (label, listing months) for the behaviours the region lists as 失信 on ``today``."""
    out = {}
    for code, label in BEHAVIOURS.items():
        months = _months(region_code, f"integrity.listing_months.{code}", today)
        if months and months > 0:
            out[code] = (label, months)
    return out


def _snapshot(r: CreditRecord) -> dict:
    return {"status": r.status, "behaviour": r.behaviour, "amount": str(r.amount), "appeal": r.appeal,
            "listed_from": r.listed_from.isoformat() if r.listed_from else None,
            "listed_until": r.listed_until.isoformat() if r.listed_until else None}


def _lock(actor, record_id) -> CreditRecord:
    record = None
    if str(record_id).isdigit() and int(record_id) < 2**63:
        record = CreditRecord.objects.select_for_update().filter(pk=record_id).first()
    if record is None or not in_scope(actor, record.region_id):
        raise NotFound("not_found", "失信记录不存在或不在您的管辖范围内")
    return record


def credit_propose(*, actor, data, now: datetime) -> CreditRecord:
    """The township proposes a record for a person of its households (status 待县级决定)."""
    if not can(actor, "integrity.propose"):
        raise Forbidden("forbidden", "您的角色不能提出失信记录（由乡镇经办人提出）")
    today = timezone.localdate(now)
    cleaned = cast(ProposePayload, validate(ProposePayload, data, today=today))
    if cleaned.person is not None:
        person = Person.objects.filter(pk=cleaned.person).first()
    else:
        number = idcard.parse(cleaned.id_number, field="id_number").value
        person = Person.objects.filter(id_number_bidx=pii.id_number_index(number)).first()
    ms = None
    if person is not None:
        ms = (Membership.objects.select_related("household").filter(person=person)
              .order_by(F("end_date").desc(nulls_first=True), "-id").first())
    if person is None or ms is None or not in_scope(actor, ms.household.region_id):
        raise NotFound("not_found", "人员不存在或不在您的管辖范围内",
                       field="person" if cleaned.person is not None else "id_number")
    township = township_of(ms.household.region_id)
    allowed = listable_behaviours(township, today)
    if cleaned.behaviour not in allowed:
        names = "、".join(label for label, _ in allowed.values()) or "（本地区未设置可列入的失信情形）"
        raise ValidationFailed("credit.behaviour", f"失信情形无效，本地区可列入的情形：{names}", field="behaviour")
    case = None
    if cleaned.case is not None:
        case = Case.objects.filter(pk=cleaned.case).first()
        if case is None or not in_scope(actor, case.region_id) or case.household_id != ms.household_id:
            raise NotFound("not_found", "相关案件不存在、不在您的管辖范围内或不是该人员家庭的案件", field="case")
    with transaction.atomic():
        if CreditRecord.objects.filter(person=person, behaviour=cleaned.behaviour, status="proposed").exists():
            raise Conflict("credit.duplicate", "该人员同一失信情形已有待县级决定的记录", field="behaviour")
        record = CreditRecord.objects.create(
            person=person, region_id=township, case=case, behaviour=cleaned.behaviour, facts=cleaned.facts,
            amount=cleaned.amount, proposed_by=actor, proposed_at=now)
        audit_record(actor=actor, action="credit.propose", subject_type=SUBJECT, subject_id=record.pk,
                     region_code=township, after=_snapshot(record), at=now)
    return record


def credit_decide(*, actor, record_id, data, now: datetime) -> CreditRecord:
    """县民政 decides: list (listing period from the region's dated parameter) or reject. Never the proposer."""
    if not can(actor, "integrity.decide"):
        raise Forbidden("forbidden", "您的角色不能决定失信记录（由县级民政部门决定）")
    cleaned = cast(DecidePayload, validate(DecidePayload, data))
    today = timezone.localdate(now)
    with transaction.atomic():
        record = _lock(actor, record_id)
        if record.status != CreditRecord.Status.PROPOSED:
            raise Conflict("credit.state", f"该记录当前为“{record.get_status_display()}”，不能再作决定")
        if record.proposed_by_id == actor.pk:
            raise Conflict("credit.maker_checker", "提出人不能决定本人提出的失信记录，须由另一名县级工作人员决定")
        before = _snapshot(record)
        record.decided_by, record.decided_at = actor, now
        record.decision, record.decision_number = cleaned.decision, cleaned.decision_number
        if cleaned.approve:
            months = listable_behaviours(record.region_id, today).get(record.behaviour, (None, None))[1]
            if months is None:
                raise Conflict("credit.behaviour_closed", "本地区现已不将该情形列入失信名单，只能不予列入",
                               field="approve")
            record.status = CreditRecord.Status.LISTED
            record.listed_from, record.listed_until = today, add_months(today, months)
        else:
            record.status = CreditRecord.Status.REJECTED
        record.save()
        audit_record(actor=actor, action="credit.decide", subject_type=SUBJECT, subject_id=record.pk,
                     region_code=record.region_id, before=before, after=_snapshot(record), at=now,
                     reason=cleaned.decision)
    return record


def credit_remove(*, actor, record_id, data, now: datetime) -> CreditRecord:
    """Removal at the end of the listing period, or early (信用修复) after the region's minimum months."""
    if not can(actor, "integrity.decide"):
        raise Forbidden("forbidden", "您的角色不能移出失信记录（由县级民政部门决定）")
    cleaned = cast(RemovePayload, validate(RemovePayload, data))
    today = timezone.localdate(now)
    with transaction.atomic():
        record = _lock(actor, record_id)
        if record.status != CreditRecord.Status.LISTED:
            raise Conflict("credit.state", f"该记录当前为“{record.get_status_display()}”，不能移出")
        if record.listed_until and record.listed_from and today < record.listed_until:
            minimum = _months(record.region_id, "integrity.removal_min_months", today)
            earliest = add_months(record.listed_from, minimum) if minimum is not None else record.listed_until
            if today < earliest:
                raise Conflict("credit.too_early", f"列入期至 {record.listed_until.isoformat()}；"
                               f"信用修复最早可于 {earliest.isoformat()} 提前移出", field="reason")
        before = _snapshot(record)
        record.status, record.removed_at, record.removed_by = CreditRecord.Status.REMOVED, now, actor
        record.removal_reason = cleaned.reason
        record.save()
        audit_record(actor=actor, action="credit.remove", subject_type=SUBJECT, subject_id=record.pk,
                     region_code=record.region_id, before=before, after=_snapshot(record), at=now,
                     reason=cleaned.reason)
    return record


def credit_appeal(*, actor, record_id, data, now: datetime) -> CreditRecord:
    """Register the person's appeal (申诉) against a proposed or listed record."""
    if not (can(actor, "integrity.propose") or can(actor, "integrity.decide")):
        raise Forbidden("forbidden", "您的角色不能登记申诉")
    cleaned = cast(AppealPayload, validate(AppealPayload, data))
    with transaction.atomic():
        record = _lock(actor, record_id)
        if record.status not in (CreditRecord.Status.PROPOSED, CreditRecord.Status.LISTED):
            raise Conflict("credit.state", f"该记录当前为“{record.get_status_display()}”，不能申诉")
        if record.appeal == CreditRecord.Appeal.PENDING:
            raise Conflict("credit.appeal_pending", "已有待处理的申诉")
        before = _snapshot(record)
        record.appeal, record.appeal_text, record.appeal_at = CreditRecord.Appeal.PENDING, cleaned.text, now
        record.appeal_decision = ""
        record.save()
        audit_record(actor=actor, action="credit.appeal", subject_type=SUBJECT, subject_id=record.pk,
                     region_code=record.region_id, before=before, after=_snapshot(record), at=now)
    return record


def credit_appeal_decide(*, actor, record_id, data, now: datetime) -> CreditRecord:
    """县民政 decides the appeal: upheld → the record is withdrawn (rejected or removed)."""
    if not can(actor, "integrity.decide"):
        raise Forbidden("forbidden", "您的角色不能处理申诉（由县级民政部门处理）")
    cleaned = cast(AppealDecidePayload, validate(AppealDecidePayload, data))
    with transaction.atomic():
        record = _lock(actor, record_id)
        if record.appeal != CreditRecord.Appeal.PENDING:
            raise Conflict("credit.no_appeal", "该记录没有待处理的申诉")
        before = _snapshot(record)
        record.appeal_decision = cleaned.decision
        if not cleaned.upheld:
            record.appeal = CreditRecord.Appeal.DISMISSED
        else:
            record.appeal = CreditRecord.Appeal.UPHELD
            if record.status == CreditRecord.Status.LISTED:
                record.status, record.removed_at, record.removed_by = CreditRecord.Status.REMOVED, now, actor
                record.removal_reason = f"申诉成立：{cleaned.decision}"
            else:
                if record.proposed_by_id == actor.pk:
                    raise Conflict("credit.maker_checker", "提出人不能处理本人提出记录的申诉")
                record.status, record.decided_by, record.decided_at = CreditRecord.Status.REJECTED, actor, now
                record.decision = f"申诉成立：{cleaned.decision}"
        record.save()
        audit_record(actor=actor, action="credit.appeal_decide", subject_type=SUBJECT, subject_id=record.pk,
                     region_code=record.region_id, before=before, after=_snapshot(record), at=now,
                     reason=cleaned.decision)
    return record
