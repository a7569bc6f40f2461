"""xlsx exports with the case list's filters (GET, so the list's query string is reused as is):
masked ID numbers by default, ``full=1`` for roles that may see full numbers (audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiuzhu.apps.cases.case_filters import parse_filters
from jiuzhu.apps.exports.services import export_xlsx, parse_extra
from jiuzhu.rules.errors import DomainError

from .common import error_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def export(request, kind: str):
    try:
        filters = parse_filters(request.user, request.GET)
        out, name, _ = export_xlsx(actor=request.user, kind=kind, filters=filters, extra=parse_extra(kind, request.GET),
                                   full=request.GET.get("full") in ("1", "on"))
    except DomainError as exc:
        if exc.status in (403, 404):
            return error_page(request, exc.status, exc.message)
        return render(request, "web/export_error.html", {"message": exc.message, "field": exc.details.get("field", ""),
                                                          "errors": exc.details.get("errors", [])}, status=exc.status)
    response = FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
