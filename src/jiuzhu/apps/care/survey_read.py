"""Reads for 摸底排查, scoped to the actor: the campaigns they see (their region's and the one above
that covers it), progress by township and village (one grouped query), the lines to visit, and the
台账 rows for the xlsx export."""

from __future__ import annotations

from django.db.models import Count, Q

from jiuzhu.apps.regions.codes import ancestors, in_subtree
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope, scope_q
from jiuzhu.rules.errors import NotFound

from .models import SurveyCampaign, SurveyItem


def _visible(actor, campaign: SurveyCampaign) -> bool:
    code = getattr(actor, "region_id", None) or ""
    return in_scope(actor, campaign.region_id) or bool(in_scope(actor, code) and in_subtree(code, campaign.region_id))


def campaigns_visible(actor, *, limit: int = 50) -> list[SurveyCampaign]:
    qs = SurveyCampaign.objects.filter(scope_q(actor))
    code = getattr(actor, "region_id", None)
    if code and getattr(actor, "is_active", False):
        qs = qs | SurveyCampaign.objects.filter(region_id__in=ancestors(code))
    return list(qs.select_related("region").order_by("-year", "region_id")[:limit])


def campaign_get(*, actor, campaign_id) -> SurveyCampaign:
    c = None
    if str(campaign_id).isdigit() and int(campaign_id) < 2**63:
        c = SurveyCampaign.objects.select_related("region").filter(pk=campaign_id).first()
    if c is None or not _visible(actor, c):
        raise NotFound("not_found", "摸底排查不存在或不在您的管辖范围内")
    return c


def _bucket(code: str, name: str) -> dict:
    return {"code": code, "name": name, "total": 0, "done": 0}


def progress(*, actor, campaign: SurveyCampaign) -> dict:
    """Lines by township and village (total, done, percent) within the actor's region."""
    rows = (SurveyItem.objects.filter(scope_q(actor), campaign=campaign).values("region_id")
            .annotate(n=Count("id"), d=Count("id", filter=Q(done=True))).order_by("region_id"))
    total = _bucket(campaign.region_id, campaign.region.name)
    villages = {r["region_id"]: {**_bucket(r["region_id"], ""), "total": r["n"], "done": r["d"]} for r in rows}
    codes = set(villages) | {c[:9] + "000" for c in villages}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    townships: dict[str, dict] = {}
    for code in sorted(villages):
        v = villages[code]
        v["name"] = names.get(code, code)
        t = townships.setdefault(code[:9] + "000", {**_bucket(code[:9] + "000", names.get(code[:9] + "000", "")),
                                                    "villages": []})
        for bucket in (t, total):
            bucket["total"] += v["total"]
            bucket["done"] += v["done"]
        t["villages"].append(v)
    for bucket in [total, *townships.values(), *villages.values()]:
        bucket["pending"] = bucket["total"] - bucket["done"]
        bucket["percent"] = round(100 * bucket["done"] / bucket["total"], 1) if bucket["total"] else 0.0
    return {"total": total, "townships": list(townships.values()),
            "complete": total["total"] > 0 and total["done"] == total["total"]}


def items(*, actor, campaign: SurveyCampaign, village: str = "", pending: bool = False):
    qs = SurveyItem.objects.filter(scope_q(actor), campaign=campaign)
    if village:
        qs = qs.filter(region_id=village)
    if pending:
        qs = qs.filter(done=False)
    return qs.select_related("person").order_by("done", "region_id", "id")


def ledger(*, actor, campaign: SurveyCampaign):
    """Every line in scope with the person, village and the profile's current placement (for the 台账)."""
    return (SurveyItem.objects.filter(scope_q(actor), campaign=campaign)
            .select_related("person", "enrollment__care").order_by("region_id", "id"))

