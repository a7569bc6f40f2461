"""Efficiency and quality facts (issue 17 §3) against hand counts in the small world: outcomes and
reasons, 核对率, overdue by step, objections, alerts handled by their due date."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.cases.models import CaseDeadline, CaseEvent
from jiuzhu.apps.stats.services import stats_compute
from jiuzhu.apps.verification.models import VerificationReport, VerificationRequest
from tests.apps.payments.conftest import make_person
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A, VILLAGE_B

from .conftest import NOV, NOW, at, case
from .test_facts import facts

pytestmark = pytest.mark.django_db


def close_with(c, state, reason, day, actor):
    CaseEvent.objects.create(case=c, at=at(day), action="x", actor=actor, actor_name="x", to_state=state, reason=reason)


@pytest.fixture
def quality_world(stats_world, county_user):
    w = stats_world
    # a rejected and a withdrawn application in B, closed in November with their reasons
    rejected = case(w.h.b1, make_person("陈志强"), county_user, region=VILLAGE_B, state="rejected",
                    submitted=date(2026, 10, 12), closed=date(2026, 11, 16), started=date(2026, 10, 13))
    close_with(rejected, "rejected", "家庭人均收入高于保障标准", date(2026, 11, 16), county_user)
    withdrawn = case(w.h.b2, make_person("李卫东"), county_user, region=VILLAGE_B, state="withdrawn",
                     submitted=date(2026, 10, 14), closed=date(2026, 11, 18))
    close_with(withdrawn, "withdrawn", "申请人书面撤回", date(2026, 11, 18), county_user)
    # the approved tekun application of A has a 核对 report; the rejected one has none
    request = VerificationRequest.objects.create(kind="case", case=w.closed, region_id=COUNTY, as_of=date(2026, 10, 15),
                                                 created_at=at(date(2026, 10, 15)))
    VerificationReport.objects.create(request=request, case=w.closed, household=w.h.a3, region_id=VILLAGE_A,
                                      as_of=date(2026, 10, 15), conclusion="consistent", data={}, digest="0" * 64,
                                      created_at=at(date(2026, 10, 16)))
    # an objection recorded during B's notice in November
    CaseEvent.objects.create(case=w.open_b, at=at(date(2026, 11, 12)), action="record_objection", actor=county_user,
                             actor_name="x", to_state="disputed")
    # A's open case is late in its survey step too (two steps late, one case)
    CaseDeadline.objects.create(case=w.open_a, step="survey", amount=5, starts_on=date(2026, 10, 21),
                                due=date(2026, 10, 28), status="open")
    return w


def test_quality_facts_equal_the_hand_counts(quality_world):
    stats_compute(month=NOV, region_code=COUNTY, actor=quality_world.maker, now=NOW)
    got = facts(NOV)
    # outcomes and reasons of the month's closed cases
    assert got[(TOWNSHIP_A, "tekun", "cases.outcome", "application:approved")] == 1
    assert got[(TOWNSHIP_B, "dibao", "cases.outcome", "application:rejected")] == 1
    assert got[(TOWNSHIP_B, "dibao", "cases.outcome", "application:withdrawn")] == 1
    assert got[(TOWNSHIP_B, "dibao", "cases.reason", "rejected:家庭人均收入高于保障标准")] == 1
    assert got[(TOWNSHIP_B, "dibao", "cases.reason", "withdrawn:申请人书面撤回")] == 1
    # 核对率: A's closed application has a report, B's two have none
    assert got[(TOWNSHIP_A, "tekun", "verify.closed", "application")] == 1
    assert got[(TOWNSHIP_A, "tekun", "verify.with_report", "application")] == 1
    assert got[(TOWNSHIP_B, "dibao", "verify.closed", "application")] == 2
    assert (TOWNSHIP_B, "dibao", "verify.with_report", "application") not in got
    # overdue by step on 30 November: A late in overall and survey, B in overall (met only in December)
    assert got[(TOWNSHIP_A, "dibao", "cases.overdue_step", "overall")] == 1
    assert got[(TOWNSHIP_A, "dibao", "cases.overdue_step", "survey")] == 1
    assert got[(TOWNSHIP_B, "dibao", "cases.overdue_step", "overall")] == 1
    assert got[(TOWNSHIP_A, "dibao", "cases.overdue_open", "")] == 1  # still one case
    # objections and alerts: A's death alert disposed on 15 Nov, due the day it was detected (10 Nov): late
    assert got[(TOWNSHIP_B, "dibao", "objections", "")] == 1
    assert got[(TOWNSHIP_A, "all", "alerts.handled", "death")] == 1
    assert (TOWNSHIP_A, "all", "alerts.handled_on_time", "death") not in got
    assert (TOWNSHIP_B, "all", "alerts.handled", "unemployment") not in got  # disposed in December
