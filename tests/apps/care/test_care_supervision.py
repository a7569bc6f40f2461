"""Care supervision (issue 16 §6; seed 监护照护方案 四(三) 督导检查、满意度调查、绩效评估): the county's
spot check of a visit, satisfaction surveys, the quarterly evaluation of a caregiver or institution and
the 督办 of missed visits — bad input changes nothing, another township cannot see or touch them."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.care import placements, supervision, supervision_selectors, visits
from jiuzhu.apps.care.models import Evaluation, SatisfactionSurvey, VisitCheck, VisitUrge
from jiuzhu.rules.care_supervision import grade_of, quarter_start, survey_figures
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

from .conftest import NOW

pytestmark = pytest.mark.django_db

FINDINGS = {k: "good" for k in ("food", "housing", "health", "hygiene", "safety", "caregiver")}
SCORES = {"care": 5, "health": 4, "visits": 3, "overall": 4}


@pytest.fixture
def visit(village_user, tekun):
    return visits.visit_record(actor=village_user, enrollment_id=tekun.pk, now=NOW, data={
        "visited_on": "2026-12-05", "visitor_name": "协理员小王", "findings": {**FINDINGS, "caregiver": "problem"}})


@pytest.fixture
def caregiver(caseworker, tekun):
    placements.placement_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW, data={
        "placement": "dispersed", "since": "2026-03-01", "caregiver": "邻居李大姐", "care_fee": "200",
        "caregiver_duties": "每日探望"})
    return "邻居李大姐"


def test_rules_grades_quarters_and_satisfaction():
    assert [grade_of(s) for s in (100, 90, 89, 60, 59, 0)] == ["excellent", "excellent", "pass", "pass", "fail", "fail"]
    with pytest.raises(ValidationFailed):
        grade_of(101)
    assert quarter_start("2026q4") == date(2026, 10, 1)
    for bad in ("2026Q5", "26Q1", "", "2026-10"):
        with pytest.raises(ValidationFailed) as exc:
            quarter_start(bad)
        assert exc.value.details["field"] == "quarter"
    f = survey_figures([5, 4, 2, 3])
    assert (f.surveys, str(f.mean), f.satisfied_rate) == (4, "3.5", "75.0%")
    assert survey_figures([]).satisfied_rate == "—"


def test_county_spot_checks_a_visit(county_user, visit):
    check = supervision.visit_check_record(actor=county_user, visit_id=visit.pk, now=NOW, data={
        "checked_on": "2026-12-07", "method": "phone", "result": "discrepancy", "note": "本人称本月未见探访人员"})
    assert (check.region_id, check.result) == (visit.region_id, "discrepancy")
    event = AuditEvent.objects.get(action="care.visit_check")
    assert event.region_code == visit.region_id and event.after_digest


@pytest.mark.parametrize(("data", "field"), [
    ({"checked_on": "2026-12-08"}, "checked_on"),  # after today
    ({"checked_on": "2026-12-04"}, "checked_on"),  # before the visit
    ({"method": "email"}, "method"),
    ({"result": ""}, "result"),
])
def test_spot_check_bad_input_changes_nothing(county_user, visit, data, field):
    with pytest.raises(ValidationFailed) as exc:
        supervision.visit_check_record(actor=county_user, visit_id=visit.pk, now=NOW, data={
            "checked_on": "2026-12-07", "method": "onsite", "result": "confirmed", **data})
    assert exc.value.details["field"].split(".")[0] == field
    assert not VisitCheck.objects.exists() and not AuditEvent.objects.filter(action="care.visit_check").exists()


def test_only_county_and_inspectors_spot_check_and_only_in_scope(caseworker, outsider, county_user, visit):
    data = {"checked_on": "2026-12-07", "method": "phone", "result": "confirmed"}
    with pytest.raises(Forbidden):
        supervision.visit_check_record(actor=caseworker, visit_id=visit.pk, now=NOW, data=data)
    outsider.role = county_user.role  # a county role scoped to another township still sees nothing there
    with pytest.raises(NotFound):
        supervision.visit_check_record(actor=outsider, visit_id=visit.pk, now=NOW, data=data)
    with pytest.raises(NotFound):
        supervision.visit_check_record(actor=county_user, visit_id="99999999999999999999", now=NOW, data=data)
    assert not VisitCheck.objects.exists()


def test_satisfaction_survey_on_the_phone(village_user, tekun):
    s = supervision.survey_record(actor=village_user, enrollment_id=tekun.pk, now=NOW, data={
        "surveyed_on": "2026-12-06", "respondent": "guardian", "scores": SCORES, "comment": "希望多来看看"})
    assert (s.overall, s.scores["visits"], s.region_id) == (4, 3, tekun.region_id)
    assert AuditEvent.objects.filter(action="care.satisfaction").count() == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"scores": {"care": 5, "health": 4, "visits": 3}}, "scores"),  # an item missing
    ({"scores": {**SCORES, "overall": 6}}, "scores"),
    ({"scores": {**SCORES, "food": 5}}, "scores"),  # not an item
    ({"surveyed_on": "2026-12-08"}, "surveyed_on"),
    ({"surveyed_on": "2026-02-28"}, "surveyed_on"),  # before the enrollment
    ({"respondent": "neighbour"}, "respondent"),
])
def test_survey_bad_input_changes_nothing(village_user, tekun, data, field):
    with pytest.raises(ValidationFailed) as exc:
        supervision.survey_record(actor=village_user, enrollment_id=tekun.pk, now=NOW, data={
            "surveyed_on": "2026-12-06", "respondent": "self", "scores": SCORES, **data})
    assert exc.value.details["field"].split(".")[0] == field
    assert not SatisfactionSurvey.objects.exists()


def test_survey_outside_scope_or_role(outsider, inspector, tekun):
    data = {"surveyed_on": "2026-12-06", "respondent": "self", "scores": SCORES}
    with pytest.raises(NotFound):
        supervision.survey_record(actor=outsider, enrollment_id=tekun.pk, now=NOW, data=data)
    with pytest.raises(Forbidden):
        supervision.survey_record(actor=inspector, enrollment_id=tekun.pk, now=NOW, data=data)
    assert not SatisfactionSurvey.objects.exists()


def test_quarterly_evaluation_records_the_quarters_figures(caseworker, village_user, tekun, caregiver, visit):
    supervision.survey_record(actor=village_user, enrollment_id=tekun.pk, now=NOW, data={
        "surveyed_on": "2026-12-06", "respondent": "self", "scores": SCORES})
    ev = supervision.evaluation_record(actor=caseworker, now=NOW, data={
        "township": TOWNSHIP_A, "quarter": "2026Q4", "subject_kind": "caregiver", "subject": caregiver,
        "score": "75", "note": "履责基本到位，一次探访发现照料问题"})
    assert (ev.grade, ev.quarter) == ("pass", date(2026, 10, 1))
    assert ev.figures == {"persons": 1, "visits": 1, "caregiver_problems": 1, "checks_not_confirmed": 0,
                          "surveys": 1, "survey_mean": 4.0}
    with pytest.raises(Conflict):  # once a quarter
        supervision.evaluation_record(actor=caseworker, now=NOW, data={
            "township": TOWNSHIP_A, "quarter": "2026Q4", "subject_kind": "caregiver", "subject": caregiver,
            "score": "95"})
    assert Evaluation.objects.count() == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"subject": "不认识的人"}, "subject"),
    ({"subject_kind": "institution"}, "subject"),  # the caregiver is not an institution
    ({"quarter": "2027Q1"}, "quarter"),  # not begun
    ({"quarter": "Q4"}, "quarter"),
    ({"score": "101"}, "score"),
    ({"score": "八十"}, "score"),
    ({"township": TOWNSHIP_B}, "township"),  # outside the caseworker's scope
])
def test_evaluation_bad_input_changes_nothing(caseworker, caregiver, data, field):
    with pytest.raises(ValidationFailed) as exc:
        supervision.evaluation_record(actor=caseworker, now=NOW, data={
            "township": TOWNSHIP_A, "quarter": "2026Q4", "subject_kind": "caregiver", "subject": caregiver,
            "score": "80", **data})
    assert exc.value.details["field"].split(".")[0] == field
    assert not Evaluation.objects.exists()


def test_county_urges_missed_visits_with_a_working_day_deadline(county_user, caseworker, tekun):
    assert supervision_selectors.urges(caseworker, NOW.date()) == []
    urge = supervision.urge_issue(actor=county_user, now=NOW, data={"township": TOWNSHIP_A, "note": "请尽快补访"})
    assert urge.overdue == 1 and urge.issued_on == date(2026, 12, 7)
    assert urge.due == date(2026, 12, 14)  # 5 working days (care.urge_working_days), over a weekend
    [row] = supervision_selectors.urges(caseworker, NOW.date())  # the township sees it, with the count now
    assert row["overdue_now"] == 1
    assert supervision_selectors.urges(caseworker.__class__(role=caseworker.role, region_id=TOWNSHIP_B,
                                                            is_active=True), NOW.date()) == []
    with pytest.raises(Forbidden):
        supervision.urge_issue(actor=caseworker, now=NOW, data={"township": TOWNSHIP_A})


def test_no_urge_without_missed_visits(county_user, village_user, tekun):
    visits.visit_record(actor=village_user, enrollment_id=tekun.pk, now=NOW, data={
        "visited_on": "2026-12-05", "visitor_name": "协理员小王", "findings": FINDINGS})
    with pytest.raises(Conflict) as exc:
        supervision.urge_issue(actor=county_user, now=NOW, data={"township": TOWNSHIP_A})
    assert exc.value.details["field"] == "township"
    assert not VisitUrge.objects.exists()


def test_figures_by_township(county_user, caseworker, village_user, tekun, visit):
    supervision.visit_check_record(actor=county_user, visit_id=visit.pk, now=NOW, data={
        "checked_on": "2026-12-07", "method": "phone", "result": "unreachable"})
    supervision.survey_record(actor=village_user, enrollment_id=tekun.pk, now=NOW, data={
        "surveyed_on": "2026-12-06", "respondent": "self", "scores": {**SCORES, "overall": 2}})
    rows = {r["township"]: r for r in supervision_selectors.figures(county_user, date(2026, 10, 1))}
    a = rows[TOWNSHIP_A]
    assert (a["visits"], a["checks"], a["not_confirmed"], a["surveys"], a["mean"], a["satisfied"]) == (
        1, 1, 1, 1, 2.0, "0.0%")
    assert rows[TOWNSHIP_B]["visits"] == 0
    assert {r["township"] for r in supervision_selectors.figures(caseworker, date(2026, 10, 1))} == {TOWNSHIP_A}
    assert supervision_selectors.figures(county_user, date(2026, 7, 1))[0]["visits"] == 0  # another quarter
