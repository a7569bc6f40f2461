"""Enrollment lifecycle changes (workflow.md "After approval"; national-rules §8, §10.4).

One service per change: adjust, suspend, resume, stop, graduate. Each checks the actor's role and
region, locks the enrollment, asks the lifecycle table (rules/workflow/enrollment.py) whether the
change is allowed from the current status, writes the ``EnrollmentChange`` (reason, legal ground,
effective from the 1st of next month) and the audit event in one transaction.

The enrollment row holds the latest decision; a change's month of effect is on the change, so
``selectors.terms_for_month`` tells what applies to a payroll month decided before the change.
The written notice (附件9 调整(停发)告知书) is rendered from the change (documents.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.config import calendar, region_configs
from jiuzhu.apps.cases.payloads import validate
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow.enrollment import (
    CHANGE_ROLES,
    DEATH_RECHECK_GROUND,
    LEGAL_GROUNDS,
    STATUS_LABELS,
    TRANSITIONS,
    add_months,
    first_of_next_month,
    graduation_end,
)

from . import terms
from .certificates import certificate_on_change, certificates_revoke_stopped
from .filings import exit_filing_due, is_exit
from .inputs import INPUTS, ScheduleInput
from .models import Enrollment, EnrollmentChange

GRADUATION_END_GROUND = "《最低生活保障审核确认办法》第三十三条（渐退期满停发）"


def _local_day(now: datetime) -> date:
    return timezone.localtime(now).date()


def _snapshot(e: Enrollment) -> dict:
    return {"status": e.status, "amount": str(e.amount), "klass": e.klass, "version": e.version,
            "next_recheck": e.next_recheck.isoformat() if e.next_recheck else None}


def lock_enrollment(actor, enrollment_id) -> Enrollment:
    """The enrollment, row-locked; NotFound outside the actor's region (existence does not leak)."""
    e = None
    if str(enrollment_id).isdigit() and int(enrollment_id) < 2**63:
        e = Enrollment.objects.select_for_update().select_related("household").filter(pk=enrollment_id).first()
    if e is None or not in_scope(actor, e.region_id):
        raise NotFound("not_found", "在保记录不存在或不在您的管辖范围内")
    return e


def _require_role(actor, what: str):
    if getattr(actor, "role", None) not in CHANGE_ROLES:
        raise Forbidden("enrollment.role", f"您的角色不能{what}（须由乡镇经办人或县民政办理）")


def enrollment_change(*, actor, enrollment_id, kind: str, data: dict | None, now: datetime,
                      version: int | None = None) -> EnrollmentChange:
    """Dispatch by change kind (the web form and the typed services below call this)."""
    t = TRANSITIONS.get(kind)
    if t is None:
        raise NotFound("enrollment.unknown_change", f"未知的变更类型：{kind}", field="kind")
    _require_role(actor, t.label)
    cleaned = validate(INPUTS[kind], data)
    with transaction.atomic():
        e = lock_enrollment(actor, enrollment_id)
        if version is not None and e.version != version:
            raise Conflict("enrollment.changed", "在保记录已被他人修改，请刷新后重试", field="version")
        return change_apply(e, kind, actor=actor, now=now, reason=cleaned.reason, legal_ground=cleaned.legal_ground,
                            source="direct", amount=getattr(cleaned, "amount", None),
                            klass=getattr(cleaned, "klass", None),
                            graduation_reason=getattr(cleaned, "graduation_reason", ""))


def enrollment_adjust(*, actor, enrollment_id, amount, reason: str, legal_ground: str = "", klass=None,
                      now: datetime, version: int | None = None) -> EnrollmentChange:
    """增发/减发 or reclassify (R-DM-02/03), from next month."""
    data = {"amount": amount, "klass": klass, "reason": reason, "legal_ground": legal_ground}
    return enrollment_change(actor=actor, enrollment_id=enrollment_id, kind="adjust", data=data, now=now,
                             version=version)


def _simple(kind: str):
    def service(*, actor, enrollment_id, reason: str, legal_ground: str = "", now: datetime,
                version: int | None = None) -> EnrollmentChange:
        return enrollment_change(actor=actor, enrollment_id=enrollment_id, kind=kind, now=now, version=version,
                                 data={"reason": reason, "legal_ground": legal_ground})
    service.__name__ = f"enrollment_{kind}"
    service.__doc__ = f"Enrollment change ``{kind}`` ({TRANSITIONS[kind].label}), effective from next month."
    return service


enrollment_suspend = _simple("suspend")
enrollment_resume = _simple("resume")
enrollment_stop = _simple("stop")


def enrollment_graduate(*, actor, enrollment_id, graduation_reason: str, reason: str, legal_ground: str = "",
                        now: datetime, version: int | None = None) -> EnrollmentChange:
    """渐退 (R-DM-04): benefit continues for the region's period for the reason, then stops."""
    data = {"graduation_reason": graduation_reason, "reason": reason, "legal_ground": legal_ground}
    return enrollment_change(actor=actor, enrollment_id=enrollment_id, kind="graduate", data=data, now=now,
                             version=version)


def change_apply(e: Enrollment, kind: str, *, actor, now: datetime, reason: str, legal_ground: str, source: str,
                 amount: Decimal | None = None, klass: str | None = None, graduation_reason: str = "",
                 graduation_months: int | None = None) -> EnrollmentChange:
    """Apply an authorized change to the locked enrollment ``e`` (direct services and recheck decisions)."""
    t = TRANSITIONS[kind]
    if e.status not in t.from_statuses:
        raise Conflict("enrollment.wrong_status",
                       f"在保状态为“{STATUS_LABELS.get(e.status, e.status)}”，不能{t.label}", field="status")
    today = _local_day(now)
    effective = max(first_of_next_month(today), e.start_month)
    before = _snapshot(e)
    old_amount, old_status, old_class = e.amount, e.status, e.klass
    ground = legal_ground or LEGAL_GROUNDS.get((e.program, kind), "")
    if kind == "adjust":
        new_class = (klass or e.klass) if e.program == "dibao" else ""
        if amount is None or amount <= 0:
            raise ValidationFailed("enrollment.amount", "调整后月保障金应大于 0；停止保障请选择“停止保障”", field="amount")
        if amount == e.amount and new_class == e.klass:
            raise ValidationFailed("enrollment.unchanged", "调整后的金额和分类与现行相同，无需调整", field="amount")
        e.amount, e.klass = amount, new_class
        if new_class != old_class:
            e.next_recheck = add_months(effective, terms.recheck_months(e.program, new_class, e.region_id, today))
    elif kind == "graduate":
        if e.program != "dibao":
            raise ValidationFailed("enrollment.graduation_program", "渐退只适用于最低生活保障", field="graduation_reason")
        if graduation_months is None:
            graduation_months, basis = terms.graduation_months(e.region_id, graduation_reason, today)
            ground = legal_ground or f"{ground}；{basis}"
        e.graduating_until, e.stopped_month = graduation_end(effective, graduation_months)
        e.next_recheck = None
        reason = f"{reason}（渐退期 {graduation_months} 个月，至 {e.graduating_until.isoformat()}，期满停发）"
    elif kind == "stop":
        e.stopped_month, e.next_recheck = effective, None
    if t.to_status:
        e.status = t.to_status
    exit_ = is_exit(new_status=e.status, old_class=old_class, new_class=e.klass)
    change = EnrollmentChange.objects.create(
        enrollment=e, kind=kind, old_amount=old_amount, new_amount=e.amount, old_status=old_status,
        new_status=e.status, old_class=old_class, new_class=e.klass, effective_month=effective, reason=reason,
        legal_ground=ground[:300], source=source, actor=actor, at=now,
        filing_due=exit_filing_due(e.region_id, today) if exit_ else None)  # 出保 filed with the county
    e.version += 1
    e.save()
    certificate_on_change(e, change, actor=actor, now=now)  # 低保证/特困证: reissue or revoke
    audit_record(actor=actor, action=f"enrollment.{kind}", subject_type="enrollment", subject_id=e.pk,
                 region_code=e.region_id, before=before, after=_snapshot(e), reason=reason,
                 details={"change": change.pk, "effective_month": effective.isoformat(), "legal_ground": ground,
                          "source": source}, at=now)
    return change


def recheck_continue(e: Enrollment, *, actor, now: datetime, reason: str, legal_ground: str,
                     source: str) -> EnrollmentChange:
    """A recheck found nothing to change (R-DM-02: the amount is not adjusted): recorded, next recheck set."""
    today = _local_day(now)
    effective = max(first_of_next_month(today), e.start_month)
    before = _snapshot(e)
    e.next_recheck = add_months(effective, terms.recheck_months(e.program, e.klass, e.region_id, today))
    change = EnrollmentChange.objects.create(
        enrollment=e, kind=EnrollmentChange.Kind.RECHECK, old_amount=e.amount, new_amount=e.amount,
        old_status=e.status, new_status=e.status, old_class=e.klass, new_class=e.klass, effective_month=effective,
        reason=reason, legal_ground=legal_ground[:300], source=source, actor=actor, at=now)
    e.version += 1
    e.save()
    audit_record(actor=actor, action="enrollment.recheck", subject_type="enrollment", subject_id=e.pk,
                 region_code=e.region_id, before=before, after=_snapshot(e), reason=reason,
                 details={"change": change.pk, "source": source}, at=now)
    return change


def enrollment_schedule_recheck(*, actor, enrollment_id, data: dict | None, now: datetime):
    """Open a recheck case now (a caseworker's or the county's decision), due by the enrollment's recheck
    date or, if that has passed, within a month."""
    from jiuzhu.apps.cases.scheduling import schedule_recheck

    _require_role(actor, "安排复核")
    cleaned = validate(ScheduleInput, data)
    today = _local_day(now)
    with transaction.atomic():
        e = lock_enrollment(actor, enrollment_id)
        if e.status not in Enrollment.LIVE:
            raise Conflict("enrollment.not_live", "该在保记录已停保，不能安排复核", field="status")
        due = e.next_recheck if e.next_recheck and e.next_recheck > today else add_months(today, 1)
        case, _ = schedule_recheck(actor=actor, enrollment=e, due=due, reason=cleaned.reason, now=now)
    return case


def enrollment_death_reported(*, actor, person_id: int, household_id: int, person_name: str, died_on: date,
                              now: datetime) -> list:
    """R-DM-05: after a member's death the household is rechecked within 3 months. Called by the
    registry inside its transaction (``registry.events.death_reported``; registered in
    ``EnrollmentConfig.ready``); brings ``next_recheck`` forward on the household's live
    enrollments (and the person's own), records it, and opens (or hurries) the recheck case."""
    from jiuzhu.apps.cases.scheduling import schedule_recheck

    live = (Enrollment.objects.select_for_update().select_related("household")
            .filter(status__in=Enrollment.LIVE).filter(Q(household_id=household_id) | Q(person_id=person_id))
            .order_by("id"))
    cases = []
    for e in live:  # a household holds a handful of enrollments at most
        due = add_months(died_on, terms.death_recheck_months(e.region_id, died_on))
        reason = f"家庭成员{person_name}于{died_on.isoformat()}死亡，须于{due.isoformat()}前完成复核"
        before = _snapshot(e)
        if e.next_recheck is None or e.next_recheck > due:
            e.next_recheck = due
        change = EnrollmentChange.objects.create(
            enrollment=e, kind=EnrollmentChange.Kind.RECHECK, old_amount=e.amount, new_amount=e.amount,
            old_status=e.status, new_status=e.status, old_class=e.klass, new_class=e.klass,
            effective_month=max(first_of_next_month(_local_day(now)), e.start_month), reason=reason,
            legal_ground=DEATH_RECHECK_GROUND, source=f"death:{person_id}", actor=actor, at=now)
        e.version += 1
        e.save()
        audit_record(actor=actor, action="enrollment.death_recheck", subject_type="enrollment", subject_id=e.pk,
                     region_code=e.region_id, before=before, after=_snapshot(e), reason=reason,
                     details={"change": change.pk, "person": person_id, "due": due.isoformat()}, at=now)
        case, _ = schedule_recheck(actor=actor, enrollment=e, due=due, reason=reason, now=now, rule_id="R-DM-05")
        cases.append(case)
    return cases


def enrollments_graduation_end(*, today: date, now: datetime, actor=None) -> int:
    """Graduation periods that ended before ``today``'s month: stop them (bulk; idempotent)."""
    month = today.replace(day=1)
    with transaction.atomic():
        rows = list(Enrollment.objects.select_for_update()
                    .filter(status=Enrollment.Status.GRADUATING, stopped_month__lte=month)
                    .values("id", "amount", "klass", "stopped_month", "region_id"))
        if not rows:
            return 0
        cfgs, cal = region_configs({r["region_id"] for r in rows}), calendar()
        dues = {code: exit_filing_due(code, today, cfg, cal) for code, cfg in cfgs.items()}
        EnrollmentChange.objects.bulk_create([EnrollmentChange(
            enrollment_id=r["id"], kind=EnrollmentChange.Kind.STOP, old_amount=r["amount"], new_amount=r["amount"],
            old_status="graduating", new_status="stopped", old_class=r["klass"], new_class=r["klass"],
            effective_month=r["stopped_month"], reason="渐退期满，停止保障", legal_ground=GRADUATION_END_GROUND,
            source="graduation_end", actor=actor, at=now, filing_due=dues[r["region_id"]]) for r in rows])
        ids = [r["id"] for r in rows]
        Enrollment.objects.filter(pk__in=ids).update(status=Enrollment.Status.STOPPED, next_recheck=None,
                                                     version=F("version") + 1, updated_at=now)
        certificates_revoke_stopped(ids, on=today, now=now, actor=actor)
        audit_record(actor=actor, action="enrollment.graduation_end", subject_type="enrollment", subject_id="bulk",
                     reason="渐退期满停发", details={"count": len(ids), "month": month.isoformat(), "ids": ids[:1000]},
                     at=now)
    return len(ids)
