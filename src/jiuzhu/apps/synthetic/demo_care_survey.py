"""The demo county's 摸底排查 (issue 16 §2), through the survey services: the county starts this
year's campaign for the whole county and every line is recorded — by the village assistant in
珍珠半岛村, the township caseworker elsewhere in 千岛湖镇 and the county officer in the other
townships — so the campaign is complete and its 台账 full. Idempotent: nothing when it exists."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.care import survey
from jiuzhu.apps.care.models import SurveyCampaign, SurveyItem
from jiuzhu.apps.regions.scope import in_scope

from .demo import DEMO_COUNTY

CAUSES = ("mental", "intellectual", "illness")
LIVING = ("alone", "with_family", "with_others")


def _line(i: int, item: SurveyItem, visitor: User, today) -> dict:
    care = getattr(item.enrollment, "care", None)
    lacking = bool(care and care.capacity in ("limited", "none"))
    centralized = bool(care and care.placement == "centralized")
    return {"visited_on": today.isoformat(), "visitor_name": visitor.display_name or visitor.username,
            "capacity": care.capacity if care and care.capacity else "full",
            "capacity_cause": CAUSES[i % len(CAUSES)] if lacking else "",
            "living": "institution" if centralized else LIVING[i % len(LIVING)],
            "care_wish": "centralized" if centralized or i % 7 == 3 else "dispersed",
            "institution_kind": ((care.institution_kind if care else "") or "elder_home") if centralized else (
                "elder_home" if i % 7 == 3 else ""),
            "caregiver": "" if centralized else (care.caregiver if care and care.caregiver else "邻居（演示）"),
            "caregiver_phone": "", "notes": "入户了解基本情况和照料护理意愿（演示）"}


def demo_care_survey_load(*, now: datetime | None = None) -> int:
    """This year's county campaign with every line recorded; the lines recorded (0: already there)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if SurveyCampaign.objects.filter(region_id=DEMO_COUNTY, year=today.year).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=("village", "township", "county"))}
    county = users.get("county")
    if county is None:
        return 0
    campaign, _added = survey.survey_start(actor=county, region_code=DEMO_COUNTY, year=today.year, now=now)
    recorders = [u for u in (users.get("village"), users.get("township"), county) if u is not None]
    lines = campaign.items.select_related("enrollment__care").order_by("region_id", "id")
    for i, item in enumerate(lines):
        visitor = next(u for u in recorders if in_scope(u, item.region_id))
        survey.survey_record(actor=visitor, campaign_id=campaign.pk, enrollment_id=item.enrollment_id,
                             data=_line(i, item, visitor, today), now=now)
    return campaign.items.filter(done=True).count()
