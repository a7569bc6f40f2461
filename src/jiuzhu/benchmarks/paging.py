"""Household list paging at depth: keyset (``id < after``) versus the naive OFFSET baseline.

Both fetch the same 50-row page of the county-wide, newest-first household list through the same
scoped queryset; only the paging method differs. Depths are spread over the whole table.
"""

from __future__ import annotations

from django.db import connection

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.registry.models import Household
from jiuzhu.apps.registry.selectors import PAGE_SIZE, households_page, households_registered
from jiuzhu.apps.synthetic.demo import DEMO_COUNTY, demo_regions_load
from jiuzhu.apps.synthetic.seed import seed_households

from .common import median_seconds, peak_rss_mb


def run(*, households: int, repeat: int = 5) -> dict:
    if not Household.objects.exists():
        demo_regions_load()
    have = Household.objects.count()
    if have < households:
        seed_households(households - have, region_code=DEMO_COUNTY, seed=have + 1, progress=True)
    actor = User(username="bench", role=Role.COUNTY, region_id=DEMO_COUNTY, is_active=True)
    total = households_registered(actor=actor).count()
    depths = [0, total // 4, total // 2, (total * 9) // 10]
    ordered = households_registered(actor=actor).order_by("-pk").values_list("pk", flat=True)
    cursors = {d: (ordered[d - 1] if d else None) for d in depths}
    keyset, offset = [], []
    for depth in depths:
        after = cursors[depth]
        keyset.append(median_seconds(lambda: households_page(actor=actor, after=after), repeat))
        offset.append(median_seconds(
            lambda: list(households_registered(actor=actor).select_related("region").order_by("-pk")[depth: depth + PAGE_SIZE + 1]),
            repeat))
    deep_keyset, deep_offset = keyset[-1], offset[-1]
    return {
        "bench": "paging", "households": total, "seconds": round(deep_keyset, 6),
        "per_second": round(1 / deep_keyset, 1) if deep_keyset else None,
        "baseline": "offset-paging", "baseline_seconds": round(deep_offset, 6),
        "ratio": round(deep_offset / deep_keyset, 1) if deep_keyset else None,
        "peak_rss_mb": peak_rss_mb(), "engine": "orm", "database": connection.vendor,
        "notes": "seconds = median time to fetch one 50-row page at 90% depth of the county-wide newest-first list; "
                 f"median of {repeat} runs per depth; per depth keyset/offset seconds: "
                 + ", ".join(f"{d}: {k:.4f}/{o:.4f}" for d, k, o in zip(depths, keyset, offset)),
    }
