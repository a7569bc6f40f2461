"""一门受理、协同办理 (issue 14 §4): record a household's needs once and send referral tickets to the
departments, each due in the region's working days (``intake.referral_due_wd`` on the work calendar);
record the department's response and close the ticket with a note. Tickets are the monitoring
``Referral`` (the same table as an alert's 分类推送), so a department's list holds both.
One service per state change: role, region scope, row lock, change and audit event in one transaction."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.config import calendar_and_version, region_config
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry.models import Household, Membership
from jiuzhu.rules.calendar import add_workdays
from jiuzhu.rules.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.rules.intake import NEED_DEPARTMENT, IntakeTerms, intake_terms
from jiuzhu.rules.params.loader import load_policy

from .inputs import feedback_input
from .intake_inputs import close_input, intake_choices, intake_input
from .models import Intake, Referral
from .services import _role, referral_feedback


def terms_for_region(region_code: str, today: date) -> IntakeTerms:
    """The region's needs, departments and deadlines (docs/policy-parameters.md 一门受理)."""
    return intake_terms(load_policy(region_config(region_code).policy), today)


def _channel(actor) -> str:
    return "village" if getattr(actor, "role", "") == "village_assistant" else "window"


def intake_record(*, actor, data, now: datetime) -> Intake:
    """Record the needs and send one ticket per chosen department, due ``intake.referral_due_wd``
    working days after today (a calendar year not loaded is an error naming it, nothing written)."""
    _role(actor, "intake.record", "登记一门受理")
    cleaned = intake_input(data)
    household = Household.objects.filter(pk=cleaned.household).first()
    if household is None or not in_scope(actor, household.region_id):
        raise NotFound("not_found", "家庭不存在或不在您的管辖范围内", field="household")
    today = timezone.localtime(now).date()
    terms = terms_for_region(household.region_id, today)
    cleaned = intake_choices(cleaned, terms)
    if cleaned.person and not Membership.objects.filter(household=household, person_id=cleaned.person,
                                                        end_date__isnull=True).exists():
        raise ValidationFailed("intake.person", "困难对象不是该家庭的在册成员（字段：person）", field="person")
    due, version = None, ""
    if cleaned.departments:
        cal, version = calendar_and_version()
        due = add_workdays(cal, today, terms.due_wd)
    need_of = {dept: need for need, dept in NEED_DEPARTMENT.items() if need in cleaned.needs}
    note = cleaned.note or cleaned.description[:500]
    with transaction.atomic():
        intake = Intake.objects.create(
            household=household, person_id=cleaned.person, region_id=household.region_id, channel=_channel(actor),
            needs=cleaned.needs, description=cleaned.description, received_on=today, created_by=actor, created_at=now)
        audit_record(actor=actor, action="intake.record", subject_type="intake", subject_id=intake.pk,
                     region_code=household.region_id,
                     after={"household": household.pk, "needs": cleaned.needs, "departments": cleaned.departments},
                     details={"referral_due_wd": terms.sources["intake.referral_due_wd"]}, at=now)
        for dept in cleaned.departments:
            ticket = Referral.objects.create(
                intake=intake, region_id=household.region_id, need=need_of.get(dept, ""), department=dept, note=note,
                sent_on=today, sent_by=actor, due_date=due, calendar_version=version)
            audit_record(actor=actor, action="referral.create", subject_type="referral", subject_id=ticket.pk,
                         region_code=household.region_id, reason=note,
                         after={"department": dept, "due_date": due.isoformat() if due else None},
                         details={"intake": intake.pk}, at=now)
    return intake


def _lock(actor, referral_id) -> Referral:
    referral = None
    if str(referral_id).isdigit() and int(referral_id) < 2**63:
        referral = Referral.objects.select_for_update().filter(pk=referral_id).first()
    if referral is None or not in_scope(actor, referral.region_id):
        raise NotFound("not_found", "转介记录不存在或不在您的管辖范围内")
    return referral


def _snapshot(r: Referral) -> dict:
    return {"status": r.status, "feedback": r.feedback, "assisted": r.assisted, "closing_note": r.closing_note}


def referral_respond(*, actor, referral_id, data, now: datetime) -> Referral:
    """Record the department's response (text, helped or not, date). An alert's push goes through
    ``referral_feedback`` (which also closes the alert when every department has answered)."""
    _role(actor, "monitoring.dispose", "登记部门反馈")
    cleaned = feedback_input(data)
    today = timezone.localtime(now).date()
    if cleaned.feedback_on and cleaned.feedback_on > today:
        raise ValidationFailed("monitor.feedback_on", "反馈日期不能晚于今天（字段：feedback_on）", field="feedback_on")
    with transaction.atomic():
        referral = _lock(actor, referral_id)
        if referral.alert_id is not None:
            return referral_feedback(actor=actor, referral_id=referral.pk, data=data, now=now)
        if referral.status != Referral.Status.SENT:
            raise Conflict("monitor.feedback_exists", "该转介已登记反馈，不能重复登记", field="feedback")
        if cleaned.feedback_on and cleaned.feedback_on < referral.sent_on:
            raise ValidationFailed("monitor.feedback_on", "反馈日期不能早于推送日期（字段：feedback_on）",
                                   field="feedback_on")
        before = _snapshot(referral)
        referral.status, referral.feedback, referral.assisted = Referral.Status.ANSWERED, cleaned.feedback, cleaned.assisted
        referral.feedback_on, referral.feedback_by = cleaned.feedback_on or today, actor
        referral.save()
        audit_record(actor=actor, action="referral.feedback", subject_type="referral", subject_id=referral.pk,
                     region_code=referral.region_id or "", before=before, after=_snapshot(referral), reason=cleaned.feedback,
                     details={"intake": referral.intake_id, "assisted": cleaned.assisted}, at=now)
    return referral


def referral_close(*, actor, referral_id, data, now: datetime) -> Referral:
    """Close an intake's ticket after the department's response, with a closing note."""
    _role(actor, "monitoring.dispose", "办结转介")
    cleaned = close_input(data)
    today = timezone.localtime(now).date()
    with transaction.atomic():
        referral = _lock(actor, referral_id)
        if referral.alert_id is not None:
            raise Conflict("monitor.alert_referral", "预警的分类推送随预警办结，不能单独办结", field="closing_note")
        if referral.status == Referral.Status.CLOSED:
            raise Conflict("monitor.referral_closed", "该转介已办结", field="closing_note")
        if referral.status != Referral.Status.ANSWERED:
            raise Conflict("monitor.no_feedback", "须先登记部门反馈，再办结（字段：feedback）", field="feedback")
        before = _snapshot(referral)
        referral.status, referral.closing_note = Referral.Status.CLOSED, cleaned.closing_note
        referral.closed_on, referral.closed_by = today, actor
        referral.save()
        audit_record(actor=actor, action="referral.close", subject_type="referral", subject_id=referral.pk,
                     region_code=referral.region_id or "", before=before, after=_snapshot(referral),
                     reason=cleaned.closing_note, details={"intake": referral.intake_id}, at=now)
    return referral
