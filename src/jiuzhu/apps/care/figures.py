"""特困人员监护照护 figures by township for the county dashboard and the care report's xlsx (issue 16 §7):
overdue visits now, satisfaction of a quarter, 摸底 progress of the running campaigns. Each is one or two
grouped queries over the actor's scope (no per-person loop), built on the care selectors."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import Substr

from jiuzhu.apps.regions.scope import scope_q
from jiuzhu.rules.care import completion_rate

from . import selectors, supervision_selectors
from .models import SurveyCampaign, SurveyItem


def _per_township(qs, **aggregates) -> dict[str, dict]:
    rows = qs.annotate(t=Substr("region_id", 1, 9)).values("t").annotate(**aggregates).order_by()
    return {r.pop("t") + "000": r for r in rows}


def overdue_by_township(actor, today: date) -> list[dict]:
    """Per township in scope with dispersed persons: those persons, the ones whose visit is past due,
    their share."""
    dispersed = _per_township(selectors.dispersed(actor).order_by(), n=Count("id"))
    late = _per_township(selectors.overdue(actor, today).order_by(), n=Count("id"))
    out = []
    for code, name in supervision_selectors.townships(actor):
        n = dispersed.get(code, {}).get("n", 0)
        k = late.get(code, {}).get("n", 0)
        if n:
            out.append({"township": code, "name": name, "dispersed": n, "overdue": k,
                        "share": completion_rate(k, n)})
    return out


def satisfaction_by_township(actor, start: date) -> list[dict]:
    """Per township, the quarter beginning ``start``: surveys, mean overall score, satisfied count and share."""
    return [{"township": r["township"], "name": r["name"], "surveys": r["surveys"], "mean": r["mean"],
             "satisfied_count": r["satisfied_count"], "satisfied": r["satisfied"]}
            for r in supervision_selectors.figures(actor, start)]


def running_campaigns(actor) -> list[SurveyCampaign]:
    """The running 摸底 campaigns with lines in the actor's scope (their own or one above covering it)."""
    ids = (SurveyItem.objects.filter(scope_q(actor), campaign__status=SurveyCampaign.Status.RUNNING)
           .values_list("campaign_id", flat=True).distinct().order_by())
    return list(SurveyCampaign.objects.filter(pk__in=ids).select_related("region").order_by("region_id"))


def survey_progress(actor) -> list[dict]:
    """摸底 progress of the running campaigns by township in scope: lines, done, pending, percent
    (empty when no campaign runs)."""
    rows = _per_township(SurveyItem.objects.filter(scope_q(actor), campaign__status=SurveyCampaign.Status.RUNNING),
                         n=Count("id"), d=Count("id", filter=Q(done=True)))
    if not rows:
        return []
    out = []
    for code, name in supervision_selectors.townships(actor):
        if code in rows:
            n, d = rows[code]["n"], rows[code]["d"]
            out.append({"township": code, "name": name, "total": n, "done": d, "pending": n - d,
                        "percent": completion_rate(d, n)})
    return out
