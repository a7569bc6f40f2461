"""低收入和支出型贫困家庭认定 (年审 plan 四(三)) pages: the households to discover and the form that starts
a recognition, the 台账 with its xlsx and 清退, and the 年审 recheck tasks. The case itself runs on the
case pages (/cases/<id>/). Thin: parse → one selector or service → render."""

from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.lowincome import selectors, services
from jiuzhu.apps.lowincome.ledger import ledger_export, status_of
from jiuzhu.apps.monitoring.models import LowIncomeEntry
from jiuzhu.apps.monitoring.register_selectors import register_household
from jiuzhu.apps.regions.scope import scope_filter
from jiuzhu.apps.reviews.selectors import campaign_get, campaigns_visible
from jiuzhu.rules import lowincome as rules
from jiuzhu.rules.errors import DomainError, NotFound
from jiuzhu.rules.workflow.lowincome import LOWINC

from .common import roles_required, scoped

START_FIELDS = ("household", "source", "source_note", "id_checked", "authorization_signed", "note")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(exc: DomainError, fields) -> dict:
    out: dict = {}
    for e in exc.details.get("errors") or [{"field": exc.details.get("field", ""), "message": exc.message}]:
        key = str(e.get("field") or "")
        out.setdefault(key if key in fields else "general", e["message"])
    return out


def _home(request, **extra) -> dict:
    today = timezone.localdate()
    cases = scope_filter(Case.objects.filter(program=LOWINC, is_open=True), request.user)
    ledger = list(selectors.ledger_rows(actor=request.user, today=today)[:200])
    return {"discovered": selectors.discovery(actor=request.user, today=today), "sources": rules.SOURCES.items(),
            "source_labels": rules.SOURCES, "open_cases": list(cases.select_related("household").order_by("-id")[:100]),
            "ledger": [{"e": e, "status": status_of(e, today)} for e in ledger],
            "categories": rules.CATEGORY_WORDS, "can_start": can(request.user, "case.submit"),
            "errors": {}, "raw": {}, **extra}


@login_required
@roles_required("lowincome.read", "您的角色无权查看低收入家庭认定")
@scoped
@require_GET
def recognition_home(request):
    return render(request, "web/lowincome_recognition.html", _home(request))


@login_required
@roles_required("case.submit", "您的角色不能发起低收入家庭认定（须由村(居)协理员或乡镇经办人办理）")
@scoped
@require_POST
def recognition_start(request):
    raw = {k: request.POST.get(k, "").strip() for k in START_FIELDS}
    try:
        household = register_household(actor=request.user, ref=raw["household"])
        case = services.lowincome_start(
            actor=request.user, household_id=household.pk, applicant_id=household.head_id, source=raw["source"],
            source_note=raw["source_note"], now=timezone.now(),
            payload={"id_checked": raw["id_checked"] == "on", "authorization_signed": raw["authorization_signed"] == "on",
                     "note": raw["note"]})
    except DomainError as exc:
        errors = {"household": exc.message} if isinstance(exc, NotFound) else _errors(exc, START_FIELDS)
        return render(request, "web/lowincome_recognition.html", _home(request, errors=errors, raw=raw),
                      status=exc.status)
    messages.success(request, f"已发起低收入家庭认定：{case.number}")
    return redirect("web:case_detail", case_id=case.pk)


@login_required
@roles_required("lowincome.read", "您的角色无权导出低收入家庭台账")
@scoped
@require_GET
def ledger_download(request):
    buffer = BytesIO()
    ledger_export(actor=request.user, out=buffer, today=timezone.localdate())
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="lowincome_ledger.xlsx"'
    return response


@login_required
@roles_required("lowincome.register", "您的角色不能清退低收入家庭")
@scoped
@require_http_methods(["GET", "POST"])
def entry_remove(request, entry_id: int):
    entry = scope_filter(LowIncomeEntry.objects.filter(pk=entry_id), request.user).select_related("household").first()
    if entry is None:
        raise NotFound("not_found", "登记不存在或不在您的管辖范围内")
    ctx = {"entry": entry, "reasons": rules.REMOVAL_REASONS.items(), "errors": {}, "raw": {}}
    if request.method == "GET":
        return render(request, "web/lowincome_remove.html", ctx)
    raw = {"reason": request.POST.get("reason", ""), "note": request.POST.get("note", "").strip()}
    try:
        services.lowincome_remove(actor=request.user, entry_id=entry_id, reason=raw["reason"], note=raw["note"],
                                  now=timezone.now())
    except DomainError as exc:
        return render(request, "web/lowincome_remove.html", {**ctx, "errors": _errors(exc, ("reason", "note")),
                                                            "raw": raw}, status=exc.status)
    messages.success(request, f"已清退：{entry.household.head_name}户（{entry.household.number}）")
    return redirect("web:lowincome_home")


def _rechecks(request, **extra) -> dict:
    campaigns = campaigns_visible(actor=request.user)
    return {"campaigns": campaigns, "tasks": list(selectors.rechecks(actor=request.user)[:500]),
            "outcomes": rules.RECHECK_OUTCOMES.items(), "reasons": rules.REMOVAL_REASONS.items(),
            "categories": rules.CATEGORY_WORDS, "can_decide": can(request.user, "review.schedule"),
            "errors": {}, "raw": {}, **extra}


@login_required
@roles_required("lowincome.read", "您的角色无权查看低收入家庭年审复核")
@scoped
@require_http_methods(["GET", "POST"])
def recheck_list(request):
    """GET: the tasks; POST: give the chosen 年审 a task per recognized household (lowincome_review_tasks)."""
    if request.method == "GET":
        return render(request, "web/lowincome_rechecks.html", _rechecks(request))
    try:
        campaign = campaign_get(actor=request.user, campaign_id=request.POST.get("campaign", ""))
        n = services.lowincome_review_tasks(actor=request.user, campaign_id=campaign.pk, now=timezone.now())
    except DomainError as exc:
        return render(request, "web/lowincome_rechecks.html",
                      _rechecks(request, errors={"campaign": exc.message}), status=exc.status)
    messages.success(request, f"已为 {campaign} 生成低收入家庭复核任务 {n} 项")
    return redirect("web:lowincome_rechecks")


@login_required
@roles_required("review.schedule", "您的角色不能作出年审复核结论")
@scoped
@require_POST
def recheck_decide(request, recheck_id: int):
    raw = {k: request.POST.get(k, "").strip() for k in ("outcome", "reason", "note")}
    try:
        services.lowincome_recheck_decide(actor=request.user, recheck_id=recheck_id, now=timezone.now(), **raw)
    except NotFound:
        raise
    except DomainError as exc:
        errors = {"task": recheck_id, **_errors(exc, ("outcome", "reason", "note"))}
        return render(request, "web/lowincome_rechecks.html", _rechecks(request, errors=errors, raw=raw),
                      status=exc.status)
    messages.success(request, "已作出复核结论")
    return redirect("web:lowincome_rechecks")
