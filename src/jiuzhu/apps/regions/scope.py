"""Region scope: the one place that decides which rows an actor may see or touch.

Every selector filters with ``scope_q``; services re-check single objects with ``ensure_in_scope``.
A row outside the actor's region subtree is reported as "not found" (404), never "forbidden", so
its existence does not leak.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from jiuzhu.rules.errors import NotFound

from .codes import in_subtree, level_of, subtree_range


def actor_region_code(actor) -> str | None:
    return getattr(actor, "region_id", None)


def scope_q(actor, field: str = "region") -> Q:
    """Q filtering ``field`` (a FK to Region or a code column) to the actor's subtree."""
    code = actor_region_code(actor)
    if not code or not getattr(actor, "is_active", False):
        return Q(pk__in=[])
    low, high = subtree_range(code)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def in_scope(actor, region_code: str | None) -> bool:
    code = actor_region_code(actor)
    return bool(code and region_code and getattr(actor, "is_active", False) and in_subtree(region_code, code))


def ensure_in_scope(actor, region_code: str | None, *, what: str = "记录") -> None:
    if not in_scope(actor, region_code):
        raise NotFound("not_found", f"{what}不存在或不在您的管辖范围内")


def scope_filter(qs, actor, field: str = "region"):
    """``qs`` filtered to the actor's subtree (same rows as ``scope_q``).

    For wide scopes (county and above) on SQLite, the range is written so the planner cannot use
    the region index (unary ``+``): newest-first keyset pages then walk the primary key and stop
    after one page, instead of sorting the whole county. Narrow scopes keep the index.
    """
    code = actor_region_code(actor)
    if not code or not getattr(actor, "is_active", False):
        return qs.filter(scope_q(actor, field))
    low, high = subtree_range(code)
    return range_filter(qs, low, high, wide=level_of(code) <= 3, field=field)


def range_filter(qs, low: str, high: str, *, wide: bool, field: str = "region"):
    """``qs`` filtered to region codes in [low, high] (``scope_filter`` for a known range; ``wide``: a
    county or above, see there)."""
    if connection.vendor != "sqlite" or not wide:
        return qs.filter(**{f"{field}__gte": low, f"{field}__lte": high})
    column = qs.model._meta.get_field(field).column
    table = qs.model._meta.db_table
    # identifiers from the model; the bounds are bound parameters
    return qs.filter(RawSQL(f'+"{table}"."{column}" BETWEEN %s AND %s', (low, high),  # noqa: S611
                            output_field=BooleanField()))
