"""Reads for the payroll pages and the console: batches in the actor's region, totals, lines (masked)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Min, Sum

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions import codes
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import ensure_in_scope, scope_q
from jiuzhu.rules.errors import NotFound

from .models import PaymentLine, PayrollBatch

PAGE_SIZE = 50


def may_view(actor) -> bool:
    return actor is None or can(actor, "payroll.read")


def may_operate(actor) -> bool:
    return actor is None or can(actor, "payroll.operate")


def batches_visible(*, actor, limit: int = 100, region: str = "", month=None, status: str = ""):
    """Batches whose region lies in the actor's subtree, newest month first; optionally only those of
    ``region``'s subtree, of ``month`` (a date, the 1st) or in ``status``."""
    if not may_view(actor):
        return PayrollBatch.objects.none()
    qs = PayrollBatch.objects.all() if actor is None else PayrollBatch.objects.filter(scope_q(actor))
    if region:
        low, high = codes.subtree_range(region)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if month is not None:
        qs = qs.filter(month=month)
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related("region", "prepared_by", "approved_by")
    return qs.order_by("-month", "region_id", "kind", "seq")[:limit]


def batch_get(*, actor, batch_id: int) -> PayrollBatch:
    batch = PayrollBatch.objects.select_related("region", "prepared_by", "approved_by").filter(pk=batch_id).first()
    if batch is None or not may_view(actor):
        raise NotFound("not_found", "发放批次不存在或不在您的管辖范围内")
    if actor is not None:
        ensure_in_scope(actor, batch.region_id, what="发放批次")
    return batch


def batch_totals(*, batch: PayrollBatch) -> list[dict]:
    """Totals by township and class (from the columnar job), with township names and subtotals."""
    rows = list(batch.totals.get("by_township_class", []))
    names = dict(Region.objects.filter(code__in={r["township"] for r in rows}).values_list("code", "name"))
    out = []
    for row in rows:
        out.append({**row, "township_name": names.get(row["township"], row["township"]),
                    "amount": Decimal(row["amount"])})
    return out


def township_subtotals(rows: list[dict]) -> list[dict]:
    subtotal: dict[str, dict] = {}
    for row in rows:
        s = subtotal.setdefault(row["township"], {"township": row["township"], "township_name": row["township_name"],
                                                  "households": 0, "persons": 0, "lines": 0, "amount": Decimal(0)})
        for key in ("households", "persons", "lines", "amount"):
            s[key] += row[key]
    return list(subtotal.values())


def batch_lines(*, batch: PayrollBatch, status: str = "", after: int | None = None, limit: int = PAGE_SIZE):
    """One page of the batch's lines (payee, masked account), by line id."""
    qs = PaymentLine.objects.filter(batch=batch).select_related("household", "region", "enrollment__person")
    if status:
        qs = qs.filter(status=status)
    if not after:  # start the id walk at the batch's first line, not at the first line of the table
        first = PaymentLine.objects.filter(batch=batch).aggregate(m=Min("id"))["m"]
        after = first - 1 if first else 0
    qs = qs.filter(pk__gt=after)
    rows = list(qs.order_by("pk")[:limit])
    for line in rows:
        person = line.enrollment.person if line.enrollment_id else None  # a case's line: the account holder
        line.payee = person.name if person is not None else line.household.head_name
        line.account_masked = line.household.bank_account_masked
    return rows


def batch_status_counts(*, batch: PayrollBatch) -> dict:
    out = {"pending": (0, Decimal(0)), "paid": (0, Decimal(0)), "failed": (0, Decimal(0))}
    for row in PaymentLine.objects.filter(batch=batch).values("status").annotate(n=Count("id"), s=Sum("amount")):
        out[row["status"]] = (row["n"], row["s"] or Decimal(0))
    return out


def batch_carried_into(*, batch: PayrollBatch) -> dict[int, PayrollBatch]:
    """For the batch's failed lines: the batch each was carried into (line id → batch)."""
    failed = PaymentLine.objects.filter(batch=batch, status="failed").values_list("id", flat=True)
    carried = PaymentLine.objects.filter(carried_from_id__in=list(failed[:1000])).select_related("batch")
    return {line.carried_from_id: line.batch for line in carried}


def payroll_regions(*, actor) -> list[Region]:
    """Regions the actor may prepare batches for: their county (or township) and its townships."""
    if actor is None or not may_operate(actor) or not getattr(actor, "region_id", None):
        return []
    low, high = codes.subtree_range(actor.region_id)
    return list(Region.objects.filter(code__gte=low, code__lte=high, level__lte=4, level__gte=3).order_by("code"))


def enrollment_payments(*, enrollment: Enrollment, limit: int = 120) -> list[dict]:
    """Payment history of one enrollment (its detail page and API), newest month first."""
    return list(PaymentLine.objects.filter(enrollment=enrollment).select_related("batch")
                .order_by("-month", "-id")
                .values("id", "month", "amount", "status", "result_message", "batch__kind", "batch__status",
                        "batch__region_id", "batch__month", "batch__seq")[:limit])
