"""Demo 一门受理 (issue 14 §4): three intakes at the township window of the demo township, through the
services, so the referral pages (转介工单, 逾期转介) show tickets in every state — one answered and closed,
one overdue, the rest waiting within their deadline."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone

from jiuzhu.apps.monitoring.intake import intake_record, referral_close, referral_respond
from jiuzhu.apps.registry.models import Household

from .demo_cases import VILLAGE_OF_ASSISTANT

INTAKES = (
    # (working days back, needs, departments, circumstance)
    (20, ["medical", "basic_living"], ["medical", "charity"], "户主突发脑梗住院，自付医疗费用高，家庭无其他收入"),
    (14, ["education", "housing"], ["education", "housing"], "子女考入高职，学费无力负担；住房年久失修漏雨"),
    (1, ["employment", "emergency"], ["employment"], "家中主要劳动力失业，近日又遭遇火灾"),
)


def _at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def demo_intake_load(world) -> None:
    worker = world.users["township"]
    homes = list(Household.objects.filter(region_id=VILLAGE_OF_ASSISTANT).order_by("-id")[:len(INTAKES)])
    for home, (back, needs, departments, text) in zip(homes, INTAKES, strict=False):
        day = world.tl.back(back)
        intake = intake_record(actor=worker, now=_at(day), data={
            "household": home.pk, "person": home.head_id, "needs": needs, "description": text,
            "departments": departments})
        if back < 20:
            continue
        first, *_ = intake.referrals.order_by("id")
        answered = world.tl.back(back - 3)
        referral_respond(actor=worker, referral_id=first.pk, now=_at(answered),
                         data={"feedback": "已按规定给予医疗救助，报销自付费用的70%", "assisted": True})
        referral_close(actor=worker, referral_id=first.pk, now=_at(answered),
                       data={"closing_note": "医疗救助已到账，回访家庭确认"})
