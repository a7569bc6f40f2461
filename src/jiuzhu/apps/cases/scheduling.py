"""Opening a recheck (复核) case for one enrollment (R-DM-02 periodic, R-DM-05 after a death).

A recheck starts in ``scheduled`` with one supervised deadline, ``recheck`` (复核办结期限), due on the
date given. The annual review opens many at once with the same columns (apps/reviews/bulk.py);
this is the one-at-a-time path (a caseworker's button, a death report).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.registry.models import Membership
from jiuzhu.rules.errors import Conflict

from . import config
from .engine import refresh_tasks
from .models import Case, CaseDeadline, CaseEvent, Channel

RECHECK_STEP = "recheck"
LIVE_DEADLINE = (CaseDeadline.Status.OPEN, CaseDeadline.Status.OVERDUE)


def recheck_applicant_id(enrollment) -> int | None:
    """Who the recheck is about: the enrolled person (tekun, single-person dibao) or the household head."""
    if enrollment.person_id:
        return enrollment.person_id
    if enrollment.household.head_id:
        return enrollment.household.head_id
    return (Membership.objects.filter(household_id=enrollment.household_id, end_date__isnull=True)
            .order_by("id").values_list("person_id", flat=True).first())


def open_recheck(enrollment_id) -> Case | None:
    return Case.objects.filter(enrollment_id=enrollment_id, kind=Case.Kind.RECHECK, is_open=True).first()


def schedule_recheck(*, actor, enrollment, due: date, reason: str, now: datetime, rule_id: str = "R-DM-02",
                     campaign=None) -> tuple[Case, bool]:
    """(case, created): open a recheck due on ``due``, or bring the open one's deadline forward to ``due``.
    The caller has checked the actor's role and scope and holds the enrollment's row lock."""
    today = timezone.localtime(now).date()
    existing = Case.objects.select_for_update().filter(enrollment=enrollment, kind=Case.Kind.RECHECK,
                                                       is_open=True).first()
    if existing is not None:
        _bring_forward(existing, due, today, actor=actor, reason=reason, now=now)
        return existing, False
    applicant_id = recheck_applicant_id(enrollment)
    if applicant_id is None:
        raise Conflict("recheck.no_member", "该家庭没有在册成员，不能安排复核", field="household")
    cfg = config.region_config(enrollment.region_id)
    version = config.calendar_version()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                kind=Case.Kind.RECHECK, program=enrollment.program, household_id=enrollment.household_id,
                applicant_id=applicant_id, region_id=enrollment.region_id, channel=Channel.RECHECK, state="scheduled",
                settings=config.settings_snapshot(cfg.settings), calendar_version=version, submitted_at=now,
                created_by=actor, enrollment=enrollment, campaign=campaign)
            payload = {"due": due.isoformat(), "campaign": campaign.pk if campaign else None}
            CaseEvent.objects.create(case=case, at=now, action="schedule", actor=actor, actor_name=actor.username,
                                     role=actor.role, to_state="scheduled", reason=reason, payload=payload)
            CaseDeadline.objects.create(case=case, step=RECHECK_STEP, rule_id=rule_id,
                                        amount=min(max((due - today).days, 0), 32767), unit="days", supervised=True,
                                        starts_on=today, due=due, calendar_version=version)
            refresh_tasks(case, today)
            case.save()
    except IntegrityError:
        raise Conflict("recheck.already_open", "该在保记录已有正在办理的复核", field="enrollment") from None
    audit_record(actor=actor, action="case.schedule", subject_type="case", subject_id=case.pk,
                 region_code=case.region_id, before={"state": None}, after={"state": case.state, "version": 1},
                 reason=reason, details={"enrollment": enrollment.pk, "due": due.isoformat(), "rule": rule_id},
                 at=now)
    return case, True


def _bring_forward(case: Case, due: date, today: date, *, actor, reason: str, now: datetime):
    deadline = case.deadlines.filter(step=RECHECK_STEP, status__in=LIVE_DEADLINE).order_by("-id").first()
    if deadline is None or deadline.due <= due:
        return
    before = deadline.due.isoformat()
    deadline.due = due
    deadline.save(update_fields=["due"])
    refresh_tasks(case, today)
    case.save(update_fields=["task_role", "next_step", "next_due", "overdue", "task_waiting"])
    audit_record(actor=actor, action="case.recheck_due", subject_type="case", subject_id=case.pk,
                 region_code=case.region_id, before={"due": before}, after={"due": due.isoformat()},
                 reason=reason, at=now)
