"""Reads that join cases with enrollments: the public notices page (公示)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.db.models.functions import Coalesce

from jiuzhu.apps.cases.models import Notice
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions.codes import subtree_range


def public_notices(*, region_code: str = "", today: date, limit: int = 200):
    """Notices for the public page: only name, household size and amount leave this function (for a
    termination notice only the name: size and amount are None). A long-term notice follows its
    enrollment (issue 12 §3.6): it shows the size and amount in force and ends when the enrollment stops."""
    live_long_term = Q(kind=Notice.Kind.LONG_TERM, enrollment__status__in=Enrollment.LIVE)
    qs = (Notice.objects.filter(withdrawn=False, starts_on__lte=today)
          .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
          .filter(~Q(kind=Notice.Kind.LONG_TERM) | live_long_term))
    if region_code:
        low, high = subtree_range(region_code)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    rows = list(qs.select_related("region").order_by("-starts_on", "id")
                .annotate(size_now=Coalesce("enrollment__persons", "household_size"),
                          amount_now=Coalesce("enrollment__amount", "amount"))
                .values("kind", "program", "region__name", "region__full_name", "name", "size_now",
                        "amount_now", "objection_phone", "starts_on", "ends_on")[:limit])
    for row in rows:
        row["household_size"], row["amount"] = row.pop("size_now"), row.pop("amount_now")
        if row["kind"] == Notice.Kind.TERMINATION:  # a proposed termination (R-TK-16): the name only
            row["household_size"] = row["amount"] = None
        elif row["kind"] == Notice.Kind.APPLICATION:  # 申请情况公示: name, household size, program; no amount
            row["amount"] = None
    return rows
