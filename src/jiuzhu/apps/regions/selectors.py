from __future__ import annotations

from .models import Region
from .scope import scope_q


def region_get(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def regions_in_scope(*, actor, level: int | None = None):
    qs = Region.objects.filter(scope_q(actor, "code"))
    if level is not None:
        qs = qs.filter(level=level)
    return qs.order_by("code")


def villages_in_scope(*, actor):
    return regions_in_scope(actor=actor, level=5)
