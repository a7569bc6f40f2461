"""Care state changes, one service each, audited: civil capacity, the self-care
assessment (which changes the care fee from next month through ``enrollment.services.change_apply``,
so the change is audited and gets its 调整告知书). Guardians are in ``guardians.py``, placement in
``placements.py``, visits in ``visits.py``.

Every service checks the permission, finds the person's live tekun enrollment in the actor's
scope (outside it: not found, existence does not leak) and changes nothing on bad input."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.config import region_config
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.services import change_apply
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.core.validation import validate
from jiuzhu.rules.care import (
    ADLS,
    CAPACITY,
    CARE_CLASSES,
    DEFAULT_ASSESSMENT_MONTHS,
    add_months,
    care_class,
    check_assessment,
    check_capacity,
    tekun_monthly_amount,
)
from jiuzhu.rules.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.terms import terms_for

from .inputs import AssessmentInput, CapacityInput
from .models import Assessment, CareProfile

ASSESSMENT_GROUND = "《特困人员认定办法》第二十条至第二十三条（生活自理能力评估，照料护理标准分档）"


def require(actor, permission: str, what: str) -> None:
    if not can(actor, permission):
        raise Forbidden("care.role", f"您的角色不能{what}")


def _enrollment(actor, enrollment_id, *, lock: bool) -> Enrollment:
    e = None
    if str(enrollment_id).isdigit() and int(enrollment_id) < 2**63:
        qs = Enrollment.objects.select_for_update() if lock else Enrollment.objects
        e = qs.select_related("household", "person").filter(pk=enrollment_id, program="tekun",
                                                             person__isnull=False).first()
    if e is None or not in_scope(actor, e.region_id):
        raise NotFound("not_found", "特困供养人员不存在或不在您的管辖范围内")
    return e


def profile_find(e: Enrollment) -> CareProfile:
    """The person's care profile, or an unsaved blank one when none was recorded yet (a read writes
    nothing: the profile is created by the first recording service, ``profile_of``)."""
    found = CareProfile.objects.filter(enrollment=e).first()
    return found or CareProfile(enrollment=e, person=e.person, region_id=e.region_id)


def profile_of(e: Enrollment, *, actor, now: datetime) -> CareProfile:
    """The person's care profile for a recording service: created on first use, audited
    (``care.profile_open``), inside the caller's transaction."""
    profile, created = CareProfile.objects.get_or_create(enrollment=e, defaults={"person_id": e.person_id,
                                                                                 "region_id": e.region_id})
    if created:
        audit_record(actor=actor, action="care.profile_open", subject_type="care_profile", subject_id=profile.pk,
                     region_code=e.region_id, after=_snapshot(profile), details={"enrollment": e.pk}, at=now)
    return profile


def profile_get(*, actor, enrollment_id) -> CareProfile:
    """The profile to show (unsaved when none yet: a GET writes nothing)."""
    require(actor, "care.read", "查看监护照护档案")
    e = _enrollment(actor, enrollment_id, lock=False)
    return profile_find(e)


def _snapshot(p: CareProfile) -> dict:
    return {"capacity": p.capacity, "capacity_basis": p.capacity_basis, "placement": p.placement,
            "care_class": p.care_class, "version": p.version}


def _live(e: Enrollment) -> None:
    if e.status not in Enrollment.LIVE:
        raise Conflict("care.not_live", "该人员已停止特困供养，不能再登记", field="status")


def capacity_record(*, actor, enrollment_id, data, now: datetime) -> CareProfile:
    """Civil capacity with its basis."""
    require(actor, "care.capacity", "登记民事行为能力（须由乡镇经办人或县民政办理）")
    cleaned = cast(CapacityInput, validate(CapacityInput, data))
    today = timezone.localtime(now).date()
    if cleaned.capacity_on > today:
        raise ValidationFailed("care.capacity_on", "认定日期晚于今天，不能登记", field="capacity_on")
    with transaction.atomic():
        e = _enrollment(actor, enrollment_id, lock=True)
        _live(e)
        person = e.person  # _enrollment selects person__isnull=False
        check_capacity(cleaned.capacity, cleaned.capacity_basis, cleaned.capacity_detail,
                       disability_kind=getattr(person, "disability_kind", "none"),
                       disability_grade=getattr(person, "disability_grade", 0))
        profile = profile_of(e, actor=actor, now=now)
        before = _snapshot(profile)
        full = cleaned.capacity == "full"
        profile.capacity = cleaned.capacity
        profile.capacity_basis = "" if full else cleaned.capacity_basis
        profile.capacity_detail = "" if full else cleaned.capacity_detail
        profile.capacity_on = cleaned.capacity_on
        profile.version += 1
        profile.save()
        audit_record(actor=actor, action="care.capacity", subject_type="care_profile", subject_id=profile.pk,
                     region_code=e.region_id, before=before, after=_snapshot(profile),
                     details={"enrollment": e.pk, "capacity": CAPACITY[cleaned.capacity]}, at=now)
    return profile


def assessment_record(*, actor, enrollment_id, data, now: datetime) -> Assessment:
    """A self-care assessment (R-TK-14): sets the care class; when the month's support for that class
    differs from the current amount, the enrollment is adjusted from next month (change_apply)."""
    require(actor, "care.capacity", "登记生活自理能力评估（须由乡镇经办人或县民政办理）")
    cleaned = cast(AssessmentInput, validate(AssessmentInput, data))
    today = timezone.localtime(now).date()
    check_assessment(cleaned.assessed_on, today, cleaned.assessor, cleaned.assessor_name)
    with transaction.atomic():
        e = _enrollment(actor, enrollment_id, lock=True)
        _live(e)
        try:
            terms = terms_for(load_policy(region_config(e.region_id).policy), today, e.household.area_type)
        except DomainError as exc:
            raise ValidationFailed("care.policy", f"本地区政策参数缺失，不能计算照料护理标准：{exc.message}",
                                   field="assessed_on") from None
        klass = care_class(cleaned.adl_failed, terms)
        profile = profile_of(e, actor=actor, now=now)
        before = _snapshot(profile)
        change = None
        amount = tekun_monthly_amount(klass, terms)
        failed = [ADLS[a] for a in ADLS if a in cleaned.adl_failed]
        if amount != e.amount:
            reason = (f"生活自理能力评估（{cleaned.assessed_on.isoformat()}，{cleaned.assessor_name}）："
                      f"{len(failed)} 项不能自理（{'、'.join(failed) or '无'}），照料护理等级为{CARE_CLASSES[klass]}，"
                      f"月供养金由 {e.amount} 元调整为 {amount} 元")
            change = change_apply(e, "adjust", actor=actor, now=now, reason=reason, legal_ground=ASSESSMENT_GROUND,
                                  source=f"care_assessment:{profile.pk}", amount=amount)
        next_due = add_months(cleaned.assessed_on, DEFAULT_ASSESSMENT_MONTHS)
        a = Assessment.objects.create(profile=profile, assessed_on=cleaned.assessed_on, assessor=cleaned.assessor,
                                      assessor_name=cleaned.assessor_name, adl_failed=sorted(set(cleaned.adl_failed)),
                                      care_class=klass, next_due=next_due, change=change,
                                      created_by=actor if getattr(actor, "pk", None) else None, created_at=now)
        profile.care_class, profile.assessed_on, profile.next_assessment = klass, cleaned.assessed_on, next_due
        profile.version += 1
        profile.save()
        audit_record(actor=actor, action="care.assessment", subject_type="care_profile", subject_id=profile.pk,
                     region_code=e.region_id, before=before, after=_snapshot(profile),
                     details={"assessment": a.pk, "adl_failed": a.adl_failed, "care_class": klass,
                              "change": change.pk if change else None, "amount": str(amount)}, at=now)
    return a
