"""在保对象台账 (the enrollment ledger as xlsx, layout in docs/ledger-xlsx.md): the page to upload a ledger
(imported by a background job, all rows or none, errors by row and column on this page) and to download
the current ledger (masked; the full numbers for roles that may see them, audited). The same services as
``jiuzhu ledger import`` / ``export``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.enrollment.ledger_columns import COLUMNS
from jiuzhu.apps.enrollment.ledger_export import ledger_export
from jiuzhu.apps.enrollment.ledger_import import check_importer
from jiuzhu.apps.enrollment.ledger_read import MAX_FILE_BYTES
from jiuzhu.apps.regions.selectors import regions_in_scope
from jiuzhu.rules.errors import DomainError, NotFound

from . import jobs
from .common import roles_required, scoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _regions(user) -> list:
    """The regions a ledger can be imported into or exported from: the user's own and its townships."""
    own = list(regions_in_scope(actor=user).filter(code=user.region_id))
    return own + [r for r in regions_in_scope(actor=user, level=4) if r.code != user.region_id]


def _page(request, *, error: str = "", status: int = 200, field: str = ""):
    return render(request, "web/ledger.html", {
        "regions": _regions(request.user), "columns": COLUMNS, "error": error, "error_field": field,
        "can_full": can(request.user, "pii.view_full"), "selected": request.POST.get("region", "") or request.user.region_id,
        **jobs.started_job(request)}, status=status)


@login_required
@roles_required("enrollment.ledger_import", "您的角色无权导入或导出在保对象台账（须由乡镇经办人或县民政办理）")
@scoped
@require_GET
def ledger_page(request):
    return _page(request)


@login_required
@roles_required("enrollment.ledger_import", "您的角色无权导入在保对象台账（须由乡镇经办人或县民政办理）")
@scoped
@require_POST
def ledger_upload(request):
    region = request.POST.get("region", "").strip()[:12] or (request.user.region_id or "")
    try:
        check_importer(request.user, region)
        token, path = jobs.upload_checked(request.FILES.get("file"), kind="xlsx", limit=MAX_FILE_BYTES, field="file",
                                         missing="请选择要导入的台账文件（.xlsx）", default="ledger.xlsx")
    except NotFound:
        raise
    except DomainError as exc:
        return _page(request, error=exc.message, status=exc.status, field=str(exc.details.get("field") or ""))
    return jobs.enqueue_upload(request, kind="enrollment.ledger_import", region_code=region, token=token,
                               params={"region": region, "filename": path.name,
                                       "dry_run": request.POST.get("dry_run") == "on"}, back=reverse("web:ledger"))


@login_required
@roles_required("enrollment.ledger_import", "您的角色无权导出在保对象台账（须由乡镇经办人或县民政办理）")
@scoped
@require_GET
def ledger_download(request):
    region = request.GET.get("region", "").strip()[:12] or (request.user.region_id or "")
    full = request.GET.get("full") == "on"
    tmp = tempfile.NamedTemporaryFile(prefix="jiuzhu-ledger-", suffix=".xlsx")  # removed when the response closes
    try:
        result = ledger_export(actor=request.user, region_code=region, path=Path(tmp.name), full=full)
    except NotFound:
        tmp.close()
        raise
    except DomainError as exc:
        tmp.close()
        messages.error(request, f"导出失败：{exc.message}")
        return redirect("web:ledger")
    if result["skipped"]:
        messages.warning(request, f"注意：{len(result['skipped'])} 户有在保记录无法按台账格式导出，请在系统中核实")
    response = FileResponse(open(tmp.name, "rb"), content_type=XLSX, as_attachment=True,
                            filename=f"在保对象台账_{region}{'_完整' if full else ''}.xlsx")
    response._resource_closers.append(tmp.close)
    response["Cache-Control"] = "no-store"
    return response
