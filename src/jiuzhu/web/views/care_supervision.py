"""Supervision of 特困 care (issue 16 §6): the quarter's figures by township with the evaluation and
督办 forms (page and xlsx), the county's spot check of a visit (from the person's page) and the phone
form of a satisfaction survey. Thin: parse → one selector or service → render."""

from __future__ import annotations

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.care import services, supervision
from jiuzhu.apps.care import supervision_selectors as sel
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules import care_supervision as rules
from jiuzhu.rules.errors import DomainError

from .care import _detail_context, _errors
from .common import roles_required, scoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["乡镇(街道)", "探访次数", "抽查次数", "抽查不符或无法核实", "满意度调查", "总体评分均值", "满意率",
           "评估优秀", "评估合格", "评估不合格", "督办次数"]
KEYS = ["name", "visits", "checks", "not_confirmed", "surveys", "mean", "satisfied", "excellent", "pass", "fail", "urges"]


def _quarter(request) -> tuple[str, object, dict]:
    today = timezone.localdate()
    label = request.GET.get("quarter") or rules.quarter_of(today)
    try:
        return label, rules.quarter_start(label), {}
    except DomainError as exc:
        return rules.quarter_of(today), rules.quarter_start(rules.quarter_of(today)), {"quarter": exc.message}


def _page(request, *, errors=None, raw=None, form="", status=200):
    label, start, quarter_errors = _quarter(request)
    today = timezone.localdate()
    rows = sel.figures(request.user, start)
    chart = {"categories": [r["name"] for r in rows],
             "series": [{"name": "探访次数", "data": [r["visits"] for r in rows]},
                        {"name": "抽查次数", "data": [r["checks"] for r in rows]},
                        {"name": "满意度调查", "data": [r["surveys"] for r in rows]}]}
    return render(request, "web/care_supervision.html", {
        "quarter": label, "start": start, "rows": rows, "chart": chart, "headers": HEADERS, "keys": KEYS,
        "townships": sel.townships(request.user), "subjects": sel.care_subjects(request.user),
        "evaluations": sel.evaluations(request.user, start), "checks": sel.recent_checks(request.user),
        "surveys": sel.recent_surveys(request.user), "urges": sel.urges(request.user, today),
        "subject_kinds": rules.SUBJECT_KINDS, "grades": rules.GRADES, "methods": rules.CHECK_METHODS,
        "results": rules.CHECK_RESULTS, "respondents": rules.RESPONDENTS,
        "errors": {**quarter_errors, **(errors or {})}, "raw": raw or {}, "form": form}, status=status)


@login_required
@roles_required("care.supervise", "您的角色无权查看监护照护督导情况")
@require_GET
def care_supervision(request):
    return _page(request)


@login_required
@roles_required("care.supervise", "您的角色无权导出监护照护督导情况")
@require_GET
def care_supervision_xlsx(request):
    label, start, _errors_ = _quarter(request)
    buf = BytesIO()
    wb = xlsx_workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("督导情况")
    ws.write_row(0, 0, HEADERS, bold)
    for i, row in enumerate(sel.figures(request.user, start), start=1):
        ws.write_row(i, 0, ["" if row[k] is None else row[k] for k in KEYS])
    ws.set_column(0, len(HEADERS) - 1, 14)
    ws2 = wb.add_worksheet("季度评估")
    ws2.write_row(0, 0, ["乡镇(街道)", "评估对象类型", "评估对象", "评分", "等级", "服务人数", "探访次数",
                         "照料人履责存在问题次数", "满意度调查", "评估意见"], bold)
    for i, ev in enumerate(sel.evaluations(request.user, start), start=1):
        f = ev.figures
        ws2.write_row(i, 0, [ev.region_id, rules.SUBJECT_KINDS[ev.subject_kind], ev.subject, ev.score,
                             rules.GRADES[ev.grade], f.get("persons", 0), f.get("visits", 0),
                             f.get("caregiver_problems", 0), f.get("surveys", 0), ev.note])
    ws2.set_column(0, 9, 16)
    wb.close()
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="care-supervision-{label}.xlsx"'
    return response


def _post(request, service, form: str, fields: tuple[str, ...]):
    data = {k: request.POST.get(k, "").strip() for k in fields}
    try:
        service(actor=request.user, data=data, now=timezone.now())
    except DomainError as exc:
        if exc.status == 403:
            raise
        return _page(request, errors=_errors(exc), raw=request.POST, form=form, status=400)
    quarter = request.POST.get("quarter") or request.GET.get("quarter") or ""
    return redirect(reverse("web:care_supervision") + (f"?quarter={quarter}" if quarter else "") + f"#{form}")


@login_required
@roles_required("care.evaluate", "您的角色不能登记季度评估（须由乡镇经办人或县民政办理）")
@require_POST
def care_evaluate(request):
    return _post(request, supervision.evaluation_record, "evaluate",
                 ("township", "quarter", "subject_kind", "subject", "score", "note"))


@login_required
@roles_required("care.urge", "您的角色不能督办未按期探访（须由县民政办理）")
@require_POST
def care_urge(request):
    return _post(request, supervision.urge_issue, "urge", ("township", "note"))


@login_required
@roles_required("care.check", "您的角色不能抽查探视巡访（须由县民政或纪检监察人员办理）")
@scoped
@require_POST
def care_visit_check(request, visit_id: int):
    from jiuzhu.apps.care.models import Visit

    data = {k: request.POST.get(k, "").strip() for k in ("checked_on", "method", "result", "note")}
    try:
        check = supervision.visit_check_record(actor=request.user, visit_id=visit_id, data=data, now=timezone.now())
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        visit = Visit.objects.select_related("profile").get(pk=visit_id)  # found in scope by the service
        profile = services.profile_get(actor=request.user, enrollment_id=visit.profile.enrollment_id)
        return render(request, "web/care_detail.html", _detail_context(
            request, profile, check_errors={"for": visit.pk, **_errors(exc)}, raw=request.POST), status=400)
    return redirect(reverse("web:care_detail", args=[check.visit.profile.enrollment_id]) + f"#visit-{visit_id}")


@login_required
@roles_required("care.satisfaction", "您的角色不能登记满意度调查（须由村(居)协理员、乡镇经办人或县民政办理）")
@scoped
@require_http_methods(["GET", "POST"])
def care_satisfaction(request, enrollment_id: int):
    profile = services.profile_get(actor=request.user, enrollment_id=enrollment_id)
    ctx = {"p": profile, "person": profile.person, "today": timezone.localdate(), "errors": {}, "raw": {},
           "items": rules.SURVEY_ITEMS, "scores": rules.SCORES, "respondents": rules.RESPONDENTS}
    if request.method == "GET":
        return render(request, "web/care_satisfaction.html", ctx)
    post = request.POST
    scores = {}
    for code in rules.SURVEY_ITEMS:
        raw = post.get(f"score_{code}", "").strip()
        if raw:
            scores[code] = int(raw) if raw.lstrip("-").isdigit() and len(raw) < 4 else -1
    data = {"surveyed_on": post.get("surveyed_on", ""), "respondent": post.get("respondent", ""), "scores": scores,
            "comment": post.get("comment", "").strip()}
    try:
        supervision.survey_record(actor=request.user, enrollment_id=enrollment_id, data=data, now=timezone.now())
    except DomainError as exc:
        if exc.status == 403:
            raise
        return render(request, "web/care_satisfaction.html", {**ctx, "errors": _errors(exc), "raw": post}, status=400)
    return redirect(reverse("web:care_detail", args=[enrollment_id]) + "#surveys")
