"""Reads for care supervision, scoped through the actor: the caregivers and institutions known per
township (the subjects of the quarterly evaluation), the supervision figures of a quarter by township
(set-based: one grouped query per table), the recent checks, surveys and evaluations, and the 督办 of
missed visits with the township's overdue count now."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Avg, Count, Q
from django.db.models.functions import Substr

from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import scope_q
from jiuzhu.rules.care_supervision import SATISFIED_FROM, quarter_end

from . import selectors
from .models import CareProfile, Evaluation, SatisfactionSurvey, Visit, VisitCheck, VisitUrge


def _within(code: str) -> dict:
    """Filter kwargs for a region code column within ``code``'s subtree (FK columns take no range lookup)."""
    low, high = subtree_range(code)
    return {"region_id__gte": low, "region_id__lte": high}


def care_subjects(actor, township: str | None = None) -> dict[str, list[str]]:
    """Caregivers of dispersed persons and institutions of centralized ones, in scope (one township)."""
    qs = CareProfile.objects.filter(scope_q(actor))
    if township:
        qs = qs.filter(**_within(township))
    caregivers = qs.filter(placement="dispersed").exclude(caregiver="").values_list("caregiver", flat=True)
    institutions = qs.filter(placement="centralized").exclude(institution="").values_list("institution", flat=True)
    return {"caregiver": sorted(set(caregivers)), "institution": sorted(set(institutions))}


def townships(actor) -> list[tuple[str, str]]:
    return list(Region.objects.filter(scope_q(actor, "code"), level=4).order_by("code").values_list("code", "name"))


def _by_township(qs, **aggregates) -> dict[str, dict]:
    rows = qs.annotate(t=Substr("region_id", 1, 9)).values("t").annotate(**aggregates).order_by()
    return {r.pop("t") + "000": r for r in rows}


def figures(actor, start: date) -> list[dict]:
    """Per township in scope, for the quarter beginning ``start``: visits made, spot checks and those not
    confirmed, surveys with their mean overall score and satisfied share, evaluations by grade, 督办."""
    end = quarter_end(start)
    visits = _by_township(Visit.objects.filter(scope_q(actor), visited_on__gte=start, visited_on__lt=end),
                          n=Count("id"))
    checks = _by_township(VisitCheck.objects.filter(scope_q(actor), checked_on__gte=start, checked_on__lt=end),
                          n=Count("id"), bad=Count("id", filter=~Q(result="confirmed")))
    surveys = _by_township(SatisfactionSurvey.objects.filter(scope_q(actor), surveyed_on__gte=start, surveyed_on__lt=end),
                           n=Count("id"), mean=Avg("overall"), ok=Count("id", filter=Q(overall__gte=SATISFIED_FROM)))
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    for code, grade, n in (Evaluation.objects.filter(scope_q(actor), quarter=start)
                           .values_list("region_id", "grade").annotate(n=Count("id")).order_by()):
        grades[code][grade] = n
    urges = _by_township(VisitUrge.objects.filter(scope_q(actor), issued_on__gte=start, issued_on__lt=end),
                         n=Count("id"))
    out = []
    for code, name in townships(actor):
        s = surveys.get(code, {})
        n_surveys = s.get("n", 0)
        out.append({"township": code, "name": name, "visits": visits.get(code, {}).get("n", 0),
                    "checks": checks.get(code, {}).get("n", 0), "not_confirmed": checks.get(code, {}).get("bad", 0),
                    "surveys": n_surveys, "mean": None if s.get("mean") is None else round(float(s["mean"]), 1),
                    "satisfied_count": s.get("ok", 0),
                    "satisfied": f"{100 * s.get('ok', 0) / n_surveys:.1f}%" if n_surveys else "—",
                    "excellent": grades[code].get("excellent", 0), "pass": grades[code].get("pass", 0),
                    "fail": grades[code].get("fail", 0), "urges": urges.get(code, {}).get("n", 0)})
    return out


def recent_checks(actor, limit: int = 20):
    return (VisitCheck.objects.filter(scope_q(actor)).select_related("visit__profile__person")
            .order_by("-checked_on", "-id")[:limit])


def recent_surveys(actor, limit: int = 20):
    return SatisfactionSurvey.objects.filter(scope_q(actor)).select_related("profile__person").order_by("-surveyed_on", "-id")[:limit]


def evaluations(actor, start: date):
    return Evaluation.objects.filter(scope_q(actor), quarter=start).order_by("region_id", "subject_kind", "subject")


def urges(actor, today: date, limit: int = 20) -> list[dict]:
    """The 督办 in scope, newest first, each with the township's overdue count now (0: caught up)."""
    rows = list(VisitUrge.objects.filter(scope_q(actor)).select_related("region").order_by("-issued_on", "-id")[:limit])
    if not rows:
        return []
    now = dict(selectors.overdue(actor, today).annotate(t=Substr("region_id", 1, 9)).values("t")
               .annotate(n=Count("id")).order_by().values_list("t", "n"))
    return [{"urge": u, "overdue_now": now.get(u.region_id[:9], 0)} for u in rows]


def surveys_of(profile, limit: int = 10):
    return profile.satisfactions.order_by("-surveyed_on", "-id")[:limit]


def checks_of(profile):
    return VisitCheck.objects.filter(visit__profile=profile).order_by("-checked_on", "-id")
