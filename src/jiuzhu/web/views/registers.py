"""The 低保证/特困证 register (list + xlsx) and the county filing list (报县备案: new approvals and exits,
综合改革 plan 二(二)). Thin: parse → one selector or service → render; scope lives in the selectors."""

from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.enrollment import certificate_selectors as certs
from jiuzhu.apps.enrollment import filings as filing
from jiuzhu.apps.regions.selectors import regions_in_scope
from jiuzhu.rules.certificate import CERTIFICATE_NAMES
from jiuzhu.rules.errors import DomainError, NotFound

from .common import roles_required, scoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRAM_LABELS = {"dibao": "低保", "tekun": "特困"}


def _cert_filters(request) -> dict:
    g = request.GET
    page = g.get("page", "1")
    return {"program": g.get("program", "") if g.get("program", "") in CERTIFICATE_NAMES else "",
            "status": g.get("status", "") if g.get("status", "") in certs.STATUS_LABELS else "",
            "region_code": g.get("region", "").strip()[:12], "number": g.get("number", "").strip()[:24],
            "page": int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1}


@login_required
@roles_required("certificate.read", "您的角色无权查看低保证/特困证登记")
@scoped
@require_GET
def certificate_register(request):
    f = _cert_filters(request)
    rows, more = certs.certificates_search(actor=request.user, **f)
    params = request.GET.copy()
    params["page"] = f["page"] + 1
    return render(request, "web/certificate_register.html", {
        "rows": rows, "more": more, "next_url": "?" + params.urlencode(), "filters": f,
        "names": CERTIFICATE_NAMES, "status_labels": certs.STATUS_LABELS,
        "regions": [*regions_in_scope(actor=request.user, level=4), *regions_in_scope(actor=request.user, level=5)]})


@login_required
@roles_required("certificate.read", "您的角色无权导出低保证/特困证登记")
@scoped
@require_GET
def certificate_export(request):
    f = _cert_filters(request)
    buffer = BytesIO()
    certs.certificates_export(actor=request.user, out=buffer, program=f["program"], status=f["status"],
                              region_code=f["region_code"], today=timezone.localdate())
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="certificates.xlsx"'
    return response


@login_required
@roles_required("filing.read", "您的角色无权查看报县备案清单")
@scoped
@require_GET
def filing_list(request):
    today = timezone.localdate()
    status = request.GET.get("status", "")
    status = status if status in filing.FILING_STATUSES else ""
    region = request.GET.get("region", "").strip()[:12]
    rows = filing.filings(actor=request.user, today=today, status=status, region_code=region)
    return render(request, "web/filing_list.html", {
        "rows": [{"f": r, "status": r.status(today), "status_label": filing.FILING_STATUSES[r.status(today)],
                  "program": PROGRAM_LABELS.get(r.program, r.program)} for r in rows],
        "today": today, "status": status, "statuses": filing.FILING_STATUSES.items(),
        "can_file": can(request.user, "filing.record")})


@login_required
@roles_required("filing.record", "您的角色不能报县备案（须由乡镇经办人办理）")
@scoped
@require_POST
def filing_record(request, change_id: int):
    try:
        filing.exit_file_record(actor=request.user, change_id=change_id, now=timezone.now())
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:filing_list")
    messages.success(request, "已报县备案")
    return redirect("web:filing_list")
