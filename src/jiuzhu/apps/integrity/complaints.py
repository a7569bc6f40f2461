"""Complaints, 举报, 信访 and objections (issue 15 §3, R-PUB-05): intake from any channel, a handler in
scope, deadlines from dated region parameters (信访: 15 days to decide acceptance, 60 to handle, one
extension ≤ 30 — 《信访工作条例》2022), investigation, result, reply (PDF), satisfaction; overdue →
督办 list. The reporter's identity is sealed; an anonymous reporter is revealed only to the county
handler (``complaint.reveal_reporter``), audited without the identity in the event."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.scheduling import schedule_recheck
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.standard import region_policy
from jiuzhu.apps.regions.codes import level_of
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.apps.workcalendar.selectors import add_workdays
from jiuzhu.core.crypto import keyring
from jiuzhu.core.validation import validate
from jiuzhu.rules.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed

from .models import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, Complaint
from .payloads import (
    AcceptPayload,
    AssignPayload,
    ConcludePayload,
    IntakePayload,
    InvestigatePayload,
    SatisfactionPayload,
)
from .services import township_of

SUBJECT = "complaint"
OPEN = (Complaint.Status.RECEIVED, Complaint.Status.HANDLING)
PURPOSE = "complaint_reporter"


def _param(region: str, key: str, on: date) -> int | None:
    try:
        return int(Decimal(region_policy(region).lookup(key, on)))
    except DomainError:
        return None


def handling_due(region: str, category: str, start: date) -> date | None:
    """The handling deadline from ``start`` (working days when the region sets ``_wd``, else days)."""
    wd = _param(region, f"complaint.handle_wd.{category}", start)
    if wd is not None:
        return add_workdays(start, wd)
    days = _param(region, f"complaint.handle_days.{category}", start)
    return start + timedelta(days=days) if days is not None else None


def _snapshot(c: Complaint) -> dict:  # never the reporter
    return {"status": c.status, "category": c.category, "handler": c.handler_id,
            "due": c.due.isoformat() if c.due else None, "result": c.result, "satisfaction": c.satisfaction}


def _require(actor, permission: str, message: str):
    if not can(actor, permission):
        raise Forbidden("forbidden", message)


def lock(actor, complaint_id) -> Complaint:
    c = None
    if str(complaint_id).isdigit() and int(complaint_id) < 2**63:
        c = Complaint.objects.select_for_update().filter(pk=complaint_id).first()
    if c is None or not in_scope(actor, c.region_id):
        raise NotFound("not_found", "投诉举报不存在或不在您的管辖范围内")
    return c


def complaint_intake(*, actor, data, now: datetime) -> Complaint:
    _require(actor, "complaint.intake", "您的角色不能登记投诉举报")
    today = timezone.localdate(now)
    cleaned = cast(IntakePayload, validate(IntakePayload, data, today=today))
    if cleaned.category not in COMPLAINT_CATEGORIES:
        raise ValidationFailed("complaint.category", f"类别无效，可选：{'、'.join(COMPLAINT_CATEGORIES.values())}",
                               field="category")
    if cleaned.channel not in COMPLAINT_CHANNELS:
        raise ValidationFailed("complaint.channel", f"渠道无效，可选：{'、'.join(COMPLAINT_CHANNELS.values())}",
                               field="channel")
    region = Region.objects.filter(code=cleaned.region).first()
    if region is None or not in_scope(actor, region.code) or level_of(region.code) < 4:
        raise NotFound("not_found", "乡镇（街道）不存在或不在您的管辖范围内", field="region")
    township = township_of(region.code)
    case = enrollment = None
    if cleaned.case is not None:
        case = Case.objects.filter(pk=cleaned.case).first()
        if case is None or not in_scope(actor, case.region_id) or township_of(case.region_id) != township:
            raise NotFound("not_found", "相关案件不存在或不在该乡镇", field="case")
    if cleaned.enrollment is not None:
        enrollment = Enrollment.objects.filter(pk=cleaned.enrollment).first()
        if enrollment is None or not in_scope(actor, enrollment.region_id) or township_of(enrollment.region_id) != township:
            raise NotFound("not_found", "相关在保对象不存在或不在该乡镇", field="enrollment")
    sealed = ""
    if cleaned.reporter_name or cleaned.reporter_phone:
        sealed = keyring().encrypt(json.dumps({"name": cleaned.reporter_name, "phone": cleaned.reporter_phone},
                                              ensure_ascii=False), purpose=PURPOSE)
    masked = "" if cleaned.anonymous else (cleaned.reporter_name[:1] + "*" * max(len(cleaned.reporter_name) - 1, 1))
    accept_days = _param(township, f"complaint.accept_days.{cleaned.category}", cleaned.received_on)
    with transaction.atomic():
        c = Complaint.objects.create(
            category=cleaned.category, channel=cleaned.channel, region_id=township, case=case, enrollment=enrollment,
            content=cleaned.content, received_on=cleaned.received_on, anonymous=cleaned.anonymous,
            reporter_enc=sealed, reporter_masked=masked, created_by=actor, created_at=now,
            accept_due=cleaned.received_on + timedelta(days=accept_days) if accept_days is not None else None,
            status=Complaint.Status.RECEIVED if accept_days is not None else Complaint.Status.HANDLING,
            due=None if accept_days is not None else handling_due(township, cleaned.category, cleaned.received_on))
        audit_record(actor=actor, action="complaint.intake", subject_type=SUBJECT, subject_id=c.pk,
                     region_code=township, after={**_snapshot(c), "anonymous": c.anonymous, "channel": c.channel},
                     at=now)
        if c.category == "objection" and enrollment is not None:
            _reinvestigate(actor, c, enrollment, now)
    return c


def _reinvestigate(actor, c: Complaint, enrollment: Enrollment, now: datetime) -> None:
    """An objection to the long-term notice of an enrollment: 再次调查核实 (seed plan, 长期公示) — a recheck
    case of the enrollment (or the open one brought forward), due with the objection; the objection
    points at it. Its decision gives the adjusted amount and the fresh notice."""
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    due = c.due or (timezone.localdate(now) + timedelta(days=30))
    case, _ = schedule_recheck(actor=actor, enrollment=locked, due=due, now=now, rule_id="R-PUB-04",
                               reason=f"长期公示异议（编号 {c.pk}）：重新调查核实")
    c.case = case
    c.save(update_fields=["case", "updated_at"])


def complaint_assign(*, actor, complaint_id, data, now: datetime) -> Complaint:
    _require(actor, "complaint.assign", "您的角色不能分派承办人")
    cleaned = cast(AssignPayload, validate(AssignPayload, data))
    with transaction.atomic():
        c = lock(actor, complaint_id)
        if c.status not in OPEN:
            raise Conflict("complaint.state", f"该件当前为“{c.get_status_display()}”，不能再分派", field="handler")
        handler = User.objects.filter(pk=cleaned.handler, is_active=True).first()
        if handler is None or not can(handler, "complaint.handle") or not in_scope(handler, c.region_id):
            raise ValidationFailed("complaint.handler", "承办人须为该乡镇（或县级）有办理权限的在职人员", field="handler")
        before = _snapshot(c)
        c.handler = handler
        c.save()
        audit_record(actor=actor, action="complaint.assign", subject_type=SUBJECT, subject_id=c.pk,
                     region_code=c.region_id, before=before, after=_snapshot(c), at=now)
    return c


def _handler_only(actor, c: Complaint):
    _require(actor, "complaint.handle", "您的角色不能办理投诉举报")
    if c.handler_id is None:
        raise Conflict("complaint.unassigned", "尚未分派承办人")
    if c.handler_id != actor.pk and not can(actor, "complaint.assign"):
        raise Forbidden("forbidden", "只有承办人（或分派人）可以办理此件")


def complaint_accept(*, actor, complaint_id, data, now: datetime) -> Complaint:
    """信访: decide acceptance (within the accept deadline); accepted → the 60-day deadline from today."""
    cleaned = cast(AcceptPayload, validate(AcceptPayload, data))
    today = timezone.localdate(now)
    with transaction.atomic():
        c = lock(actor, complaint_id)
        _handler_only(actor, c)
        if c.status != Complaint.Status.RECEIVED:
            raise Conflict("complaint.state", f"该件当前为“{c.get_status_display()}”，无需受理决定")
        before = _snapshot(c)
        if cleaned.accept:
            c.status, c.due = Complaint.Status.HANDLING, handling_due(c.region_id, c.category, today)
        else:
            if not cleaned.note:
                raise ValidationFailed("complaint.note", "不予受理须说明理由", field="note")
            c.status, c.result_text = Complaint.Status.NOT_ACCEPTED, cleaned.note
        c.save()
        audit_record(actor=actor, action="complaint.accept", subject_type=SUBJECT, subject_id=c.pk,
                     region_code=c.region_id, before=before, after=_snapshot(c), at=now, reason=cleaned.note)
    return c


def complaint_extend(*, actor, complaint_id, now: datetime) -> Complaint:
    """One extension, approved by the county (信访: ≤ the region's ``complaint.extend_days``)."""
    _require(actor, "complaint.assign", "延长办理期限须经负责人批准")
    with transaction.atomic():
        c = lock(actor, complaint_id)
        days = _param(c.region_id, f"complaint.extend_days.{c.category}", c.received_on)
        if days is None or c.extended or c.status != Complaint.Status.HANDLING or c.due is None:
            raise Conflict("complaint.extend", "此件不能延长办理期限（该类别无延期规定、已延期过或不在办理中）")
        before = _snapshot(c)
        c.due, c.extended = c.due + timedelta(days=days), True
        c.save()
        audit_record(actor=actor, action="complaint.extend", subject_type=SUBJECT, subject_id=c.pk,
                     region_code=c.region_id, before=before, after=_snapshot(c), at=now)
    return c


def complaint_investigate(*, actor, complaint_id, data, now: datetime) -> Complaint:
    cleaned = cast(InvestigatePayload, validate(InvestigatePayload, data))
    with transaction.atomic():
        c = lock(actor, complaint_id)
        _handler_only(actor, c)
        if c.status != Complaint.Status.HANDLING:
            raise Conflict("complaint.state", f"该件当前为“{c.get_status_display()}”，不能登记调查", field="text")
        stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
        c.investigation = (c.investigation + "\n" if c.investigation else "") + f"[{stamp}] {cleaned.text}"
        c.save()
        audit_record(actor=actor, action="complaint.investigate", subject_type=SUBJECT, subject_id=c.pk,
                     region_code=c.region_id, at=now)
    return c


def complaint_conclude(*, actor, complaint_id, data, now: datetime) -> Complaint:
    cleaned = cast(ConcludePayload, validate(ConcludePayload, data))
    if cleaned.result not in Complaint.Result.values or not cleaned.result:
        raise ValidationFailed("complaint.result", "核实结论只能是 属实、部分属实 或 不属实", field="result")
    with transaction.atomic():
        c = lock(actor, complaint_id)
        _handler_only(actor, c)
        if c.status != Complaint.Status.HANDLING:
            raise Conflict("complaint.state", f"该件当前为“{c.get_status_display()}”，不能办结", field="result")
        if not c.investigation:
            raise Conflict("complaint.no_investigation", "请先登记调查核实情况", field="result")
        before = _snapshot(c)
        c.result, c.result_text, c.status = cleaned.result, cleaned.text, Complaint.Status.CONCLUDED
        c.concluded_on = timezone.localdate(now)
        c.save()
        audit_record(actor=actor, action="complaint.conclude", subject_type=SUBJECT, subject_id=c.pk,
                     region_code=c.region_id, before=before, after=_snapshot(c), at=now)
    return c


def complaint_satisfaction(*, actor, complaint_id, data, now: datetime) -> Complaint:
    cleaned = cast(SatisfactionPayload, validate(SatisfactionPayload, data))
    if cleaned.satisfaction not in Complaint.Satisfaction.values or not cleaned.satisfaction:
        raise ValidationFailed("complaint.satisfaction", "满意度只能是 满意、基本满意 或 不满意", field="satisfaction")
    with transaction.atomic():
        c = lock(actor, complaint_id)
        _require(actor, "complaint.handle", "您的角色不能登记满意度")
        if c.status != Complaint.Status.REPLIED:
            raise Conflict("complaint.state", "答复后才能登记满意度", field="satisfaction")
        before = _snapshot(c)
        c.satisfaction = cleaned.satisfaction
        c.save()
        audit_record(actor=actor, action="complaint.satisfaction", subject_type=SUBJECT, subject_id=c.pk,
                     region_code=c.region_id, before=before, after=_snapshot(c), at=now)
    return c


def complaints_visible(*, actor, status: str = ""):
    qs = scope_filter(Complaint.objects.select_related("region", "handler"), actor)
    return qs.filter(status=status) if status in Complaint.Status.values else qs


def complaints_overdue(*, actor, today: date):
    """The 督办 list: open items past their acceptance or handling deadline."""
    return complaints_visible(actor=actor).filter(
        Q(status=Complaint.Status.RECEIVED, accept_due__lt=today)
        | Q(status=Complaint.Status.HANDLING, due__lt=today)).order_by("due", "accept_due", "id")


def reporter_view(*, actor, complaint: Complaint) -> dict:
    """What this user may see of the reporter: real-name reports → masked name for handlers in scope;
    anonymous → only ``匿名`` unless the actor may reveal (the county handler)."""
    if complaint.anonymous:
        return {"label": "匿名", "may_reveal": can(actor, "complaint.reveal_reporter") and bool(complaint.reporter_enc)}
    return {"label": complaint.reporter_masked, "may_reveal": can(actor, "complaint.reveal_reporter")
            and bool(complaint.reporter_enc)}


def reporter_reveal(*, actor, complaint_id, now: datetime) -> dict:
    """The reporter's name and phone, for the county handler only; audited (the event holds no identity)."""
    _require(actor, "complaint.reveal_reporter", "只有县级承办人可以查看举报人身份")
    c = lock_read(actor, complaint_id)
    if not c.reporter_enc:
        raise NotFound("not_found", "反映人未留下身份信息")
    data = json.loads(keyring().decrypt(c.reporter_enc, purpose=PURPOSE))
    audit_record(actor=actor, action="complaint.reporter_view", subject_type=SUBJECT, subject_id=c.pk,
                 region_code=c.region_id, details={"anonymous": c.anonymous}, at=now)
    return data


def lock_read(actor, complaint_id) -> Complaint:
    c = None
    if str(complaint_id).isdigit() and int(complaint_id) < 2**63:
        c = complaints_visible(actor=actor).filter(pk=complaint_id).first()
    if c is None:
        raise NotFound("not_found", "投诉举报不存在或不在您的管辖范围内")
    return c
