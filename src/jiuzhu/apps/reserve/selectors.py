"""备用金 reads, scoped by the actor's region (the county sees every township)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum

from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope, scope_filter, scope_q
from jiuzhu.rules.errors import NotFound

from .models import ReserveEntry, ReserveFund

TOWNSHIP_LEVEL = 4


def fund_balances(*, actor) -> list[dict]:
    """Every township in scope with its balance, allocations, replenishments and draws (a township without a
    fund shows 0)."""
    townships = scope_filter(Region.objects.filter(level=TOWNSHIP_LEVEL), actor, "code").order_by("code")
    funds = {f.pk: f for f in ReserveFund.objects.filter(pk__in=[t.code for t in townships])}
    totals = {row["fund"]: row for row in ReserveEntry.objects.filter(fund__in=list(funds)).values("fund").annotate(
        allocated=Sum("amount", filter=Q(kind="allocation")), drawn=Sum("amount", filter=Q(kind="draw")),
        replenished=Sum("amount", filter=Q(kind="replenishment")))}
    out = []
    for t in townships:
        fund = funds.get(t.code)
        row = totals.get(t.code, {})
        balance = fund.balance if fund else Decimal(0)
        allocated, drawn = row.get("allocated") or Decimal(0), row.get("drawn") or Decimal(0)
        replenished = row.get("replenished") or Decimal(0)
        # reconciles to the fen: what was allocated and replenished less what was drawn is what the fund holds
        out.append({"code": t.code, "name": t.name, "balance": balance, "allocated": allocated,
                    "replenished": replenished, "drawn": drawn,
                    "reconciled": allocated + replenished - drawn == balance})
    return out


def fund_entries(*, actor, limit: int = 200):
    return ReserveEntry.objects.select_related("case").filter(scope_q(actor, "fund__region")).order_by("-id")[:limit]


ENTRY_PAGE = 100


def township_entries(*, actor, township: str, page: int = 1) -> tuple[list[ReserveEntry], bool]:
    """(one township's ledger entries of the page, newest first, 100 a page; has next page). A code that is no
    township or lies outside the actor's region: 404, as the pages."""
    if not Region.objects.filter(pk=township, level=TOWNSHIP_LEVEL).exists() or not in_scope(actor, township):
        raise NotFound("reserve.township", "乡镇不存在或不在您的管辖范围内", field="township")
    start = (page - 1) * ENTRY_PAGE
    rows = list(ReserveEntry.objects.filter(fund_id=township).select_related("case", "actor")
                .order_by("-id")[start:start + ENTRY_PAGE + 1])
    return rows[:ENTRY_PAGE], len(rows) > ENTRY_PAGE
