"""Enrollments (在保对象): list, detail with change and payment history, change forms, the 附件9
notice, and scheduling a recheck. Thin: parse → authorize (scope lives in the selectors) → one
service/selector → render."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.cases.models import PROGRAMS
from jiuzhu.apps.enrollment import selectors, services
from jiuzhu.apps.enrollment.certificate_selectors import certificate_history
from jiuzhu.apps.enrollment.documents import change_has_notice, change_notice_pdf
from jiuzhu.apps.enrollment.inputs import INPUTS
from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange
from jiuzhu.apps.payments import selectors as payment_selectors
from jiuzhu.rules.errors import DomainError, NotFound, ValidationFailed
from jiuzhu.rules.workflow.enrollment import LEGAL_GROUNDS, STATUS_LABELS, TRANSITIONS

from .. import case_forms
from ..forms import parse_int
from .common import scoped

LIST_PAGE_SIZE = 50
RECHECK_FILTERS = {"due": "30 天内到期", "overdue": "已过复核日期"}
CHANGE_LABELS = dict(EnrollmentChange.Kind.choices)
PAYMENT_STATUS = {"pending": "待发放", "paid": "已发放", "failed": "发放失败"}


def _after(request) -> int | None:
    value = parse_int(request.GET.get("after"))
    return value if value and 0 < value < 2**63 else None


@login_required
@require_GET
def enrollment_list(request):
    f = {k: request.GET.get(k, "").strip()[:50] for k in ("program", "status", "klass", "name", "recheck")}
    f["program"] = f["program"] if f["program"] in dict(PROGRAMS) else ""
    f["status"] = f["status"] if f["status"] in STATUS_LABELS else ""
    f["klass"] = f["klass"] if f["klass"] in ("A", "B", "C", "D") else ""
    f["recheck"] = f["recheck"] if f["recheck"] in RECHECK_FILTERS else ""
    today = timezone.localdate()
    rows = selectors.enrollments_search(actor=request.user, today=today, limit=LIST_PAGE_SIZE + 1,
                                        after=_after(request), **f)
    more, rows = len(rows) > LIST_PAGE_SIZE, rows[:LIST_PAGE_SIZE]
    params = {k: v for k, v in f.items() if v}
    return render(request, "web/enrollment_list.html", {
        "rows": rows, "filters": f, "today": today, "paged": bool(request.GET.get("after")),
        "next_url": "?" + urlencode({**params, "after": rows[-1].pk}) if more and rows else "",
        "first_url": "?" + urlencode(params), "programs": PROGRAMS, "statuses": STATUS_LABELS.items(),
        "recheck_filters": RECHECK_FILTERS.items(), "program_labels": dict(PROGRAMS),
        "status_labels": STATUS_LABELS,
        "export_query": urlencode({k: v for k, v in params.items() if k != "recheck"}),
    })


def _detail_context(request, e: Enrollment) -> dict:
    today = timezone.localdate()
    changes = selectors.enrollment_changes(enrollment=e)
    allowed = selectors.allowed_changes(actor=request.user, enrollment=e)
    certificate, certificate_issues = certificate_history(enrollment=e)
    return {
        "certificate": certificate, "certificate_issues": certificate_issues,
        "e": e, "today": today, "program_label": dict(PROGRAMS).get(e.program, e.program),
        "status_label": STATUS_LABELS.get(e.status, e.status),
        "changes": [{"c": c, "label": CHANGE_LABELS.get(c.kind, c.kind), "notice": change_has_notice(c),
                     "old_status": STATUS_LABELS.get(c.old_status, c.old_status),
                     "new_status": STATUS_LABELS.get(c.new_status, c.new_status)} for c in changes],
        "payments": [{**p, "status_label": PAYMENT_STATUS.get(p["status"], p["status"])}
                     for p in payment_selectors.enrollment_payments(enrollment=e)],
        "actions": [(k, TRANSITIONS[k].label) for k in allowed],
        "recheck": selectors.enrollment_open_recheck(enrollment=e),
        "can_schedule": bool(allowed) and e.status in Enrollment.LIVE,
        "this_month": selectors.terms_for_month(e, today),
    }


@login_required
@scoped
@require_GET
def enrollment_detail(request, enrollment_id: int):
    e = selectors.enrollment_get(actor=request.user, enrollment_id=enrollment_id)
    return render(request, "web/enrollment_detail.html", _detail_context(request, e))


def _form_context(e, kind, *, raw, errors, version) -> dict:
    specs = case_forms.specs_for(INPUTS[kind])
    return {"e": e, "kind": kind, "label": TRANSITIONS[kind].label, "version": version, "errors": errors,
            "fields": case_forms.bind(specs, raw, errors.fields),
            "default_ground": LEGAL_GROUNDS.get((e.program, kind), "")}


@login_required
@scoped
@require_http_methods(["GET", "POST"])
def enrollment_change(request, enrollment_id: int, kind: str):
    if kind not in TRANSITIONS:
        raise NotFound("enrollment.unknown_change", f"未知的变更类型：{kind}")
    e = selectors.enrollment_get(actor=request.user, enrollment_id=enrollment_id)
    specs = case_forms.specs_for(INPUTS[kind])
    if request.method == "GET":
        errors = case_forms.ActionErrors()
        if kind not in selectors.allowed_changes(actor=request.user, enrollment=e):
            errors.general.append(f"在保状态为“{STATUS_LABELS.get(e.status, e.status)}”或您的角色不能{TRANSITIONS[kind].label}")
        ctx = _form_context(e, kind, raw=case_forms.initial_values(specs), errors=errors, version=e.version)
        ctx["show_form"] = not errors
        return render(request, "web/enrollment_change.html", ctx, status=200 if not errors else 409)
    payload, raw = case_forms.parse(specs, request.POST)
    version = parse_int(request.POST.get("version"))
    try:
        change = services.enrollment_change(actor=request.user, enrollment_id=e.pk, kind=kind, data=payload,
                                            now=timezone.now(), version=version)
    except NotFound:
        raise
    except DomainError as exc:
        errors = case_forms.ActionErrors(exc, specs)
        ctx = _form_context(e, kind, raw=raw, errors=errors, version=version)
        ctx["show_form"] = isinstance(exc, ValidationFailed)
        return render(request, "web/enrollment_change.html", ctx, status=exc.status)
    messages.success(request, f"已{TRANSITIONS[kind].label}，自 {change.effective_month:%Y年%m月} 起执行")
    return redirect("web:enrollment_detail", enrollment_id=e.pk)


@login_required
@scoped
@require_POST
def enrollment_schedule(request, enrollment_id: int):
    try:
        case = services.enrollment_schedule_recheck(actor=request.user, enrollment_id=enrollment_id,
                                                    data={"reason": request.POST.get("reason", "").strip()},
                                                    now=timezone.now())
    except NotFound:
        raise
    except DomainError as exc:
        e = selectors.enrollment_get(actor=request.user, enrollment_id=enrollment_id)
        ctx = _detail_context(request, e)
        ctx["schedule_error"] = exc.message
        return render(request, "web/enrollment_detail.html", ctx, status=exc.status)
    return redirect("web:case_detail", case_id=case.pk)


@login_required
@scoped
@require_GET
def change_notice(request, change_id: int):
    change = selectors.change_get(actor=request.user, change_id=change_id)
    filename, pdf = change_notice_pdf(change=change, today=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (f"attachment; filename=\"notice-{change.pk}.pdf\"; "
                                       f"filename*=UTF-8''{quote(filename)}")
    response["Cache-Control"] = "private, no-store"
    return response

