"""Monitoring state changes, one service each: dispose of an alert (R-SYS-06, four outcomes), push it
to another department (分类推送) and record that department's feedback, register a low-income
household. Each checks role and region, locks the row, writes the change and the audit event in one
transaction. The scan is ``scan.monitor_scan``."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry.models import Household
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.monitoring import (
    ALERT_TYPE_LABELS,
    CATEGORIES,
    DEPARTMENTS,
    DISPOSITIONS,
)

from .inputs import dispose_input, feedback_input, referral_input, register_input
from .models import Alert, LowIncomeEntry, Referral
from .scan import monitor_scan  # noqa: F401  (the scan service lives beside)


def _role(actor, permission: str, what: str):
    if not can(actor, permission):
        raise Forbidden("monitor.role", f"您的角色不能{what}（须由乡镇经办人或县民政办理）")


def _lock_alert(actor, alert_id) -> Alert:
    alert = None
    if str(alert_id).isdigit() and int(alert_id) < 2**63:
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None or not in_scope(actor, alert.region_id):
        raise NotFound("not_found", "预警不存在或不在您的管辖范围内")
    return alert


def _snapshot(a: Alert) -> dict:
    return {"status": a.status, "disposition": a.disposition, "result": a.result, "version": a.version,
            "recheck_case": a.recheck_case_id}


def _send(alert: Alert, *, actor, department: str, note: str, today) -> Referral:
    if Referral.objects.filter(alert=alert, department=department).exists():
        raise Conflict("monitor.referral_exists", f"该预警已推送{DEPARTMENTS[department]}，不能重复推送",
                       field="department")
    return Referral.objects.create(alert=alert, region_id=alert.region_id, department=department, note=note,
                                   sent_on=today, sent_by=actor)


def _recheck(alert: Alert, *, actor, result: str, now: datetime):
    """核查终止: open (or hurry) a recheck of the household's live enrollment; None when it has none."""
    from jiuzhu.apps.enrollment.services import enrollment_schedule_recheck

    live = (Enrollment.objects.filter(household_id=alert.household_id, status__in=Enrollment.LIVE)
            .order_by("id").first())
    if live is None:
        return None
    reason = f"预警{alert.number}（{ALERT_TYPE_LABELS[alert.type]}）核查：{result}"[:500]
    return enrollment_schedule_recheck(actor=actor, enrollment_id=live.pk, data={"reason": reason}, now=now)


def alert_dispose(*, actor, alert_id, data, now: datetime) -> Alert:
    """Choose one of the four outcomes (R-SYS-06) with the result text:
    落实政策 / 一事一议 → closed; 分类推送 → referrals sent, in progress until every department has
    answered; 核查终止 → a recheck of the live enrollment is scheduled (or brought forward) and linked,
    then closed (the recheck decides on termination); without a live enrollment it is only recorded."""
    _role(actor, "monitoring.dispose", "处置预警")
    cleaned = dispose_input(data)
    today = timezone.localtime(now).date()
    with transaction.atomic():
        alert = _lock_alert(actor, alert_id)
        if alert.status != Alert.Status.OPEN:
            raise Conflict("monitor.already_disposed", f"该预警已处置（{DISPOSITIONS.get(alert.disposition, '')}），"
                           "不能重复处置", field="disposition")
        before = _snapshot(alert)
        alert.disposition, alert.result = cleaned.disposition, cleaned.result
        alert.disposed_on, alert.disposed_by = today, actor
        details: dict = {"disposition": cleaned.disposition}
        if cleaned.disposition == "refer":
            for code in cleaned.departments:
                _send(alert, actor=actor, department=code, note=cleaned.result, today=today)
            alert.status = Alert.Status.IN_PROGRESS
            details["departments"] = cleaned.departments
        else:
            if cleaned.disposition == "verify_close":
                case = _recheck(alert, actor=actor, result=cleaned.result, now=now)
                alert.recheck_case = case
                details["recheck_case"] = case.pk if case else None
                if case is None:
                    alert.result += "（该家庭无在保记录，仅记录核查结论，未安排复核）"
            alert.status, alert.closed_on = Alert.Status.CLOSED, today
        alert.version += 1
        alert.save()
        audit_record(actor=actor, action="alert.dispose", subject_type="alert", subject_id=alert.pk,
                     region_code=alert.region_id, before=before, after=_snapshot(alert), reason=cleaned.result,
                     details=details, at=now)
    return alert


def referral_create(*, actor, alert_id, data, now: datetime) -> Referral:
    """Push an alert already disposed as 分类推送 to one more department."""
    _role(actor, "monitoring.dispose", "推送预警")
    cleaned = referral_input(data)
    today = timezone.localtime(now).date()
    with transaction.atomic():
        alert = _lock_alert(actor, alert_id)
        if alert.disposition != "refer" or alert.status == Alert.Status.CLOSED:
            raise Conflict("monitor.not_referring", "只有处置方式为分类推送且未办结的预警可以追加推送部门",
                           field="department")
        before = _snapshot(alert)
        referral = _send(alert, actor=actor, department=cleaned.department, note=cleaned.note, today=today)
        if alert.status != Alert.Status.IN_PROGRESS:
            alert.status = Alert.Status.IN_PROGRESS
        alert.version += 1
        alert.save()
        audit_record(actor=actor, action="referral.create", subject_type="referral", subject_id=referral.pk,
                     region_code=alert.region_id, before=before, after=_snapshot(alert), reason=cleaned.note,
                     details={"alert": alert.pk, "department": cleaned.department}, at=now)
    return referral


def referral_feedback(*, actor, referral_id, data, now: datetime) -> Referral:
    """Record a department's feedback (一户一条救助链); the alert is closed when all have answered."""
    _role(actor, "monitoring.dispose", "登记部门反馈")
    cleaned = feedback_input(data)
    today = timezone.localtime(now).date()
    if cleaned.feedback_on and cleaned.feedback_on > today:
        raise ValidationFailed("monitor.feedback_on", "反馈日期不能晚于今天（字段：feedback_on）", field="feedback_on")
    with transaction.atomic():
        referral = None
        if str(referral_id).isdigit() and int(referral_id) < 2**63:
            referral = Referral.objects.select_for_update().filter(pk=referral_id).first()
        if referral is None:
            raise NotFound("not_found", "推送记录不存在或不在您的管辖范围内")
        alert = _lock_alert(actor, referral.alert_id)
        if referral.status == Referral.Status.ANSWERED:
            raise Conflict("monitor.feedback_exists", "该推送已登记反馈，不能重复登记", field="feedback")
        if cleaned.feedback_on and cleaned.feedback_on < referral.sent_on:
            raise ValidationFailed("monitor.feedback_on", "反馈日期不能早于推送日期（字段：feedback_on）",
                                   field="feedback_on")
        before = _snapshot(alert)
        referral.status, referral.feedback, referral.assisted = Referral.Status.ANSWERED, cleaned.feedback, cleaned.assisted
        referral.feedback_on, referral.feedback_by = cleaned.feedback_on or today, actor
        referral.save()
        if not alert.referrals.exclude(pk=referral.pk).filter(status=Referral.Status.SENT).exists():
            alert.status, alert.closed_on = Alert.Status.CLOSED, today
        alert.version += 1
        alert.save()
        audit_record(actor=actor, action="referral.feedback", subject_type="referral", subject_id=referral.pk,
                     region_code=alert.region_id, before=before, after=_snapshot(alert), reason=cleaned.feedback,
                     details={"alert": alert.pk, "assisted": cleaned.assisted}, at=now)
    return referral


def lowincome_register(*, actor, data, now: datetime, source_case=None) -> LowIncomeEntry:
    """Enter a household in the low-income register as 低保边缘 / 刚性支出困难 / 临时救助 (R-SYS-03).
    ``source_case``: the case that made the entry (a 支出型 临时救助 case closed, issue 14 §3)."""
    _role(actor, "lowincome.register", "登记低收入人口")
    cleaned = register_input(data)
    household = Household.objects.filter(pk=cleaned.household).first()
    if household is None or not in_scope(actor, household.region_id):
        raise NotFound("not_found", "家庭不存在或不在您的管辖范围内", field="household")
    today = timezone.localtime(now).date()
    if cleaned.recognized_on > today:
        raise ValidationFailed("monitor.recognized_on", "认定(救助)日期不能晚于今天（字段：recognized_on）",
                               field="recognized_on")
    duplicate = Conflict("monitor.register_exists", f"该家庭已于 {cleaned.recognized_on.isoformat()} 登记为"
                         f"{CATEGORIES[cleaned.category]}，不能重复登记", field="category")
    try:
        with transaction.atomic():
            if LowIncomeEntry.objects.filter(household=household, category=cleaned.category,
                                             recognized_on=cleaned.recognized_on).exists():
                raise duplicate
            entry = LowIncomeEntry.objects.create(
                household=household, region_id=household.region_id, category=cleaned.category,
                recognized_on=cleaned.recognized_on, valid_until=cleaned.valid_until, note=cleaned.note,
                created_by=actor if getattr(actor, "pk", None) else None, created_at=now, source_case=source_case)
            audit_record(actor=actor, action="lowincome.register", subject_type="lowincome_entry", subject_id=entry.pk,
                         region_code=household.region_id, after={"category": entry.category, "household": household.pk,
                                                                 "recognized_on": cleaned.recognized_on.isoformat()},
                         details={"source_case": source_case.pk} if source_case is not None else None, at=now)
    except IntegrityError:  # registered by someone else meanwhile (lowincome_once_per_recognition)
        raise duplicate from None
    return entry
