"""Registry reads. Every read is filtered to the actor's region subtree here (scope_q)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q

from jiuzhu.apps.regions.scope import scope_filter
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import NotFound

from . import pii
from .models import Household, Membership, Obligor

PAGE_SIZE = 50


@dataclass(frozen=True)
class HouseholdFilter:
    q: str = ""
    village: str = ""
    area_type: str = ""
    separated: bool | None = None


@dataclass
class Page:
    items: list
    next_after: int | None


def households_visible(*, actor):
    """Every household in scope, 临时登记 (minimal) ones included: a case's household page."""
    return scope_filter(Household.objects.all(), actor, "region")


def households_registered(*, actor):
    """The household register in scope: lists and counts leave out 临时登记 (minimal) households."""
    return households_visible(actor=actor).filter(minimal=False)


def households_page(*, actor, filters: HouseholdFilter = HouseholdFilter(), after: int | None = None,
                    limit: int = PAGE_SIZE) -> Page:
    """Keyset page (newest first, ``id < after``): constant cost at any depth, millions of rows."""
    qs = households_registered(actor=actor)
    q = filters.q.strip()
    if q:
        normalized = idcard.normalize(q)
        if is_id_number(q):
            person_ids = Membership.objects.filter(
                end_date__isnull=True, person__id_number_bidx=pii.id_number_index(normalized)
            ).values("household_id")
            qs = qs.filter(pk__in=person_ids)
        else:
            qs = qs.filter(pk__in=Membership.objects.filter(name_prefix_q("person__name", q), end_date__isnull=True)
                           .values("household_id"))
    if filters.village:
        qs = qs.filter(region_id=filters.village)
    if filters.area_type:
        qs = qs.filter(area_type=filters.area_type)
    if filters.separated is True:
        qs = qs.exclude(residence_region_id=F("region_id"))
    if after:
        qs = qs.filter(pk__lt=after)
    rows = list(qs.select_related("region").order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_after=rows[-1].pk if more and rows else None)


def is_id_number(text: str) -> bool:
    """True when a search text is an ID number (searched by blind index, never echoed into a URL)."""
    return len(idcard.normalize(text.strip())) == 18 if text else False


def name_prefix_q(field: str, prefix: str) -> Q:
    """Name starts with ``prefix``, in a form each database answers from its index: a code-point range on
    SQLite (BINARY collation), LIKE 'x%' on PostgreSQL (varchar_pattern_ops index)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{field}__startswith": prefix})


def household_get(*, actor, household_id) -> Household:
    hh = (households_visible(actor=actor).select_related("region", "residence_region", "head")
          .filter(pk=household_id).first())
    if hh is None:
        raise NotFound("not_found", "家庭不存在或不在您的管辖范围内")
    return hh


def household_members(*, household: Household, include_history: bool = False):
    qs = Membership.objects.filter(household=household).select_related("person")
    if not include_history:
        qs = qs.filter(end_date__isnull=True)
    # Current members first on every database (PostgreSQL sorts NULL last by default, SQLite first).
    return list(qs.order_by(F("end_date").asc(nulls_first=True), "start_date", "id"))


def household_history(*, household: Household):
    return list(Membership.objects.filter(household=household, end_date__isnull=False)
                .select_related("person").order_by("-end_date", "-id"))


def person_other_memberships(*, person_id: int):
    return list(Membership.objects.filter(person_id=person_id).select_related("household").order_by("start_date"))


def household_obligors(*, household: Household):
    return list(Obligor.objects.filter(household=household).select_related("supported").order_by("id"))
