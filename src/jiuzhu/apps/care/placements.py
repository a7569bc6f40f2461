"""Placement (issue 16 §4, seed 二(三)): 集中供养 in a named institution (敬老院, or a 精神卫生机构 with the
guardian's consent) or 分散供养 with an entrusted caregiver (委托照料: caregiver, fee, duties); a change
is a transfer, audited with before and after. The institution's roster is ``roster``."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.scope import scope_q
from jiuzhu.core.validation import validate
from jiuzhu.rules.care import check_placement
from jiuzhu.rules.errors import ValidationFailed

from .inputs import PlacementInput
from .models import CareProfile
from .services import _enrollment, _live, profile_of, require


def _snap(p: CareProfile) -> dict:
    return {"placement": p.placement, "institution": p.institution, "institution_kind": p.institution_kind,
            "caregiver": p.caregiver, "care_fee": str(p.care_fee) if p.care_fee is not None else None,
            "since": p.placement_since.isoformat() if p.placement_since else None}


def placement_record(*, actor, enrollment_id, data, now: datetime) -> CareProfile:
    require(actor, "care.capacity", "登记供养方式（须由乡镇经办人或县民政办理）")
    cleaned = cast(PlacementInput, validate(PlacementInput, data))
    if cleaned.since > timezone.localtime(now).date():
        raise ValidationFailed("care.since", "起始日期晚于今天，不能登记", field="since")
    with transaction.atomic():
        e = _enrollment(actor, enrollment_id, lock=True)
        _live(e)
        profile = profile_of(e)
        has_guardian = profile.guardianships.filter(ended_on__isnull=True, temporary=False).exists()
        check_placement(cleaned.placement, institution_kind=cleaned.institution_kind, institution=cleaned.institution,
                        caregiver=cleaned.caregiver, has_guardian=has_guardian,
                        guardian_consent=cleaned.guardian_consent)
        before = _snap(profile)
        centralized = cleaned.placement == "centralized"
        profile.placement, profile.placement_since = cleaned.placement, cleaned.since
        profile.institution_kind = cleaned.institution_kind if centralized else ""
        profile.institution = cleaned.institution.strip() if centralized else ""
        profile.caregiver = "" if centralized else cleaned.caregiver.strip()
        profile.caregiver_phone = "" if centralized else cleaned.caregiver_phone
        profile.care_fee = None if centralized else cleaned.care_fee
        profile.caregiver_duties = "" if centralized else cleaned.caregiver_duties
        profile.version += 1
        profile.save()
        audit_record(actor=actor, action="care.placement", subject_type="care_profile", subject_id=profile.pk,
                     region_code=e.region_id, before=before, after=_snap(profile),
                     details={"enrollment": e.pk, "transfer": before["placement"] != profile.placement,
                              "guardian_consent": cleaned.guardian_consent}, at=now)
    return profile


def roster(actor, institution: str):
    """The persons placed in ``institution`` (the institution's roster), in the actor's scope."""
    return (CareProfile.objects.filter(scope_q(actor), placement="centralized", institution=institution,
                                       enrollment__status__in=("active", "suspended", "graduating"))
            .select_related("person", "enrollment").order_by("region_id", "id"))
