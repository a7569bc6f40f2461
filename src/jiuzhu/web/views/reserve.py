"""临时救助备用金 (R-TA-07, issue 14 §2): every township's balance for the county, the township's own
ledger, and the county's allocation form. Thin: selectors and one service."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.reserve.selectors import fund_balances, fund_entries
from jiuzhu.apps.reserve.services import reserve_allocate
from jiuzhu.rules.errors import DomainError

from .common import roles_required, scoped


@login_required
@roles_required("reserve.view", "您的角色不能查看备用金")
@scoped
@require_http_methods(["GET", "POST"])
def reserve_index(request):
    errors: dict[str, str] = {}
    raw = {"township": "", "amount": "", "note": ""}
    status = 200
    if request.method == "POST":
        raw = {k: request.POST.get(k, "").strip() for k in raw}
        if not can(request.user, "reserve.allocate"):
            errors["general"] = "您的角色不能拨付备用金"
            status = 403
        else:
            try:
                reserve_allocate(actor=request.user, township_code=raw["township"], amount=raw["amount"],
                                 note=raw["note"], now=timezone.now())
                return redirect("web:reserve_index")
            except DomainError as exc:
                errors[exc.details.get("field") or "general"] = exc.message
                status = exc.status
    balances = fund_balances(actor=request.user)
    return render(request, "web/reserve.html", {
        "balances": balances, "entries": fund_entries(actor=request.user), "raw": raw, "errors": errors,
        "can_allocate": can(request.user, "reserve.allocate")}, status=status)
