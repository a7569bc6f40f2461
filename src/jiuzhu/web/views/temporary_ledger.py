"""临时救助台账 (/temporary/ledger/): one month's temporary-assistance payments and referrals, the
township's own or (county) all townships or one, with an xlsx download (``?format=xlsx``)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jiuzhu.apps.programs.temporary_ledger import ledger_xlsx, temporary_ledger, townships_visible
from jiuzhu.rules.errors import DomainError

from .common import roles_required, scoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@roles_required("temporary.ledger", "您的角色不能查看临时救助台账")
@scoped
@require_GET
def temporary_ledger_page(request):
    raw = {k: request.GET.get(k, "").strip()[:20] for k in ("month", "region", "format")}
    raw["month"] = raw["month"] or f"{timezone.localdate():%Y-%m}"
    ctx = {"raw": raw, "townships": townships_visible(actor=request.user), "errors": {}, "data": None}
    try:
        if raw["format"] == "xlsx":
            name, content = ledger_xlsx(actor=request.user, month=raw["month"], region=raw["region"],
                                        now=timezone.now())
            response = HttpResponse(content, content_type=XLSX)
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
            response["Cache-Control"] = "private, no-store"
            return response
        ctx["data"] = temporary_ledger(actor=request.user, month=raw["month"], region=raw["region"])
    except DomainError as exc:
        ctx["errors"] = {str(exc.details.get("field") or "general"): exc.message}
        return render(request, "web/temporary_ledger.html", ctx, status=exc.status)
    return render(request, "web/temporary_ledger.html", ctx)
