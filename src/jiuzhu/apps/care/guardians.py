"""Guardians (R-GRD-01) and the 监护照料协议: record a guardian (the class is checked against the near
relatives recorded and who else is willing), change it (the current one ends), arrange temporary
living care when the guardian cannot act (民法典第三十四条第四款), end it, print the agreement and
upload the signed copy. Audited, in scope, nothing changed on bad input."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.core.validation import validate
from jiuzhu.rules.care import (
    CAPACITY,
    CONSENT_BY,
    GUARDIAN_CLASSES,
    GUARDIAN_KINDS,
    NEEDS_GUARDIAN,
    RELATIVES,
    Relative,
    check_guardian,
)
from jiuzhu.rules.errors import Conflict, NotFound, ValidationFailed

from . import files
from .inputs import GuardianEndInput, GuardianInput
from .models import Guardianship
from .services import _enrollment, _live, profile_of, require


def _snap(g: Guardianship) -> dict:
    return {"class": g.guardian_class, "kind": g.guardian_kind, "name": g.guardian_name, "temporary": g.temporary,
            "start": g.start.isoformat(), "ended_on": g.ended_on.isoformat() if g.ended_on else None}


def guardian_record(*, actor, enrollment_id, data, now: datetime) -> Guardianship:
    """A guardian for a person with limited or no capacity; the class must follow from the persons
    recorded (R-GRD-01), else refused with the reason. A new guardian replaces the current one;
    ``temporary`` arranges temporary care beside the guardian who cannot act."""
    require(actor, "care.guardian", "确定监护人（须由乡镇经办人或县民政办理）")
    cleaned = cast(GuardianInput, validate(GuardianInput, data))
    today = timezone.localtime(now).date()
    if cleaned.review_on <= cleaned.start:
        raise ValidationFailed("care.review_on", "复核日期应晚于开始日期", field="review_on")
    if cleaned.start > today:
        raise ValidationFailed("care.start", "开始日期晚于今天，不能登记", field="start")
    relatives = [Relative(r.relation, r.name, r.able) for r in cleaned.relatives]
    with transaction.atomic():
        e = _enrollment(actor, enrollment_id, lock=True)
        _live(e)
        profile = profile_of(e, actor=actor, now=now)
        if profile.capacity not in NEEDS_GUARDIAN:
            shown = CAPACITY.get(profile.capacity, "未登记")
            raise Conflict("care.capacity_needed", f"该人员民事行为能力为“{shown}”：须先登记为限制或无民事行为能力，"
                           "才能确定监护人", field="guardian_class")
        current = profile.guardianships.filter(ended_on__isnull=True, temporary=False).first()
        if cleaned.temporary:
            if current is None:
                raise Conflict("care.no_guardian", "该人员尚无监护人，应先确定监护人，不能只安排临时生活照料",
                               field="temporary")
            if cleaned.consent_by not in CONSENT_BY:
                raise ValidationFailed("care.consent_by", "临时生活照料由村(居)民委员会或民政部门安排，请注明安排单位",
                                       field="consent_by")
            klass = current.guardian_class
            profile.guardianships.filter(ended_on__isnull=True, temporary=True).update(
                ended_on=cleaned.start, end_reason="另行安排临时生活照料")
        else:
            check_guardian(guardian_class=cleaned.guardian_class, guardian_kind=cleaned.guardian_kind,
                           relatives=relatives, consent_by=cleaned.consent_by,
                           committee_capable=cleaned.committee_capable)
            klass = cleaned.guardian_class
            if current is not None:
                if cleaned.start < current.start:
                    raise ValidationFailed("care.start", f"开始日期早于现任监护人的开始日期（{current.start.isoformat()}）",
                                           field="start")
                current.ended_on, current.end_reason = cleaned.start, f"变更监护人为{cleaned.guardian_name}"
                current.save(update_fields=["ended_on", "end_reason"])
        g = Guardianship.objects.create(
            profile=profile, guardian_class=klass, guardian_kind=cleaned.guardian_kind,
            guardian_name=cleaned.guardian_name, guardian_phone=cleaned.guardian_phone,
            relatives=[r.model_dump() for r in cleaned.relatives], consent_by=cleaned.consent_by,
            committee_capable=cleaned.committee_capable, duties=cleaned.duties, start=cleaned.start,
            review_on=cleaned.review_on, temporary=cleaned.temporary,
            created_by=actor if getattr(actor, "pk", None) else None, created_at=now)
        audit_record(actor=actor, action="care.guardian", subject_type="care_profile", subject_id=profile.pk,
                     region_code=e.region_id, before=_snap(current) if current else None, after=_snap(g),
                     details={"guardianship": g.pk, "enrollment": e.pk}, at=now)
    return g


def guardianship_get(actor, guardianship_id, *, lock: bool = False) -> Guardianship:
    g = None
    if str(guardianship_id).isdigit() and int(guardianship_id) < 2**63:
        qs = Guardianship.objects.select_for_update() if lock else Guardianship.objects
        g = qs.select_related("profile").filter(pk=guardianship_id).first()
    if g is None:
        raise NotFound("not_found", "监护记录不存在或不在您的管辖范围内")
    _enrollment(actor, g.profile.enrollment_id, lock=False)  # scope
    return g


def guardian_end(*, actor, guardianship_id, data, now: datetime) -> Guardianship:
    require(actor, "care.guardian", "终止监护关系（须由乡镇经办人或县民政办理）")
    cleaned = cast(GuardianEndInput, validate(GuardianEndInput, data))
    with transaction.atomic():
        g = guardianship_get(actor, guardianship_id, lock=True)
        if g.ended_on is not None:
            raise Conflict("care.guardian_ended", "该监护关系已终止", field="ended_on")
        if cleaned.ended_on < g.start or cleaned.ended_on > timezone.localtime(now).date():
            raise ValidationFailed("care.ended_on", "终止日期应在开始日期之后且不晚于今天", field="ended_on")
        before = _snap(g)
        g.ended_on, g.end_reason = cleaned.ended_on, cleaned.end_reason
        g.save(update_fields=["ended_on", "end_reason"])
        audit_record(actor=actor, action="care.guardian_end", subject_type="care_profile", subject_id=g.profile_id,
                     region_code=g.profile.region_id, before=before, after=_snap(g), reason=cleaned.end_reason,
                     details={"guardianship": g.pk}, at=now)
    return g


def agreement_html(g: Guardianship) -> str:
    profile = g.profile
    village = Region.objects.filter(code=profile.region_id).first()
    township = Region.objects.filter(code=village.parent_id).first() if village and village.parent_id else None
    return render_to_string("care/agreement.html", {
        "kind": {"title": "特困人员监护照料协议", "attachment_label": ""}, "g": g, "person": profile.person, "village": village, "township": township,
        "class_label": GUARDIAN_CLASSES[g.guardian_class], "kind_label": GUARDIAN_KINDS[g.guardian_kind],
        "consent_label": CONSENT_BY.get(g.consent_by, ""), "capacity_label": CAPACITY.get(profile.capacity, ""),
        "relatives": [{"relation": RELATIVES[r["relation"]][0], "name": r["name"], "able": r["able"]}
                      for r in g.relatives]})


def agreement_pdf(*, actor, guardianship_id) -> tuple[Guardianship, bytes]:
    """The 监护照料协议 as a PDF (the documents toolkit: WeasyPrint, CJK fonts, no network)."""
    from jiuzhu.apps.documents.render import cjk_font_check, html_to_pdf

    require(actor, "care.read", "查看监护照料协议")
    g = guardianship_get(actor, guardianship_id, lock=False)
    cjk_font_check()
    return g, html_to_pdf(agreement_html(g))


def agreement_upload(*, actor, guardianship_id, filename: str, content: bytes, now: datetime) -> Guardianship:
    """The signed agreement (scan or photo: PDF, JPEG or PNG), stored encrypted."""
    require(actor, "care.guardian", "上传签字监护照料协议（须由乡镇经办人或县民政办理）")
    ctype, ext = files.checked_signed(filename, content)
    with transaction.atomic():
        g = guardianship_get(actor, guardianship_id, lock=True)
        previous, sha = files.attach_signed(g, "signed", folder=f"agreement/{g.pk}", content=content, ctype=ctype,
                                            ext=ext)
        before = {"signed_sha256": previous}
        audit_record(actor=actor, action="care.agreement_upload", subject_type="care_profile",
                     subject_id=g.profile_id, region_code=g.profile.region_id, before=before,
                     after={"signed_sha256": sha}, details={"guardianship": g.pk}, at=now)
    return g
