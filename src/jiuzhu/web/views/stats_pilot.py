"""The pilot evaluation report page (试点评估报告, /dashboard/pilot-report/, issue 17 §4): the county
chooses the period (mid-term, final, the 20 December 审核时长 report or a custom range of months),
sees the figures, charts and tables of the five sections with an editable text per section
(prefilled with a generated sentence), saves the text as a draft and exports PDF or xlsx."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.stats.pilot_period import KIND_NOTES, KINDS
from jiuzhu.apps.stats.pilot_report import SECTIONS
from jiuzhu.apps.stats.pilot_report_export import pilot_report, pilot_report_export, pilot_report_save
from jiuzhu.rules.errors import DomainError, Forbidden, NotFound

from .common import roles_required, scoped

TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
PERIOD_FIELDS = ("kind", "year", "start", "end")


def _errors(exc: DomainError) -> dict:
    listed = exc.details.get("errors") or [{"field": exc.details.get("field") or "kind", "message": exc.message}]
    out: dict = {}
    for e in listed:
        out.setdefault(str(e["field"]), e["message"])
    return out


@login_required
@roles_required("dashboard.read", "您的角色无权查看试点评估报告")
@scoped
@require_http_methods(["GET", "POST"])
def stats_pilot(request):
    user, today, now = request.user, timezone.localdate(), timezone.now()
    source = request.POST if request.method == "POST" else request.GET
    raw = {k: source.get(k, "").strip()[:20] for k in PERIOD_FIELDS}
    raw["kind"] = raw["kind"] or "final"
    raw["year"] = raw["year"] or ("" if raw["kind"] == "custom" else str(today.year))
    ctx = {"raw": raw, "kinds": [(k, label, KIND_NOTES[k]) for k, label in KINDS.items()], "errors": {},
           "report": None, "can_edit": can(user, "stats.report_edit")}
    try:
        if request.method == "POST":
            texts = {k: request.POST.get(f"text_{k}", "") for k, _t in SECTIONS}
            try:
                draft = pilot_report_save(actor=user, raw=raw, texts=texts, now=now, today=today)
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                report, saved = pilot_report(actor=user, raw=raw, today=today)
                for s in report.sections:
                    s.text = texts.get(s.key, s.text)
                ctx.update(report=report, draft=saved, errors=_errors(exc))
                return render(request, "web/stats_pilot.html", ctx, status=exc.status)
            messages.success(request, f"已保存报告草稿（{draft.updated_at:%Y-%m-%d %H:%M}）")
            return redirect(f"{reverse('web:stats_pilot')}?{_query(raw)}")
        report, draft = pilot_report(actor=user, raw=raw, today=today)
        fmt = request.GET.get("format", "")
        if fmt:
            content = pilot_report_export(actor=user, report=report, fmt=fmt, now=now, today=today)
            response = HttpResponse(content, content_type=TYPES[fmt])
            name = f"pilot_report_{report.period.kind}_{report.period.start:%Y%m}_{report.period.end:%Y%m}.{fmt}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        ctx["errors"] = _errors(exc)
        return render(request, "web/stats_pilot.html", ctx, status=exc.status)
    ctx.update(report=report, draft=draft, query=report.period.query)
    return render(request, "web/stats_pilot.html", ctx)


def _query(raw: dict) -> str:
    return urlencode({k: raw[k] for k in PERIOD_FIELDS if raw.get(k)})
