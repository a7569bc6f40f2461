"""探视巡访 of dispersed 特困 persons (seed 三(三); R-GRD-03, R-GRD-05): the village assistant or
township worker records a visit on the phone — date, who, findings by area, photos, needs. A need
with a department becomes a monitoring alert disposed as 分类推送 with its referral (the monitoring
referral model: the department's feedback is recorded on the alert page). A visit dated in the
future or outside the person's enrollment is refused."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.config import calendar_version, region_config
from jiuzhu.apps.monitoring.models import Alert, Referral
from jiuzhu.apps.workcalendar.selectors import work_calendar
from jiuzhu.core.validation import validate
from jiuzhu.rules.calendar import add_workdays
from jiuzhu.rules.care import FINDINGS, check_visit_date
from jiuzhu.rules.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.rules.monitoring import monitor_terms
from jiuzhu.rules.params import load_policy

from . import files
from .inputs import VisitInput
from .models import Visit, VisitPhoto
from .services import _enrollment, profile_of, require


def _referral(visit: Visit, e, *, actor, department: str, today) -> Alert:
    terms = monitor_terms(load_policy(region_config(e.region_id).policy), today)
    due = add_workdays(work_calendar(), today, terms.due_working_days)
    alert = Alert.objects.create(
        scan=None, dedup_key=f"care_visit:{visit.pk}", type="care_need", source="care_visit", person_id=e.person_id,
        household_id=e.household_id, region_id=e.region_id, category="tekun", event_date=visit.visited_on,
        detail=visit.needs[:200], detected_on=today, due_date=due, calendar_version=calendar_version(),
        status=Alert.Status.IN_PROGRESS, suggested="refer", disposition="refer", result=visit.needs,
        disposed_on=today, disposed_by=actor if getattr(actor, "pk", None) else None)
    Referral.objects.create(alert=alert, department=department, note=visit.needs[:500], sent_on=today,
                            sent_by=actor if getattr(actor, "pk", None) else None)
    return alert


def visit_record(*, actor, enrollment_id, data, photos: list[tuple[str, bytes]] | None = None, now: datetime) -> Visit:
    require(actor, "care.visit", "登记探视巡访（须由村(居)协理员或乡镇经办人办理）")
    cleaned = cast(VisitInput, validate(VisitInput, data))
    missing = [label for code, label in FINDINGS.items() if code not in cleaned.findings]
    if missing:
        raise ValidationFailed("care.findings", f"请逐项填写探访情况：{'、'.join(missing)}", field="findings")
    if cleaned.need_department and not cleaned.needs:
        raise ValidationFailed("care.needs", "选择了转办部门，请填写需求内容", field="needs")
    photos = photos or []
    if len(photos) > files.MAX_PHOTOS:
        raise ValidationFailed("care.photos", f"照片最多 {files.MAX_PHOTOS} 张", field="photos")
    checked = [(files.checked(name, content, accept=("jpeg", "png"), field="photos"), content)
               for name, content in photos]
    today = timezone.localtime(now).date()
    with transaction.atomic():
        e = _enrollment(actor, enrollment_id, lock=True)
        check_visit_date(cleaned.visited_on, today=today, start_month=e.start_month, stopped_month=e.stopped_month)
        profile = profile_of(e, actor=actor, now=now)
        if profile.placement != "dispersed":
            raise Conflict("care.not_dispersed", "该人员为集中供养，探视巡访由供养机构负责，不在此登记", field="visited_on")
        visit = Visit.objects.create(
            profile=profile, region_id=e.region_id, visited_on=cleaned.visited_on,
            visitor=actor if getattr(actor, "pk", None) else None, visitor_name=cleaned.visitor_name,
            findings=dict(cleaned.findings), notes=cleaned.notes, needs=cleaned.needs, created_at=now)
        for (ctype, ext), content in checked:
            relative, sha = files.store(f"visit/{visit.pk}", content, ext)
            VisitPhoto.objects.create(visit=visit, path=relative, sha256=sha, content_type=ctype, size=len(content))
        if cleaned.need_department:
            visit.alert = _referral(visit, e, actor=actor, department=cleaned.need_department, today=today)
            visit.save(update_fields=["alert"])
        audit_record(actor=actor, action="care.visit", subject_type="care_profile", subject_id=profile.pk,
                     region_code=e.region_id,
                     after={"visit": visit.pk, "visited_on": cleaned.visited_on.isoformat(),
                            "findings": visit.findings, "photos": len(checked), "alert": visit.alert_id},
                     at=now)
    return visit


def photo_get(*, actor, photo_id) -> tuple[VisitPhoto, bytes]:
    """A visit photo, in scope and only to roles that need it."""
    require(actor, "care.photo", "查看探视巡访照片")
    photo = None
    if str(photo_id).isdigit() and int(photo_id) < 2**63:
        photo = VisitPhoto.objects.select_related("visit__profile").filter(pk=photo_id).first()
    if photo is None:
        raise NotFound("not_found", "照片不存在或不在您的管辖范围内")
    _enrollment(actor, photo.visit.profile.enrollment_id, lock=False)
    return photo, files.read(photo.path)
