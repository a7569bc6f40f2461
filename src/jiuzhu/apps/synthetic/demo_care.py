"""The demo county's 特困人员监护照护 (issue 16), loaded after the demo world through the care services:
capacity and placement for each enrolled tekun person, a self-care assessment for some, a class Ⅲ
guardian (the village committee) with its agreement for one person lacking capacity, and last
month's and this month's visits for most dispersed persons — the rest are listed as missed visits.
Idempotent: nothing happens when the demo county already has care records."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.care import guardians, placements, services, visits
from jiuzhu.apps.care.models import CareProfile
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.scope import in_scope

from .demo import DEMO_COUNTY
from .demo_care_survey import demo_care_survey_load

FINDINGS = {"food": "good", "housing": "good", "health": "attention", "hygiene": "good", "safety": "good",
            "caregiver": "good"}
ADLS: tuple[list[str], ...] = ([], ["bathing"], ["bathing", "walking"], ["bathing", "walking", "dressing", "toileting"])


def demo_care_load(*, now: datetime | None = None) -> int:
    """Care records for the demo county's tekun persons; the number of persons covered (0: already there)."""
    low, high = subtree_range(DEMO_COUNTY)
    if CareProfile.objects.filter(region_id__gte=low, region_id__lte=high).exists():
        return 0
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    users = {u.username: u for u in User.objects.filter(username__in=("village", "township", "county"))}
    county, village_user = users.get("county"), users.get("village")
    if county is None:
        return 0
    live = list(Enrollment.objects.filter(program="tekun", person__isnull=False, status__in=Enrollment.LIVE,
                                          region_id__gte=low, region_id__lte=high).order_by("id"))
    guardian_done = False
    for i, e in enumerate(live):
        lacking = i % 3 == 0
        services.capacity_record(actor=county, enrollment_id=e.pk, now=now, data={
            "capacity": "none" if lacking else "full", "capacity_basis": "assessment" if lacking else "",
            "capacity_detail": "淳安县精神卫生中心评估意见（演示）" if lacking else "",
            "capacity_on": max(e.start_month, today - timedelta(days=60)).isoformat()})
        centralized = i % 5 == 4
        placements.placement_record(actor=county, enrollment_id=e.pk, now=now, data={
            "placement": "centralized" if centralized else "dispersed", "since": e.start_month.isoformat(),
            "institution_kind": "elder_home" if centralized else "", "institution": "千岛湖镇敬老院" if centralized else "",
            "caregiver": "" if centralized else "邻居（演示）", "care_fee": None if centralized else "200",
            "caregiver_duties": "" if centralized else "每日探望，照料饮食起居，生病时陪同就医"})
        if i % 2 == 0:
            services.assessment_record(actor=county, enrollment_id=e.pk, now=now, data={
                "assessed_on": max(e.start_month, today - timedelta(days=30)).isoformat(), "assessor": "third_party",
                "assessor_name": "淳安县养老服务评估中心（演示）", "adl_failed": ADLS[i % len(ADLS)]})
        if lacking and not guardian_done:
            guardians.guardian_record(actor=county, enrollment_id=e.pk, now=now, data={
                "guardian_class": "III", "guardian_kind": "village_committee", "guardian_name": "村民委员会（演示）",
                "duties": "照料日常生活，代为管理财产，陪同就医，维护被监护人合法权益",
                "start": max(e.start_month, today - timedelta(days=20)).isoformat(),
                "review_on": (today + timedelta(days=365)).isoformat()})
            guardian_done = True
        if i % 5 == 4 or i % 4 == 3:  # centralized, or a missed visit left for the township list
            continue
        visitor = village_user if village_user is not None and e.region_id == village_user.region_id else users.get(
            "township")  # the demo's township user is in 千岛湖镇: persons elsewhere show as missed visits
        if visitor is None or not can(visitor, "care.visit") or not in_scope(visitor, e.region_id):
            continue
        for back in (35, 5):
            day = today - timedelta(days=back)
            if day >= e.start_month:
                visits.visit_record(actor=visitor, enrollment_id=e.pk, now=now, data={
                    "visited_on": day.isoformat(), "visitor_name": visitor.display_name or visitor.username,
                    "findings": FINDINGS, "notes": "老人精神状态良好，家中整洁（演示）"})
    demo_care_survey_load(now=now)
    return len(live)
