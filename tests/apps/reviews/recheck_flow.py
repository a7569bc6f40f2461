"""Drive a recheck case in tests: one helper per step, with the payloads a caseworker would enter."""

from __future__ import annotations

from datetime import date, timedelta

from jiuzhu.apps.cases.services import case_act
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.services import enrollment_schedule_recheck
from jiuzhu.apps.programs.proposal import propose
from tests.apps.cases.flow import SURVEY, TEKUN_SURVEY, at, verification

DECISION = {"reason": "经入户调查和家庭经济状况核对，作出复核决定"}


def schedule(actor, enrollment, day: date):
    return enrollment_schedule_recheck(actor=actor, enrollment_id=enrollment.pk, data={"reason": "定期复核"},
                                       now=at(day))


def act(actor, case, action, day, payload=None, **kw):
    return case_act(actor=actor, case_id=case.pk, action=action, payload=payload or {}, now=at(day), **kw)


def to_surveyed(people, enrollment, day: date):
    """scheduled → verifying → verified → surveyed, one step a day from ``day``. Returns (case, last day)."""
    case = schedule(people["caseworker"], enrollment, day)
    survey = TEKUN_SURVEY if enrollment.program == "tekun" else SURVEY
    d = day
    for role, action, payload in [("caseworker", "request_verification", {}),
                                  ("county", "record_verification", verification()),
                                  ("caseworker", "record_survey", survey)]:
        d += timedelta(days=1)
        case = act(people[role], case, action, d, payload)
    return case, d


def match_rules(case, day: date) -> Enrollment:
    """Set the enrollment to exactly what the rules give now (so the suggestion is ``continue``)."""
    result = propose(case, policy="330127000000", as_of=day)["result"]
    Enrollment.objects.filter(pk=case.enrollment_id).update(amount=result["monthly_amount"],
                                                            klass=result["class"] or "")
    return Enrollment.objects.get(pk=case.enrollment_id)


def to_proposed(people, enrollment, day: date, review: dict):
    case, d = to_surveyed(people, enrollment, day)
    d += timedelta(days=1)
    return act(people["caseworker"], case, "recheck_review", d, review), d
