"""Reads of the monthly statistics facts, scoped to the actor's region (a township user sees only
their township's facts). The dashboard reads only this small table, never the raw rows."""

from __future__ import annotations

from datetime import date

from django.db.models import Max

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.regions.codes import level_of, subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import scope_filter
from jiuzhu.rules.errors import Forbidden, ValidationFailed

from .models import StatFact


def check_reader(actor) -> None:
    if not can(actor, "dashboard.read"):
        raise Forbidden("forbidden", "您的角色无权查看统计")


def townships_visible(*, actor) -> list[tuple[str, str]]:
    """(code, name) of the townships in the actor's scope (their own township for township staff)."""
    code = getattr(actor, "region_id", None) or ""
    if not code:
        return []
    if level_of(code) >= 4:
        town = code[:9] + "000"
        return list(Region.objects.filter(code=town).values_list("code", "name"))
    low, high = subtree_range(code)
    return list(Region.objects.filter(level=4, code__gte=low, code__lte=high).order_by("code")
                .values_list("code", "name"))


def check_township(actor, township: str) -> str:
    """'' (every township in scope) or a township code in the actor's scope."""
    township = str(township or "").strip()
    if not township:
        return ""
    if township not in {c for c, _ in townships_visible(actor=actor)}:
        raise ValidationFailed("stats.region", "乡镇不存在或不在您的管辖范围内", field="region")
    return township


def facts(*, actor, first: date, last: date, township: str = "") -> list[dict]:
    """The facts of months ``first``..``last`` in the actor's scope (one township when given)."""
    check_reader(actor)
    qs = scope_filter(StatFact.objects.filter(month__gte=first, month__lte=last), actor)
    if township:
        qs = qs.filter(region=township)
    return list(qs.values("month", "region", "program", "metric", "category", "value"))


def last_computed(*, actor, month: date, township: str = ""):
    """When the month's facts in scope were last computed (None: never)."""
    qs = scope_filter(StatFact.objects.filter(month=month), actor)
    if township:
        qs = qs.filter(region=township)
    return qs.aggregate(at=Max("computed_at"))["at"]


def latest_month(*, actor) -> date | None:
    qs = scope_filter(StatFact.objects.all(), actor)
    return qs.aggregate(m=Max("month"))["m"]


def township_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))
