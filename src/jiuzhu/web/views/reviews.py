"""Annual review (年审) pages: the campaigns, starting one (县民政), and a campaign's progress with a
bar chart per township (ECharts, vendored), the year's summary (新增、调整、退出) and each township's
低保月人均补差 against the region's floor (seed 年审方案: 城市 ≥ 490、农村 ≥ 355 元)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases.models import PROGRAMS
from jiuzhu.apps.regions.selectors import regions_in_scope
from jiuzhu.apps.reviews import selectors, services
from jiuzhu.rules.errors import DomainError, ValidationFailed
from jiuzhu.rules.workflow.states import RECHECK_OUTCOMES

from . import jobs
from .common import scoped

CHART_SERIES = [("decided", "已决定"), ("open", "办理中"), ("overdue", "其中逾期"), ("cancelled", "已取消")]


def _list_context(request, **extra) -> dict:
    can_start = can(request.user, "review.start")
    regions = []
    if can_start:
        regions = [*regions_in_scope(actor=request.user, level=3), *regions_in_scope(actor=request.user, level=4)]
    return {"campaigns": selectors.campaigns_visible(actor=request.user), "can_start": can_start,
            "regions": regions, "year": timezone.localdate().year + 1, "errors": {}, "raw": {},
            **jobs.started_job(request), **extra}


@login_required
@require_http_methods(["GET", "POST"])
def review_list(request):
    if request.method == "GET":
        return render(request, "web/review_list.html", _list_context(request))
    raw = {k: request.POST.get(k, "").strip()[:20] for k in ("region", "year", "due")}
    try:
        due = None
        if raw["due"]:
            try:
                due = date.fromisoformat(raw["due"])
            except ValueError:
                raise ValidationFailed("review.due", "复核办结期限格式应为 YYYY-MM-DD", field="due") from None
        region, year = services.review_start_check(actor=request.user, region_code=raw["region"], year=raw["year"],
                                                   now=timezone.now(), due=due)
    except DomainError as exc:
        field = str(exc.details.get("field") or "")
        errors = {field: exc.message} if field in raw else {"general": exc.message}
        return render(request, "web/review_list.html", _list_context(request, errors=errors, raw=raw),
                      status=exc.status)
    job = jobs.enqueue(request, kind="reviews.start", region_code=region.code,
                       params={"region": region.code, "year": year, "due": due.isoformat() if due else ""})
    return redirect(jobs.with_job(reverse("web:review_list"), job))


def chart_data(progress: dict) -> dict:
    """The bar chart's data: one bar group per township (decided, open, overdue, cancelled)."""
    rows = progress["townships"]
    return {"categories": [t["name"] or t["code"] for t in rows],
            "series": [{"name": label, "data": [t[key] for t in rows]} for key, label in CHART_SERIES]}


@login_required
@scoped
@require_GET
def review_detail(request, campaign_id: int):
    campaign = selectors.campaign_get(actor=request.user, campaign_id=campaign_id)
    progress = selectors.review_progress(actor=request.user, campaign=campaign)
    summary = selectors.review_summary(actor=request.user, campaign=campaign)
    floors = selectors.benefit_floors(actor=request.user, campaign=campaign, as_of=timezone.localdate())
    programs = dict(PROGRAMS)
    return render(request, "web/review_detail.html", {
        "campaign": campaign, "progress": progress, "total": progress["total"], "chart": chart_data(progress),
        "outcomes": RECHECK_OUTCOMES.items(), "summary": summary, "programs": programs, "floors": floors,
        "area_words": {"urban": "城市", "rural": "农村"},
        "summary_rows": [{"program": programs.get(p, p), "additions": summary["additions"].get(p),
                          "adjustments": summary["adjustments"].get(p), "exits": summary["exits"].get(p)}
                         for p in programs],
    })

