"""The county dashboard (统计看板): enrolled households and persons, amounts paid, new / adjusted /
stopped, processing time, overdue cases, alerts and 年审 progress — by township and month, read only
from the monthly statistics facts (apps/stats), each chart with its table and an xlsx export
(``?format=xlsx``). County staff recompute a month with a background job ("重新计算")."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.regions.codes import level_of
from jiuzhu.apps.stats import panels, selectors
from jiuzhu.apps.stats.services import check_region, months_between, parse_month
from jiuzhu.apps.stats.xlsx import panels_xlsx
from jiuzhu.rules.errors import DomainError

from . import dashboard_care, jobs
from .common import roles_required, scoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WINDOW = 12  # months shown in the by-month charts, ending with the selected month


def _shift(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _dashboard(request, raw: dict) -> dict:
    """Parse the filters and shape the panels; a bad filter raises DomainError naming its field."""
    today = timezone.localdate()
    user = request.user
    month = parse_month(raw["month"]) if raw["month"] else (selectors.latest_month(actor=user) or today.replace(day=1))
    township = selectors.check_township(user, raw["region"])
    towns = selectors.townships_visible(actor=user)
    if township:
        towns = [(c, n) for c, n in towns if c == township]
    months = months_between(_shift(month, 1 - WINDOW), month)
    rows = selectors.facts(actor=user, first=months[0], last=month, township=township)
    return {"month": month, "township": township, "towns": towns, "months": months,
            "panels": panels.build(rows, month=month, months=months, towns=towns),
            "computed_at": selectors.last_computed(actor=user, month=month, township=township)}


def _context(request, **extra) -> dict:
    user = request.user
    code = getattr(user, "region_id", "") or ""
    return {"townships": selectors.townships_visible(actor=user), "can_compute": can(user, "stats.compute"),
            "county_level": bool(code) and level_of(code) <= 3, "errors": {}, "panels": [], **jobs.started_job(request), **extra}


@login_required
@roles_required("dashboard.read", "您的角色无权查看统计看板")
@scoped
@require_GET
def dashboard(request):
    raw = {k: request.GET.get(k, "").strip()[:20] for k in ("month", "region")}
    try:
        data = _dashboard(request, raw)
    except DomainError as exc:
        field = str(exc.details.get("field") or "month")
        return render(request, "web/dashboard.html", _context(request, raw=raw, errors={field: exc.message}),
                      status=exc.status)
    if request.GET.get("format") == "xlsx":
        wanted = request.GET.get("table", "")
        care = (dashboard_care.panels(request.user, timezone.localdate(), data["township"])
                if wanted.startswith(dashboard_care.PREFIX) else [])  # a care panel's own link
        chosen = [p for p in [*data["panels"], *care] if p.key == wanted] or data["panels"]
        heading = f"统计看板 {data['month']:%Y-%m}" + (f" {data['towns'][0][1]}" if data["township"] else "")
        response = HttpResponse(panels_xlsx(chosen, heading=heading), content_type=XLSX)
        name = f"dashboard_{data['month']:%Y%m}{'_' + data['township'] if data['township'] else ''}"
        name += f"_{wanted}" if len(chosen) == 1 else ""
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raw["month"] = f"{data['month']:%Y-%m}"
    care = dashboard_care.panels(request.user, timezone.localdate(), data["township"])
    return render(request, "web/dashboard.html", _context(request, raw=raw, care_panels=care, **data))


@login_required
@roles_required("stats.compute", "只有县民政工作人员可以重新计算统计")
@scoped
@require_POST
def dashboard_recompute(request):
    raw = {k: request.POST.get(k, "").strip()[:20] for k in ("month", "region")}
    try:
        month = parse_month(raw["month"])
        if month > timezone.localdate().replace(day=1):
            raise DomainError("stats.month", f"月份 {month:%Y-%m} 尚未开始，不能统计", field="month")
        code = check_region(request.user, raw["region"] or request.user.region_id)
    except DomainError as exc:
        field = str(exc.details.get("field") or "month")
        return render(request, "web/dashboard.html", _context(request, raw=raw, errors={field: exc.message}),
                      status=getattr(exc, "status", 400))
    job = jobs.enqueue(request, kind="stats.compute", params={"region": code, "month": f"{month:%Y-%m}"},
                       region_code=code)
    url = f"{reverse('web:dashboard')}?month={month:%Y-%m}" + (f"&region={raw['region']}" if raw["region"] else "")
    return redirect(jobs.with_job(url, job))
