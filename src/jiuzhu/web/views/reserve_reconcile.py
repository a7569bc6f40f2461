"""备用金月末对账 pages (R-TA-07, issue 14 §2): every township's month in scope (the county's view of
balances and reconciliation status), one township's sheet with its entries, its confirmation by the
township and the sheet as xlsx or PDF."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.reserve import reconciliation as rec
from jiuzhu.apps.reserve.sheet_export import reserve_sheet_export
from jiuzhu.rules.errors import DomainError, ValidationFailed

from .common import roles_required, scoped

CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


def last_month(today: date) -> date:
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


@login_required
@roles_required("reserve.view", "您的角色不能查看备用金")
@require_GET
def reconciliation_index(request):
    raw = request.GET.get("month", "").strip()
    errors: dict[str, str] = {}
    try:
        month = rec.parse_month(raw) if raw else last_month(timezone.localdate())
    except ValidationFailed as exc:
        errors["month"] = exc.message
        month = last_month(timezone.localdate())
    rows = rec.month_rows(actor=request.user, month=month)
    return render(request, "web/reserve_reconciliation.html", {
        "month": month, "raw": raw or f"{month:%Y-%m}", "rows": rows, "totals": rec.month_totals(rows),
        "errors": errors}, status=422 if errors else 200)


def _sheet(request, township, month, *, errors=None, status=200):
    row = rec.township_sheet(actor=request.user, township=township, month=month)
    return render(request, "web/reserve_sheet.html", {
        "row": row, "month": month, "errors": errors or {},
        "can_confirm": can(request.user, "reserve.reconcile") and row.confirmed_at is None and row.has_fund,
        "month_ended": rec.next_month(month) <= timezone.localdate()}, status=status)


@login_required
@roles_required("reserve.view", "您的角色不能查看备用金")
@scoped
@require_http_methods(["GET", "POST"])
def reconciliation_sheet(request, township: str, month: str):
    try:
        first = rec.parse_month(month)
    except ValidationFailed as exc:
        return render(request, "404.html", {"message": exc.message}, status=404)
    fmt = request.GET.get("format", "")
    if request.method == "GET" and fmt:
        try:
            name, content = reserve_sheet_export(actor=request.user, township=township, month=first, fmt=fmt,
                                                 now=timezone.now(), today=timezone.localdate())
        except ValidationFailed as exc:
            return _sheet(request, township, first, errors={"format": exc.message}, status=exc.status)
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    if request.method == "POST":
        try:
            rec.reserve_reconcile_confirm(actor=request.user, township=township, month=first, now=timezone.now())
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            return _sheet(request, township, first, errors={"general": exc.message}, status=exc.status)
        return redirect("web:reserve_sheet", township, f"{first:%Y-%m}")
    return _sheet(request, township, first)
