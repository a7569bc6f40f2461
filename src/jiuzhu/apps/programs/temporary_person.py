"""急难型 for a person without a registered household (issue 14 §1, R-TA-04): one transaction finds or makes
the person's household (``registry.minimal``) and opens the emergency case on it with the usual submit. Any
refusal (bad field, duplicate emergency, scope) rolls the person record back: nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from jiuzhu.apps.cases.engine import local_today
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.registry import minimal
from jiuzhu.core.validation import validate
from jiuzhu.rules.errors import ValidationFailed

from .temporary_payloads import TemporarySubmitPayload
from .temporary_submit import temporary_submit


@dataclass(frozen=True)
class PersonCase:
    case: Case
    outcome: str  # registry.minimal: registered | reused | created

    @property
    def message(self) -> str:
        return minimal.OUTCOME_LABELS[self.outcome]


def _errors(exc: ValidationFailed) -> list[dict]:
    return exc.details.get("errors") or [{"field": exc.details.get("field", ""), "code": exc.code,
                                          "message": exc.message}]


def temporary_submit_person(*, actor, person, channel: str, payload, now: datetime) -> PersonCase:
    """Record an emergency of ``person`` (name, id_number, phone, address, area_type); ``payload`` is the
    emergency (kind ``emergency``, category, circumstance, occurred_on, place_region, need …). Every problem
    of both blocks at once, each under its field (``person.<field>`` and the payload's own)."""
    today = local_today(now)
    found: list[dict] = []
    cleaned = None
    try:
        cleaned = minimal.clean_person(person, as_of=today)
    except ValidationFailed as exc:
        found += _errors(exc)
    try:
        emergency = validate(TemporarySubmitPayload, payload, today=today)
        if getattr(emergency, "kind", "") != "emergency":
            found.append({"field": "kind", "code": "ta.person_kind",
                          "message": "临时救助类型：无登记家庭人员只能登记急难型临时救助"})
    except ValidationFailed as exc:
        found += _errors(exc)
    if found or cleaned is None:
        first = found[0]
        raise ValidationFailed(first.get("code") or "payload.invalid", first["message"], field=first["field"],
                               errors=found)
    place = minimal.check_place(actor, (payload or {}).get("place_region", ""))
    with transaction.atomic():
        result = minimal.minimal_household_for(actor=actor, person=cleaned, place=place, as_of=today)
        case = temporary_submit(actor=actor, household_id=result.household.pk, applicant_id=result.person.pk,
                                channel=channel, payload=payload, now=now)
    return PersonCase(case, result.outcome)
