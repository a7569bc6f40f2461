"""预警 (low-income monitoring) pages: the alert queue per township with a chart of alerts by type and
outcome (ECharts, vendored), starting a scan, one alert with the disposition form (R-SYS-06), its
referrals and their feedback. Thin: parse → one selector or service (roles and scope live there) → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.monitoring import selectors, services
from jiuzhu.apps.monitoring.models import Alert
from jiuzhu.apps.monitoring.scan import monitor_scan_check
from jiuzhu.apps.regions.selectors import regions_in_scope
from jiuzhu.batch.datasets import DATASETS
from jiuzhu.rules.errors import DomainError, NotFound
from jiuzhu.rules.monitoring import (
    ALERT_TYPE_LABELS,
    ALERT_TYPES,
    CATEGORIES,
    DEPARTMENTS,
    DISPOSITION_HELP,
    DISPOSITIONS,
)

from . import jobs
from .common import roles_required, scoped

DISPOSE_FIELDS = ("disposition", "result", "departments")


def _filters(request) -> dict:
    g = request.GET
    page = g.get("page", "1")
    return {"type": g.get("type", "") if g.get("type", "") in ALERT_TYPE_LABELS else "",
            "status": g.get("status", "") if g.get("status", "") in Alert.Status.values else "",
            "overdue": g.get("overdue", "") == "1", "region": g.get("region", "")[:12],
            "page": int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1}


def _list_context(request, **extra) -> dict:
    f = _filters(request)
    today = timezone.localdate()
    rows, more = selectors.alerts_queue(actor=request.user, today=today, type=f["type"], status=f["status"],
                                        overdue=f["overdue"], region_code=f["region"], page=f["page"])
    counts = selectors.alert_counts(actor=request.user, region_code=f["region"])
    totals = {t: sum(c.values()) for t, c in counts.items()}
    params = request.GET.copy()
    params["page"] = f["page"] + 1
    return {"rows": rows, "more": more, "next_url": "?" + params.urlencode(), "filters": f, "today": today,
            "types": ALERT_TYPE_LABELS.items(), "statuses": Alert.Status.choices, "type_labels": ALERT_TYPE_LABELS,
            "categories": CATEGORIES, "dispositions": DISPOSITIONS, "chart": selectors.chart_data(counts),
            "table": [{"type": ALERT_TYPE_LABELS[t], "pending": counts[t].get("pending", 0),
                       **{k: counts[t].get(k, 0) for k in DISPOSITIONS}, "total": totals[t]} for t in counts],
            "townships": regions_in_scope(actor=request.user, level=4),
            "scans": selectors.scans_recent(actor=request.user, limit=5), "can_scan": can(request.user, "monitoring.scan"),
            "scan_error": "", **jobs.started_job(request), **extra}


@login_required
@roles_required("monitoring.read", "您的角色无权查看监测预警")
@require_GET
def alert_list(request):
    return render(request, "web/alert_list.html", _list_context(request))


@login_required
@roles_required("monitoring.scan", "您的角色不能发起监测扫描")
@scoped
@require_POST
def alert_scan(request):
    region = request.POST.get("region", "").strip()[:20] or (request.user.region_id or "")
    try:
        scope = monitor_scan_check(actor=request.user, region_code=region)
    except NotFound:
        raise
    except DomainError as exc:
        return render(request, "web/alert_list.html", _list_context(request, scan_error=exc.message),
                      status=exc.status)
    job = jobs.enqueue(request, kind="monitoring.scan", params={"region": scope.code}, region_code=scope.code)
    return redirect(jobs.with_job(reverse("web:alert_list"), job))


def _detail_context(request, alert, **extra) -> dict:
    source = DATASETS.get(alert.source)
    return {"a": alert, "today": timezone.localdate(), "type": ALERT_TYPES[alert.type],
            "source": f"{source.name}（{source.department}）" if source else alert.source,
            "category": CATEGORIES.get(alert.category, alert.category), "dispositions": DISPOSITIONS.items(),
            "disposition_help": DISPOSITION_HELP, "disposition_label": DISPOSITIONS.get(alert.disposition, ""),
            "suggested_label": DISPOSITIONS[alert.suggested], "departments": DEPARTMENTS.items(),
            "department_labels": DEPARTMENTS, "referrals": selectors.alert_referrals(actor=request.user, alert=alert),
            "can_dispose": can(request.user, "monitoring.dispose"), "errors": {}, "raw": {}, **extra}


def _errors(exc: DomainError, fields) -> dict:
    field = str(exc.details.get("field") or "")
    return {field: exc.message} if field in fields else {"general": exc.message}


@login_required
@roles_required("monitoring.read", "您的角色无权查看监测预警")
@scoped
@require_http_methods(["GET", "POST"])
def alert_detail(request, alert_id: int):
    alert = selectors.alert_get(actor=request.user, alert_id=alert_id)
    if request.method == "GET":
        return render(request, "web/alert_detail.html", _detail_context(request, alert))
    raw = {"disposition": request.POST.get("disposition", "").strip(), "result": request.POST.get("result", "").strip(),
           "departments": request.POST.getlist("departments")}
    data = {k: v for k, v in raw.items() if v or k == "result"}
    try:
        alert = services.alert_dispose(actor=request.user, alert_id=alert.pk, data=data, now=timezone.now())
    except NotFound:
        raise
    except DomainError as exc:
        alert = selectors.alert_get(actor=request.user, alert_id=alert_id)
        return render(request, "web/alert_detail.html",
                      _detail_context(request, alert, errors=_errors(exc, DISPOSE_FIELDS), raw=raw), status=exc.status)
    messages.success(request, f"预警已处置：{DISPOSITIONS[alert.disposition]}")
    return redirect("web:alert_detail", alert_id=alert.pk)


@login_required
@roles_required("monitoring.read", "您的角色无权查看监测预警")
@scoped
@require_POST
def alert_refer(request, alert_id: int):
    data = {"department": request.POST.get("department", "").strip(), "note": request.POST.get("note", "").strip()}
    try:
        services.referral_create(actor=request.user, alert_id=alert_id, data=data, now=timezone.now())
    except NotFound:
        raise
    except DomainError as exc:
        alert = selectors.alert_get(actor=request.user, alert_id=alert_id)
        return render(request, "web/alert_detail.html",
                      _detail_context(request, alert, errors={"refer": exc.message}, raw=data), status=exc.status)
    messages.success(request, f"已推送{DEPARTMENTS[data['department']] if data['department'] in DEPARTMENTS else ''}")
    return redirect("web:alert_detail", alert_id=alert_id)


@login_required
@roles_required("monitoring.read", "您的角色无权查看监测预警")
@scoped
@require_POST
def referral_feedback(request, alert_id: int, referral_id: int):
    alert = selectors.alert_get(actor=request.user, alert_id=alert_id)
    assisted = request.POST.get("assisted", "")
    data = {"feedback": request.POST.get("feedback", "").strip(),
            "feedback_on": request.POST.get("feedback_on", "").strip() or None}
    if assisted in ("1", "0"):
        data["assisted"] = assisted == "1"
    if not alert.referrals.filter(pk=referral_id).exists():
        raise NotFound("not_found", "推送记录不存在或不在您的管辖范围内")
    try:
        services.referral_feedback(actor=request.user, referral_id=referral_id, data=data, now=timezone.now())
    except NotFound:
        raise
    except DomainError as exc:
        return render(request, "web/alert_detail.html",
                      _detail_context(request, alert, errors={f"feedback-{referral_id}": exc.message}),
                      status=exc.status)
    messages.success(request, "已登记部门反馈")
    return redirect("web:alert_detail", alert_id=alert_id)
