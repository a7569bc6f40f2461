"""一门受理 for a person without a registered household (issue 14 §4 with §1's 临时登记, R-TA-04): the person is
found by their ID number — a member of a registered household (the intake goes to that household), their
临时登记 record (reused), or a new one-person 临时登记 record in the village where they are received — and the
intake is recorded on it, in one transaction: anything refused (a person field, the village, an intake
field) writes nothing, not even the record."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jiuzhu.apps.registry import minimal
from jiuzhu.rules.errors import NotFound, ValidationFailed

from .intake import intake_record
from .models import Intake
from .services import _role

OUTCOMES = {minimal.REGISTERED: "该身份证号已登记在家庭中，受理登记在该家庭",
            minimal.REUSED: "该人员已有临时登记记录，沿用该记录", minimal.CREATED: "已为该人员建立临时登记记录"}


def intake_record_person(*, actor, person: dict, place_region: str, data: dict,
                         now: datetime) -> tuple[Intake, str]:
    """(the intake, how the person was found: ``registry.minimal`` registered | reused | created)."""
    _role(actor, "intake.record", "登记一门受理")
    today = timezone.localtime(now).date()
    cleaned = minimal.clean_person(person, as_of=today)  # ValidationFailed naming person.<field>
    if not str(place_region or "").strip():
        raise ValidationFailed("intake.place_region", "受理地(村/社区)：请选择", field="place_region")
    try:
        place = minimal.check_place(actor, str(place_region).strip())
    except ValidationFailed:
        raise ValidationFailed("intake.place_region", "受理地须为村(社区)", field="place_region") from None
    except NotFound:
        raise NotFound("intake.place_out_of_scope", "受理地不在您的管辖范围内", field="place_region") from None
    with transaction.atomic():
        found = minimal.minimal_household_for(actor=actor, person=cleaned, place=place, as_of=today)
        intake = intake_record(actor=actor, data={**data, "household": found.household.pk,
                                                  "person": found.person.pk}, now=now)
    return intake, found.outcome
