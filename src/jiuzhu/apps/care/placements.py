"""Placement (issue 16 §4, seed 二(三)): 集中供养 in a named institution (敬老院, or a 精神卫生机构 —
only with the consent of the person's guardian) or 分散供养 with an entrusted caregiver (委托照料:
caregiver, fee, duties, start, review date). A change between 集中 and 分散 is a transfer
(``care.transfer``, with its reason, before and after); other changes are ``care.placement``.
The institutions and their rosters are ``institutions`` / ``roster``; the 委托照料协议 is a PDF from
the documents toolkit, its signed copy uploaded (checked by content, encrypted)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import scope_q
from jiuzhu.core.validation import validate
from jiuzhu.rules.care import CARE_CLASSES, DEFAULT_ASSESSMENT_MONTHS, INSTITUTION_KINDS, add_months, check_placement
from jiuzhu.rules.errors import Conflict, ValidationFailed

from . import files
from .inputs import PlacementInput
from .models import CareProfile
from .services import _enrollment, _live, profile_find, profile_of, require

LIVE = ("active", "suspended", "graduating")


def _snap(p: CareProfile) -> dict:
    return {"placement": p.placement, "institution": p.institution, "institution_kind": p.institution_kind,
            "caregiver": p.caregiver, "care_fee": str(p.care_fee) if p.care_fee is not None else None,
            "since": p.placement_since.isoformat() if p.placement_since else None,
            "review_on": p.placement_review_on.isoformat() if p.placement_review_on else None,
            "consent_guardian": p.consent_guardian, "entrusted_signed_sha256": p.entrusted_signed_sha256}


def placement_record(*, actor, enrollment_id, data, now: datetime) -> CareProfile:
    require(actor, "care.capacity", "登记供养方式（须由乡镇经办人或县民政办理）")
    cleaned = cast(PlacementInput, validate(PlacementInput, data))
    if cleaned.since > timezone.localtime(now).date():
        raise ValidationFailed("care.since", "起始日期晚于今天，不能登记", field="since")
    if cleaned.review_on is not None and cleaned.review_on <= cleaned.since:
        raise ValidationFailed("care.review_on", "协议复核日期应晚于起始日期", field="review_on")
    with transaction.atomic():
        e = _enrollment(actor, enrollment_id, lock=True)
        _live(e)
        profile = profile_of(e, actor=actor, now=now)
        guardian = profile.guardianships.filter(ended_on__isnull=True, temporary=False).first()
        check_placement(cleaned.placement, institution_kind=cleaned.institution_kind, institution=cleaned.institution,
                        caregiver=cleaned.caregiver, has_guardian=guardian is not None,
                        guardian_consent=cleaned.guardian_consent)
        previous = profile.placement_since
        transfer = previous is not None and profile.placement != cleaned.placement
        if previous is not None and transfer and not cleaned.reason:
            raise ValidationFailed("care.reason", "集中供养与分散供养之间转换，请填写转换原因（如本人申请、自理能力变化）",
                                   field="reason")
        if previous is not None and transfer and cleaned.since < previous:
            raise ValidationFailed("care.since", f"转换起始日期早于原供养方式的起始日期（{previous.isoformat()}）",
                                   field="since")
        before = _snap(profile)
        centralized = cleaned.placement == "centralized"
        profile.placement, profile.placement_since = cleaned.placement, cleaned.since
        profile.institution_kind = cleaned.institution_kind if centralized else ""
        profile.institution = cleaned.institution.strip() if centralized else ""
        mental = centralized and cleaned.institution_kind == "mental_health"
        profile.consent_guardian = guardian.guardian_name if mental and guardian else ""
        profile.caregiver = "" if centralized else cleaned.caregiver.strip()
        profile.caregiver_phone = "" if centralized else cleaned.caregiver_phone
        profile.care_fee = None if centralized else cleaned.care_fee
        profile.caregiver_duties = "" if centralized else cleaned.caregiver_duties
        profile.placement_review_on = None if centralized else (
            cleaned.review_on or add_months(cleaned.since, DEFAULT_ASSESSMENT_MONTHS))
        # the signed copy belongs to the agreement on the terms before; new terms need a new signature
        profile.entrusted_signed_path = profile.entrusted_signed_sha256 = profile.entrusted_signed_type = ""
        profile.version += 1
        profile.save()
        audit_record(actor=actor, action="care.transfer" if transfer else "care.placement", subject_type="care_profile",
                     subject_id=profile.pk, region_code=e.region_id, before=before, after=_snap(profile),
                     reason=cleaned.reason,
                     details={"enrollment": e.pk, "transfer": transfer, "guardian_consent": cleaned.guardian_consent},
                     at=now)
    return profile


def institutions(actor) -> list[dict]:
    """The institutions where the actor's live tekun persons are placed, with their kind and count."""
    rows = (CareProfile.objects.filter(scope_q(actor), placement="centralized", enrollment__status__in=LIVE)
            .values("institution", "institution_kind").annotate(n=Count("id")).order_by("institution_kind",
                                                                                         "institution"))
    return [{"name": r["institution"], "kind": r["institution_kind"],
             "kind_label": INSTITUTION_KINDS.get(r["institution_kind"], ""), "count": r["n"]} for r in rows]


def roster(actor, institution: str):
    """The persons placed in ``institution`` (the institution's roster), in the actor's scope."""
    return (CareProfile.objects.filter(scope_q(actor), placement="centralized", institution=institution,
                                       enrollment__status__in=LIVE)
            .select_related("person", "enrollment").order_by("region_id", "id"))


def _entrusted(actor, enrollment_id, *, lock: bool) -> CareProfile:
    profile = profile_find(_enrollment(actor, enrollment_id, lock=lock))
    if profile.pk is None or profile.placement != "dispersed" or not profile.caregiver:
        raise Conflict("care.no_entrustment", "该人员尚未登记分散供养的委托照料人，没有委托照料协议", field="file")
    return profile


def entrusted_html(profile: CareProfile) -> str:
    village = Region.objects.filter(code=profile.region_id).first()
    township = Region.objects.filter(code=village.parent_id).first() if village and village.parent_id else None
    return render_to_string("care/entrusted.html", {
        "kind": {"title": "分散供养特困人员委托照料协议", "attachment_label": ""}, "p": profile, "person": profile.person,
        "village": village, "township": township, "care_class_label": CARE_CLASSES.get(profile.care_class, "未评估")})


def entrusted_pdf(*, actor, enrollment_id) -> tuple[CareProfile, bytes]:
    """The 委托照料协议 (caregiver, fee, duties, start, review date) as a PDF (WeasyPrint, CJK fonts)."""
    from jiuzhu.apps.documents.render import cjk_font_check, html_to_pdf

    require(actor, "care.read", "查看委托照料协议")
    profile = _entrusted(actor, enrollment_id, lock=False)
    cjk_font_check()
    return profile, html_to_pdf(entrusted_html(profile))


def entrusted_upload(*, actor, enrollment_id, filename: str, content: bytes, now: datetime) -> CareProfile:
    """The signed 委托照料协议 (scan or photo: PDF, JPEG or PNG), stored encrypted."""
    require(actor, "care.guardian", "上传签字委托照料协议（须由乡镇经办人或县民政办理）")
    ctype, ext = files.checked_signed(filename, content)
    with transaction.atomic():
        profile = _entrusted(actor, enrollment_id, lock=True)
        previous, sha = files.attach_signed(profile, "entrusted_signed", folder=f"entrusted/{profile.pk}",
                                            content=content, ctype=ctype, ext=ext)
        before = {"entrusted_signed_sha256": previous}
        audit_record(actor=actor, action="care.entrusted_upload", subject_type="care_profile", subject_id=profile.pk,
                     region_code=profile.region_id, before=before, after={"entrusted_signed_sha256": sha},
                     details={"enrollment": profile.enrollment_id, "caregiver": profile.caregiver}, at=now)
    return profile


def entrusted_signed(*, actor, enrollment_id) -> tuple[CareProfile, bytes]:
    require(actor, "care.photo", "查看签字委托照料协议")
    profile = _entrusted(actor, enrollment_id, lock=False)
    if not profile.entrusted_signed_path:
        raise Conflict("care.no_signed", "尚未上传签字委托照料协议", field="file")
    return profile, files.read(profile.entrusted_signed_path)
