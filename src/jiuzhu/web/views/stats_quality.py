"""The efficiency and quality report (办理效率与质量, /dashboard/quality/, issue 17 §3): processing
time per step and overall, overdue by township and step, 核对率, denial and withdrawal rates and
reasons, objections, rechecks and alerts on time — read from the monthly statistics facts like the
dashboard, each chart with its table and an xlsx export (``?format=xlsx``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jiuzhu.apps.stats import quality_panels, selectors
from jiuzhu.apps.stats.services import months_between, parse_month
from jiuzhu.apps.stats.xlsx import panels_xlsx
from jiuzhu.rules.errors import DomainError

from .common import roles_required, scoped
from .dashboard import WINDOW, XLSX, _shift


@login_required
@roles_required("dashboard.read", "您的角色无权查看办理效率与质量统计")
@scoped
@require_GET
def stats_quality(request):
    user = request.user
    raw = {k: request.GET.get(k, "").strip()[:20] for k in ("month", "region")}
    ctx = {"raw": raw, "townships": selectors.townships_visible(actor=user), "errors": {}, "panels": []}
    try:
        month = parse_month(raw["month"]) if raw["month"] else (
            selectors.latest_month(actor=user) or timezone.localdate().replace(day=1))
        township = selectors.check_township(user, raw["region"])
    except DomainError as exc:
        ctx["errors"] = {str(exc.details.get("field") or "month"): exc.message}
        return render(request, "web/stats_quality.html", ctx, status=exc.status)
    towns = [(c, n) for c, n in ctx["townships"] if not township or c == township]
    months = months_between(_shift(month, 1 - WINDOW), month)
    rows = selectors.facts(actor=user, first=months[0], last=month, township=township)
    panels = quality_panels.build(rows, month=month, months=months, towns=towns)
    if request.GET.get("format") == "xlsx":
        wanted = request.GET.get("table", "")
        chosen = [p for p in panels if p.key == wanted] or panels
        heading = f"办理效率与质量 {month:%Y-%m}" + (f" {towns[0][1]}" if township else "")
        response = HttpResponse(panels_xlsx(chosen, heading=heading), content_type=XLSX)
        name = f"quality_{month:%Y%m}{'_' + township if township else ''}{'_' + wanted if len(chosen) == 1 else ''}"
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raw["month"] = f"{month:%Y-%m}"
    ctx.update(panels=panels, township=township, month=month,
               computed_at=selectors.last_computed(actor=user, month=month, township=township))
    return render(request, "web/stats_quality.html", ctx)
