"""Reads for annual reviews: progress per township and village, and the year's summary
(seed 年审工作方案 总结阶段: 新增、调整、取消), scoped to the actor's region."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange
from jiuzhu.apps.enrollment.standard import region_policies
from jiuzhu.apps.regions.codes import ancestors, in_subtree, subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.rules.errors import DomainError, NotFound
from jiuzhu.rules.workflow.states import CLOSED_STATES, RECHECK_OUTCOMES

from .models import ReviewCampaign

OUTCOMES = tuple(RECHECK_OUTCOMES)


def campaigns_visible(*, actor, limit: int = 100) -> list[ReviewCampaign]:
    """Campaigns of the actor's region and those above it that cover part of it."""
    qs = scope_filter(ReviewCampaign.objects.all(), actor)
    code = getattr(actor, "region_id", None)
    if code and getattr(actor, "is_active", False):
        qs = qs | ReviewCampaign.objects.filter(region_id__in=ancestors(code))
    return list(qs.select_related("region").order_by("-year", "region_id")[:limit])


def campaign_get(*, actor, campaign_id) -> ReviewCampaign:
    c = None
    if str(campaign_id).isdigit() and int(campaign_id) < 2**63:
        c = ReviewCampaign.objects.select_related("region", "created_by").filter(pk=campaign_id).first()
    if c is None or not _visible(actor, c):
        raise NotFound("not_found", "年审不存在或不在您的管辖范围内")
    return c


def campaign_find(*, actor, region_code: str, year: int) -> ReviewCampaign:
    c = ReviewCampaign.objects.select_related("region").filter(region_id=region_code, year=year).first()
    if c is None or not _visible(actor, c):
        raise NotFound("not_found", f"没有 {region_code} 的 {year} 年度年审", field="region")
    return c


def _visible(actor, campaign) -> bool:
    """In the actor's region, or a campaign above it that covers the actor's region (a township sees
    its part of the county's review)."""
    code = getattr(actor, "region_id", None)
    return in_scope(actor, campaign.region_id) or bool(in_scope(actor, code) and in_subtree(code, campaign.region_id))


def _bucket(code: str, name: str) -> dict:
    return {"code": code, "name": name, "total": 0, "open": 0, "overdue": 0, "decided": 0, "cancelled": 0,
            **{o: 0 for o in OUTCOMES}}


def _add(bucket: dict, state: str, outcome: str, overdue: bool, n: int):
    bucket["total"] += n
    if state not in CLOSED_STATES:
        bucket["open"] += n
        bucket["overdue"] += n if overdue else 0
    elif state == "cancelled":
        bucket["cancelled"] += n
    else:
        bucket["decided"] += n
        if outcome in OUTCOMES:
            bucket[outcome] += n


def review_progress(*, actor, campaign: ReviewCampaign) -> dict:
    """Rechecks by township and village: open (and overdue), decided by outcome, cancelled — one
    grouped query over the campaign's cases, limited to the actor's region."""
    rows = (scope_filter(Case.objects.filter(campaign=campaign), actor)
            .values("region_id", "state", "decided_status", "overdue").annotate(n=Count("id"))
            .order_by("region_id"))
    villages: dict[str, dict] = {}
    total = _bucket(campaign.region_id, campaign.region.name)
    for r in rows:
        v = villages.setdefault(r["region_id"], _bucket(r["region_id"], ""))
        for bucket in (v, total):
            _add(bucket, r["state"], r["decided_status"], r["overdue"], r["n"])
    townships: dict[str, dict] = {}
    codes = set(villages) | {code[:9] + "000" for code in villages}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    for code in sorted(villages):
        v = villages[code]
        v["name"] = names.get(code, code)
        t = townships.setdefault(code[:9] + "000", {**_bucket(code[:9] + "000", names.get(code[:9] + "000", "")),
                                                    "villages": []})
        for key in ("total", "open", "overdue", "decided", "cancelled", *OUTCOMES):
            t[key] += v[key]
        t["villages"].append(v)
    for bucket in [total, *townships.values(), *villages.values()]:
        bucket["percent"] = round(100 * bucket["decided"] / bucket["total"], 1) if bucket["total"] else 0.0
    return {"campaign": campaign.pk, "region": campaign.region_id, "year": campaign.year,
            "due": campaign.due.isoformat(), "status": campaign.status, "total": total,
            "townships": list(townships.values())}


def _money(value) -> str:
    return str((value or Decimal(0)).quantize(Decimal("0.01")))


def review_summary(*, actor, campaign: ReviewCampaign) -> dict:
    """The year's 新增 (approvals), 调整 (increases, decreases, reclassifications; standard
    adjustments apart) and 退出 (stops, graduations), by program, within the actor's region."""
    year = campaign.year
    low, high = subtree_range(campaign.region_id)
    enrollments = scope_filter(Enrollment.objects.filter(region_id__gte=low, region_id__lte=high), actor)
    additions = {r["program"]: {"households": r["n"], "persons": r["persons"] or 0, "amount": _money(r["amount"])}
                 for r in enrollments.filter(decided_on__year=year).values("program")
                 .annotate(n=Count("id"), persons=Sum("persons"), amount=Sum("amount")).order_by("program")}
    changes = EnrollmentChange.objects.filter(enrollment__in=enrollments, effective_month__year=year)
    by_kind = changes.values("enrollment__program", "kind").annotate(
        n=Count("id"), up=Count("id", filter=Q(new_amount__gt=F("old_amount"))),
        down=Count("id", filter=Q(new_amount__lt=F("old_amount"))),
        delta=Sum(F("new_amount") - F("old_amount"))).order_by("enrollment__program", "kind")
    adjustments: dict[str, dict] = {}
    exits: dict[str, dict] = {}
    for r in by_kind:
        program, kind = r["enrollment__program"], r["kind"]
        if kind in ("adjust", "standard"):
            a = adjustments.setdefault(program, {"adjust": 0, "standard": 0, "increase": 0, "decrease": 0,
                                                 "monthly_change": Decimal(0)})
            a[kind] += r["n"]
            a["increase"] += r["up"]
            a["decrease"] += r["down"]
            a["monthly_change"] += r["delta"] or 0
        elif kind in ("stop", "graduate"):
            e = exits.setdefault(program, {"stop": 0, "graduate": 0})
            e[kind] += r["n"]
    for a in adjustments.values():
        a["monthly_change"] = _money(a["monthly_change"])
    outcomes = dict(scope_filter(Case.objects.filter(campaign=campaign, state="rechecked"), actor)
                    .values_list("decided_status").annotate(n=Count("id")).values_list("decided_status", "n"))
    return {"year": year, "region": campaign.region_id, "additions": additions, "adjustments": adjustments,
            "exits": exits, "recheck_outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES}}


BENEFIT_FLOOR_KEY = "dibao.township_avg_benefit_min.{area}"  # seed 年审方案: 月人均补差 urban ≥ 490, rural ≥ 355
PAID_STATUSES = (Enrollment.Status.ACTIVE, Enrollment.Status.GRADUATING)


def _floor(policy, area: str, as_of) -> tuple[Decimal | None, str]:
    try:
        entry = policy.entry(BENEFIT_FLOOR_KEY.format(area=area), as_of)
    except DomainError:  # the region sets no floor, or none in force yet
        return None, ""
    return entry.value, entry.source


def benefit_floors(*, actor, campaign: ReviewCampaign, as_of) -> list[dict]:
    """月人均补差 per township and area type (seed 年审工作方案: 城市 ≥ 490、农村 ≥ 355 元) against the
    region's dated floor ``dibao.township_avg_benefit_min.<area>`` in force on ``as_of``: paid dibao
    enrollments (在保 and 渐退期), monthly amount ÷ persons covered, within the actor's region. One
    grouped query; ``meets`` is None where the region sets no floor."""
    low, high = subtree_range(campaign.region_id)
    rows = (scope_filter(Enrollment.objects.filter(region_id__gte=low, region_id__lte=high, program="dibao",
                                                   status__in=PAID_STATUSES), actor)
            .values("region_id", "household__area_type")
            .annotate(n=Count("id"), persons=Sum("persons"), amount=Sum("amount")).order_by("region_id"))
    groups: dict[tuple[str, str], dict] = {}
    for r in rows:
        key = (r["region_id"][:9] + "000", r["household__area_type"])
        g = groups.setdefault(key, {"households": 0, "persons": 0, "amount": Decimal(0)})
        g["households"] += r["n"]
        g["persons"] += r["persons"] or 0
        g["amount"] += r["amount"] or 0
    townships = sorted({code for code, _area in groups})
    names = dict(Region.objects.filter(code__in=townships).values_list("code", "name"))
    policies = region_policies(townships)
    out = []
    for (code, area), g in sorted(groups.items()):
        per_capita = (g["amount"] / g["persons"]).quantize(Decimal("0.01")) if g["persons"] else Decimal(0)
        floor, source = _floor(policies[code][1], area, as_of)
        out.append({"code": code, "name": names.get(code, code), "area_type": area, "households": g["households"],
                    "persons": g["persons"], "amount": _money(g["amount"]), "per_capita": _money(per_capita),
                    "floor": None if floor is None else _money(floor), "floor_source": source,
                    "meets": None if floor is None else per_capita >= floor})
    return out
