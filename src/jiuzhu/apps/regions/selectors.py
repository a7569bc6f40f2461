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


def office_name() -> str:
    """The office the installation serves, named on the login page: ``JIUZHU_OFFICE_NAME`` when set,
    else "<county>民政局" when exactly one county (县级) is loaded (the demo: 淳安县民政局), else ""."""
    from django.conf import settings

    if configured := getattr(settings, "JIUZHU_OFFICE_NAME", ""):
        return configured
    counties = list(Region.objects.filter(level=3).values_list("name", flat=True)[:2])
    return f"{counties[0]}民政局" if len(counties) == 1 else ""
