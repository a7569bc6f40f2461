"""自查自纠 (issue 15 §5): campaigns (list, start — county), a campaign's progress (its background
job), report by township and hits with filters (township, check, status), one rectification item with
its evidence and the outcome form, the report as xlsx and PDF. Township users see their own items."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.integrity import selfcheck, selfcheck_report, selfcheck_resolve
from jiuzhu.apps.integrity.selfcheck_models import RectificationItem
from jiuzhu.apps.jobs import selectors as job_selectors
from jiuzhu.apps.regions.models import Region
from jiuzhu.rules.errors import DomainError, NotFound
from jiuzhu.rules.selfcheck import CHECKS, OUTCOMES

from .common import roles_required, scoped
from .integrity import _errors
from .jobs import TOKEN, job_view

START_FIELDS = ("name", "as_of", "checks", "region")
RESOLVE_FIELDS = ("outcome", "result", "amount", "months", "legal_ground")


def _county_code(user) -> str:
    region = getattr(user, "region_id", "") or ""
    return region[:6] + "000000" if len(region) == 12 else ""


def _list_context(request, **extra) -> dict:
    return {"campaigns": selfcheck.campaigns_visible(actor=request.user)[:100], "checks": CHECKS,
            "can_start": can(request.user, "selfcheck.start"), "errors": {},
            "raw": {"name": "", "as_of": timezone.localdate().isoformat(), "checks": list(CHECKS)}, **extra}


@login_required
@roles_required("selfcheck.read", "您的角色不能查看自查自纠")
@require_http_methods(["GET", "POST"])
def selfcheck_list(request):
    if request.method == "GET":
        return render(request, "web/selfcheck_list.html", _list_context(request))
    if not can(request.user, "selfcheck.start"):
        return render(request, "web/selfcheck_list.html", _list_context(request, errors={
            "general": "只有县民政可以发起自查自纠"}), status=403)
    raw = {"name": request.POST.get("name", "").strip()[:200], "as_of": request.POST.get("as_of", "").strip()[:20],
           "checks": [c[:30] for c in request.POST.getlist("checks")][:20]}
    try:
        token = request.POST.get("job_token", "")
        campaign = selfcheck.selfcheck_start(actor=request.user, region_code=_county_code(request.user), data=raw,
                                             now=timezone.now(),
                                             key=f"web:{request.user.pk}:{token}" if TOKEN.match(token) else None)
    except DomainError as exc:
        return render(request, "web/selfcheck_list.html",
                      _list_context(request, errors=_errors(exc, START_FIELDS), raw=raw), status=exc.status)
    return redirect(reverse("web:selfcheck_detail", args=[campaign.pk]))


def _filters(request) -> dict:
    return {"region": request.GET.get("region", "")[:12], "check": request.GET.get("check", "")[:24],
            "status": request.GET.get("status", "")[:10]}


@login_required
@roles_required("selfcheck.read", "您的角色不能查看自查自纠")
@scoped
@require_GET
def selfcheck_detail(request, campaign_id: int):
    campaign = selfcheck.campaign_get(actor=request.user, campaign_id=campaign_id)
    f = _filters(request)
    qs = selfcheck_resolve.items_visible(actor=request.user, campaign=campaign).order_by("region_id", "due_date", "id")
    if f["region"]:
        qs = qs.filter(region_id=f["region"])
    if f["check"] in CHECKS:
        qs = qs.filter(check_code=f["check"])
    if f["status"] in RectificationItem.Status.values:
        qs = qs.filter(status=f["status"])
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    today = timezone.localdate()
    report = selfcheck_report.summary(actor=request.user, campaign=campaign, today=today)
    townships = Region.objects.filter(code__in=[r["region_id"] for r in report["rows"]]).order_by("code")
    job = {}
    if campaign.job_id:
        try:
            job = job_view(job_selectors.job_get(actor=request.user, job_id=campaign.job_id))
        except NotFound:
            job = {}
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return render(request, "web/selfcheck_detail.html", {
        "campaign": campaign, "page": page, "filters": f, "query": query, "report": report, "townships": townships,
        "checks": CHECKS, "statuses": RectificationItem.Status.choices, "today": today, **job})


def _item(request, item_id) -> RectificationItem:
    item = None
    if str(item_id).isdigit():
        item = selfcheck_resolve.items_visible(actor=request.user).select_related("campaign", "person").filter(
            pk=item_id).first()
    if item is None:
        raise NotFound("not_found", "整改事项不存在或不在您的管辖范围内")
    return item


def _item_page(request, item, status=200, **extra):
    return render(request, "web/selfcheck_item.html", {
        "item": item, "outcomes": OUTCOMES, "can_resolve": can(request.user, "selfcheck.resolve"),
        "today": timezone.localdate(), "errors": {}, "raw": {}, **extra}, status=status)


@login_required
@roles_required("selfcheck.read", "您的角色不能查看自查自纠")
@scoped
@require_GET
def selfcheck_item(request, item_id: int):
    return _item_page(request, _item(request, item_id))


@login_required
@roles_required("selfcheck.resolve", "您的角色不能办理整改事项")
@scoped
@require_POST
def selfcheck_resolve_view(request, item_id: int):
    item = _item(request, item_id)
    raw = {k: request.POST.get(k, "").strip()[:2000] for k in RESOLVE_FIELDS}
    months = [m.strip() for m in raw["months"].replace("，", ",").replace("、", ",").split(",") if m.strip()]
    data: dict = {"outcome": raw["outcome"], "result": raw["result"], "months": months,
                  "legal_ground": raw["legal_ground"]}
    if raw["amount"]:
        data["amount"] = raw["amount"]
    try:
        selfcheck_resolve.rectification_resolve(actor=request.user, item_id=item.pk, data=data, now=timezone.now())
    except DomainError as exc:
        return _item_page(request, _item(request, item_id), status=exc.status, errors=_errors(exc, RESOLVE_FIELDS),
                          raw=raw)
    return redirect("web:selfcheck_item", item.pk)


@login_required
@roles_required("selfcheck.read", "您的角色不能查看自查自纠")
@scoped
@require_GET
def selfcheck_report_file(request, campaign_id: int, fmt: str):
    campaign = selfcheck.campaign_get(actor=request.user, campaign_id=campaign_id)
    if fmt == "xlsx":
        content = selfcheck_report.report_xlsx(actor=request.user, campaign=campaign, now=timezone.now())
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        content = selfcheck_report.report_pdf(actor=request.user, campaign=campaign, now=timezone.now())
        kind = "application/pdf"
    else:
        raise NotFound("not_found", "没有这种格式")
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f"attachment; filename=selfcheck-{campaign.pk}.{fmt}"
    return response

