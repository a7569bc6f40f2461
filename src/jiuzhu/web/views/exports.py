"""xlsx exports with the list pages' filters (GET, so a list's query string is reused as is): masked
ID numbers by default, ``full=1`` for roles that may see full numbers (audited). A large export is
offered as a background job (POST from the page that says how many rows), downloaded by its requester."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from jiuzhu.apps.cases.case_filters import parse_filters
from jiuzhu.apps.exports import services
from jiuzhu.apps.jobs.selectors import job_get
from jiuzhu.rules.errors import DomainError

from . import jobs
from .common import error_page, scoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(handle, name: str) -> FileResponse:
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def export(request, kind: str):
    source = request.POST if request.method == "POST" else request.GET
    full = source.get("full") in ("1", "on")
    try:
        services.export_check(actor=request.user, kind=kind, full=full)
        filters, extra = parse_filters(request.user, source), services.parse_extra(kind, source)
        if request.method == "POST":
            job = jobs.enqueue(request, kind=services.EXPORT_JOB, region_code=None,
                               params=services.job_params(kind=kind, filters=filters, extra=extra, full=full))
            return redirect("web:job_detail", job_id=job.pk)
        count = services.export_count(actor=request.user, kind=kind, filters=filters, extra=extra)
        if count > services.INLINE_ROWS:
            return render(request, "web/export_large.html", {
                "kind": kind, "label": services.KINDS[kind], "count": count, "limit": services.INLINE_ROWS,
                "params": {**filters.as_params(), **extra, **({"full": "1"} if full else {})}})
        out, name, _ = services.export_xlsx(actor=request.user, kind=kind, filters=filters, extra=extra, full=full)
    except DomainError as exc:
        if exc.status in (403, 404):
            return error_page(request, exc.status, exc.message)
        return render(request, "web/export_error.html", {"message": exc.message, "errors": exc.details.get("errors", [])},
                      status=exc.status)
    return _file(out, name)


@login_required
@scoped
@require_GET
def export_download(request, job_id: int):
    job = job_get(actor=request.user, job_id=job_id)
    path, name = services.export_file(actor=request.user, job=job)
    return _file(open(path, "rb"), name)  # noqa: SIM115 - closed by the response
