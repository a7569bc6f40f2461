"""The demo county's care supervision (issue 16 §6), loaded after the care records through the services:
the county's phone spot checks of two visits, satisfaction surveys of three persons, this quarter's
evaluation of a caregiver and of the institution, and a 督办 of the first township with missed visits.
Idempotent: nothing happens when the demo county already has spot checks or surveys."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.care import supervision, supervision_selectors
from jiuzhu.apps.care.models import CareProfile, SatisfactionSurvey, Visit, VisitCheck
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.rules.care_supervision import quarter_of
from jiuzhu.rules.errors import DomainError

from .demo import DEMO_COUNTY


def demo_care_supervision_load(*, now: datetime | None = None) -> int:
    """Supervision records for the demo county; how many were made (0: already there, or no care records)."""
    low, high = subtree_range(DEMO_COUNTY)
    if (VisitCheck.objects.filter(region_id__gte=low, region_id__lte=high).exists()
            or SatisfactionSurvey.objects.filter(region_id__gte=low, region_id__lte=high).exists()):
        return 0
    county = User.objects.filter(username="county").first()
    if county is None:
        return 0
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    made = 0
    for visit in Visit.objects.filter(region_id__gte=low, region_id__lte=high).order_by("id")[:2]:
        supervision.visit_check_record(actor=county, visit_id=visit.pk, now=now, data={
            "checked_on": today.isoformat(), "method": "phone", "result": "confirmed",
            "note": "电话回访本人，确认探访属实（演示）"})
        made += 1
    dispersed = CareProfile.objects.filter(region_id__gte=low, region_id__lte=high, placement="dispersed").order_by("id")
    for i, profile in enumerate(dispersed[:3]):
        supervision.survey_record(actor=county, enrollment_id=profile.enrollment_id, now=now, data={
            "surveyed_on": today.isoformat(), "respondent": "self",
            "scores": {"care": 5 - i, "health": 4, "visits": 5, "overall": 5 - i}, "comment": "照料人尽心（演示）"})
        made += 1
    for kind in ("caregiver", "institution"):
        field = "caregiver" if kind == "caregiver" else "institution"
        placement = "dispersed" if kind == "caregiver" else "centralized"
        subject_of = (CareProfile.objects.filter(region_id__gte=low, region_id__lte=high, placement=placement)
                   .exclude(**{field: ""}).order_by("id").first())
        if subject_of is not None:
            supervision.evaluation_record(actor=county, now=now, data={
                "township": subject_of.region_id[:9] + "000", "quarter": quarter_of(today), "subject_kind": kind,
                "subject": getattr(subject_of, field), "score": "92" if kind == "caregiver" else "85",
                "note": "照料到位，探访记录完整（演示）"})
            made += 1
    for code, _name in supervision_selectors.townships(county):
        try:
            supervision.urge_issue(actor=county, now=now, data={"township": code, "note": "请于期限内补访（演示）"})
        except DomainError:  # no missed visits in this township
            continue
        made += 1
        break
    return made
