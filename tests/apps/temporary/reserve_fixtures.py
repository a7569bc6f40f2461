"""Helpers for the 备用金 tests: a 急难型 case of township A and draws on its fund, made through the services."""

from __future__ import annotations

from jiuzhu.apps.cases.services import case_submit
from jiuzhu.apps.reserve.services import reserve_draw
from tests.conftest import VILLAGE_A

EMERGENCY = {"kind": "emergency", "category": "fire", "circumstance": "住房失火", "occurred_on": "2026-10-01",
             "place_region": VILLAGE_A, "need": "500", "confirm_duplicate": True}


def emergency_case(actor, household, now):
    return case_submit(actor=actor, program="temporary", household_id=household.pk, applicant_id=household.head_id,
                       channel="window", payload=EMERGENCY, now=now)


def draws(actor, case, amounts, now, *, start: int = 1):
    """One draw per amount on ``case`` (references stage-1, stage-2 …)."""
    return [reserve_draw(actor=actor, case=case, amount=a, reference=f"stage-{i}", now=now)
            for i, a in enumerate(amounts, start=start)]
