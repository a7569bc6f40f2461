from __future__ import annotations

from jiuzhu.rules.errors import NotFound

from .codes import subtree_range
from .models import Region
from .scope import in_scope, scope_q


def region_get(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def regions_in_scope(*, actor, level: int | None = None):
    qs = Region.objects.filter(scope_q(actor, "code"))
    if level is not None:
        qs = qs.filter(level=level)
    return qs.order_by("code")


def villages_in_scope(*, actor):
    return regions_in_scope(actor=actor, level=5)


def region_names(codes) -> dict[str, str]:
    """Names of the given region codes (township prefixes are padded to 12 digits)."""
    full = {c: c.ljust(12, "0") for c in codes}
    names = dict(Region.objects.filter(code__in=set(full.values())).values_list("code", "name"))
    return {c: names.get(code, c) for c, code in full.items()}


def region_in_scope(*, actor, code: str) -> Region:
    """One region of the actor's subtree (their own region included); anything else is "not found"
    (404), like a record outside the region."""
    region = Region.objects.filter(code=code).first() if isinstance(code, str) and code.isdigit() else None
    if region is None or not in_scope(actor, region.code):
        raise NotFound("region.not_found", f"区划“{str(code)[:12]}”不存在或不在您的管辖范围内", field="code")
    return region


def region_subtree(*, actor, code: str, depth: int = 1, limit: int = 1000):
    """``code``'s region and its descendants down to ``depth`` levels (1 = the children), code order."""
    region = region_in_scope(actor=actor, code=code)
    low, high = subtree_range(region.code)
    rows = list(Region.objects.filter(code__gte=low, code__lte=high, level__gt=region.level,
                                      level__lte=region.level + depth).order_by("code")[:limit])
    return region, rows


def office_name() -> str:
    """The office the installation serves, named on the login page: ``JIUZHU_OFFICE_NAME`` when set,
    else "<county>民政局" when exactly one county (县级) is loaded (the demo: 淳安县民政局), else ""."""
    from django.conf import settings

    if configured := getattr(settings, "JIUZHU_OFFICE_NAME", ""):
        return configured
    counties = list(Region.objects.filter(level=3).values_list("name", flat=True)[:2])
    return f"{counties[0]}民政局" if len(counties) == 1 else ""
