"""The monthly statistical return page (月度统计报表, /dashboard/return/): pick the month (and, for
the county, one township or the whole county), see the tables and the check against the payroll
ledger, download the xlsx or the PDF. A township user gets their own township only; a mismatch with
the ledger is shown and the downloads are refused with the reason."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jiuzhu.apps.regions.codes import level_of
from jiuzhu.apps.stats import selectors
from jiuzhu.apps.stats.return_export import monthly_return, return_export, title
from jiuzhu.rules.errors import DomainError

from .common import roles_required, scoped

TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


def _region(user, raw_region: str) -> str:
    township = selectors.check_township(user, raw_region)
    if township:
        return township
    code = user.region_id or ""
    return code[:9] + "000" if level_of(code) >= 4 else code


@login_required
@roles_required("dashboard.read", "您的角色无权查看统计报表")
@scoped
@require_GET
def stats_return(request):
    user = request.user
    today = timezone.localdate()
    raw = {k: request.GET.get(k, "").strip()[:20] for k in ("month", "region", "format")}
    raw["month"] = raw["month"] or f"{today:%Y-%m}"
    ctx = {"raw": raw, "townships": selectors.townships_visible(actor=user), "errors": {}, "data": None}
    try:
        data = monthly_return(actor=user, month=raw["month"], region_code=_region(user, raw["region"]), today=today)
        if raw["format"]:
            content = return_export(actor=user, data=data, fmt=raw["format"], now=timezone.now(), today=today)
            response = HttpResponse(content, content_type=TYPES[raw["format"]])
            response["Content-Disposition"] = (f'attachment; filename="monthly_return_{data.month:%Y%m}_{data.region}'
                                               f'.{raw["format"]}"')
            return response
    except DomainError as exc:
        field = str(exc.details.get("field") or ("general" if exc.code == "stats.ledger_mismatch" else "month"))
        ctx["errors"] = {field: exc.message}
        if exc.code == "stats.ledger_mismatch":
            ctx["data"], ctx["title"] = data, title(data)
        return render(request, "web/stats_return.html", ctx, status=exc.status)
    ctx.update(data=data, title=title(data), tables=[*data.tables, data.check])
    return render(request, "web/stats_return.html", ctx)
