"""Supervision of 特困 care (issue 16 §6; seed 特困人员监护照护试点工作方案 四(三) "督导检查、巡查探访、
满意度调查、绩效评估"), one audited service per change: the county's spot check of a recorded visit, a
satisfaction survey of a person or guardian (on the phone), the quarterly evaluation of a caregiver or
institution (with the quarter's figures it rests on), and the county's 督办 of a township's missed
visits. Every service checks the permission and the actor's scope and writes nothing on bad input."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.config import region_config
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.workcalendar.selectors import work_calendar
from jiuzhu.core.validation import validate
from jiuzhu.rules.calendar import add_workdays
from jiuzhu.rules.care_supervision import (
    SCORES,
    SURVEY_ITEMS,
    check_check_date,
    check_evaluation_quarter,
    check_survey_date,
    grade_of,
    quarter_end,
    quarter_start,
)
from jiuzhu.rules.errors import Conflict, DomainError, NotFound, ValidationFailed
from jiuzhu.rules.params import load_policy

from . import selectors, supervision_selectors
from .models import CareProfile, Evaluation, SatisfactionSurvey, Visit, VisitCheck, VisitUrge
from .services import _enrollment, profile_of, require
from .supervision_inputs import CheckInput, EvaluationInput, SurveyInput, UrgeInput
from .supervision_selectors import _within

URGE_KEY = "care.urge_working_days"
DEFAULT_URGE_WORKING_DAYS = 5  # the demo county's value (330000000000.yaml), used where a region has none


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def visit_check_record(*, actor, visit_id, data, now: datetime) -> VisitCheck:
    """The county's spot check (督导抽查) of a visit: by phone or on site, dated on or after the visit."""
    require(actor, "care.check", "抽查探视巡访记录（须由县民政或纪检监察人员办理）")
    cleaned = cast(CheckInput, validate(CheckInput, data))
    visit = None
    if str(visit_id).isdigit() and int(visit_id) < 2**63:
        visit = Visit.objects.filter(pk=visit_id).first()
    if visit is None or not in_scope(actor, visit.region_id):
        raise NotFound("not_found", "探访记录不存在或不在您的管辖范围内")
    today = timezone.localtime(now).date()
    check_check_date(cleaned.checked_on, today=today, visited_on=visit.visited_on)
    with transaction.atomic():
        check = VisitCheck.objects.create(visit=visit, region_id=visit.region_id, checked_on=cleaned.checked_on,
                                          method=cleaned.method, result=cleaned.result, note=cleaned.note,
                                          checker=_actor(actor), created_at=now)
        audit_record(actor=actor, action="care.visit_check", subject_type="care_profile", subject_id=visit.profile_id,
                     region_code=visit.region_id,
                     after={"visit": visit.pk, "check": check.pk, "checked_on": cleaned.checked_on.isoformat(),
                            "method": cleaned.method, "result": cleaned.result}, at=now)
    return check


def survey_record(*, actor, enrollment_id, data, now: datetime) -> SatisfactionSurvey:
    """A satisfaction survey (满意度调查): every item scored 1–5, dated within the enrollment."""
    require(actor, "care.satisfaction", "登记满意度调查（须由村(居)协理员、乡镇经办人或县民政办理）")
    cleaned = cast(SurveyInput, validate(SurveyInput, data))
    missing = [label for code, label in SURVEY_ITEMS.items() if code not in cleaned.scores]
    if missing:
        raise ValidationFailed("care.scores", f"请逐项评分：{'、'.join(missing)}", field="scores")
    bad = [SURVEY_ITEMS[code] for code, score in cleaned.scores.items() if score not in SCORES]
    if bad:
        raise ValidationFailed("care.scores", f"评分须为 1 到 5 分：{'、'.join(bad)}", field="scores")
    today = timezone.localtime(now).date()
    with transaction.atomic():
        e = _enrollment(actor, enrollment_id, lock=True)
        check_survey_date(cleaned.surveyed_on, today=today, start_month=e.start_month)
        if e.stopped_month is not None and cleaned.surveyed_on >= e.stopped_month:
            raise ValidationFailed("care.surveyed_on", f"该人员自 {e.stopped_month:%Y年%m月} 起已停止供养，调查日期不在供养期内",
                                   field="surveyed_on")
        profile = profile_of(e, actor=actor, now=now)
        survey = SatisfactionSurvey.objects.create(profile=profile, region_id=e.region_id, surveyed_on=cleaned.surveyed_on,
                                       respondent=cleaned.respondent, scores=dict(cleaned.scores),
                                       overall=cleaned.scores["overall"], comment=cleaned.comment,
                                       surveyor=_actor(actor), created_at=now)
        audit_record(actor=actor, action="care.satisfaction", subject_type="care_profile", subject_id=profile.pk,
                     region_code=e.region_id,
                     after={"survey": survey.pk, "surveyed_on": cleaned.surveyed_on.isoformat(),
                            "respondent": cleaned.respondent, "scores": survey.scores}, at=now)
    return survey


def _township(actor, code: str) -> Region:
    region = Region.objects.filter(code=code, level=4).first()
    if region is None or not in_scope(actor, code):
        raise ValidationFailed("care.township", "乡镇(街道)不存在或不在您的管辖范围内", field="township")
    return region


def evaluation_figures(township: str, subject_kind: str, subject: str, start) -> dict:
    """The quarter's figures an evaluation rests on: persons in the subject's care, visits made to them,
    visits that found a problem with the caregiver, spot checks that did not confirm a visit, and the
    satisfaction surveys' mean overall score."""
    end = quarter_end(start)
    field = "caregiver" if subject_kind == "caregiver" else "institution"
    profiles = CareProfile.objects.filter(**_within(township), **{field: subject})
    visits = Visit.objects.filter(profile__in=profiles, visited_on__gte=start, visited_on__lt=end)
    surveys = SatisfactionSurvey.objects.filter(profile__in=profiles, surveyed_on__gte=start, surveyed_on__lt=end)
    s = surveys.aggregate(n=Count("id"), mean=Avg("overall"))
    return {"persons": profiles.count(), "visits": visits.count(),
            "caregiver_problems": visits.filter(findings__caregiver="problem").count(),
            "checks_not_confirmed": VisitCheck.objects.filter(visit__in=visits).filter(~Q(result="confirmed")).count(),
            "surveys": s["n"], "survey_mean": None if s["mean"] is None else round(float(s["mean"]), 1)}


def evaluation_record(*, actor, data, now: datetime) -> Evaluation:
    """The quarterly evaluation (绩效评估) of a caregiver or institution known in the township."""
    require(actor, "care.evaluate", "登记季度评估（须由乡镇经办人或县民政办理）")
    cleaned = cast(EvaluationInput, validate(EvaluationInput, data))
    start = quarter_start(cleaned.quarter)
    today = timezone.localtime(now).date()
    check_evaluation_quarter(start, today=today)
    township = _township(actor, cleaned.township)
    known = supervision_selectors.care_subjects(actor, township.code).get(cleaned.subject_kind, [])
    if cleaned.subject not in known:
        raise ValidationFailed("care.subject", f"“{cleaned.subject}”不是{township.name}登记的"
                               f"{'委托照料人' if cleaned.subject_kind == 'caregiver' else '供养机构'}", field="subject")
    grade = grade_of(cleaned.score)
    figures = evaluation_figures(township.code, cleaned.subject_kind, cleaned.subject, start)
    try:
        with transaction.atomic():
            ev = Evaluation.objects.create(region=township, quarter=start, subject_kind=cleaned.subject_kind,
                                           subject=cleaned.subject, score=cleaned.score, grade=grade, figures=figures,
                                           note=cleaned.note, evaluator=_actor(actor), created_at=now)
            audit_record(actor=actor, action="care.evaluate", subject_type="care_evaluation", subject_id=ev.pk,
                         region_code=township.code,
                         after={"quarter": cleaned.quarter.upper(), "subject_kind": cleaned.subject_kind,
                                "subject": cleaned.subject, "score": cleaned.score, "grade": grade,
                                "figures": figures}, at=now)
    except IntegrityError:
        raise Conflict("care.evaluated", f"“{cleaned.subject}”{cleaned.quarter.upper()} 已评估，不能重复登记",
                       field="subject") from None
    return ev


def _urge_days(region_code: str, today) -> int:
    try:
        return int(load_policy(region_config(region_code).policy).lookup(URGE_KEY, today))
    except (DomainError, ValueError):
        return DEFAULT_URGE_WORKING_DAYS


def urge_issue(*, actor, data, now: datetime) -> VisitUrge:
    """The county's 督办 of a township's missed visits, with a deadline in working days (a region
    parameter); refused when the township has none overdue."""
    require(actor, "care.urge", "督办乡镇未按期探访（须由县民政办理）")
    cleaned = cast(UrgeInput, validate(UrgeInput, data))
    today = timezone.localtime(now).date()
    township = _township(actor, cleaned.township)
    overdue = selectors.overdue(actor, today).filter(**_within(township.code)).count()
    if not overdue:
        raise Conflict("care.nothing_overdue", f"{township.name}没有未按期探访的人员，无需督办", field="township")
    due = add_workdays(work_calendar(), today, _urge_days(township.code, today))
    with transaction.atomic():
        urge = VisitUrge.objects.create(region=township, issued_on=today, overdue=overdue, due=due, note=cleaned.note,
                                        issued_by=_actor(actor), created_at=now)
        audit_record(actor=actor, action="care.urge", subject_type="care_urge", subject_id=urge.pk,
                     region_code=township.code,
                     after={"overdue": overdue, "due": due.isoformat(), "note": cleaned.note}, at=now)
    return urge
