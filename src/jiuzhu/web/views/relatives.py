"""The register of staff near relatives (近亲属备案, R-WF-03): the register page (a member of staff enters
their own relatives; the county imports a list from xlsx, with a preview, as a background job) and the
list of matches against the registry (by township). ID numbers are shown masked only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.enrollment.ledger_read import MAX_FILE_BYTES
from jiuzhu.apps.integrity import relatives, relatives_match
from jiuzhu.apps.integrity.relatives_import import COLUMNS, check_importer
from jiuzhu.apps.integrity.relatives_models import RELATIONS
from jiuzhu.apps.regions.selectors import regions_in_scope
from jiuzhu.rules.errors import DomainError

from . import jobs
from .common import forbidden, roles_required, scoped
from .integrity import _errors

FIELDS = ("name", "relation", "id_number")


def _township(request) -> str:
    value = request.GET.get("township", "").strip()[:12]
    return value if value.isdigit() else ""


def _context(request, **extra) -> dict:
    township = _township(request)
    rows = relatives.relatives_visible(actor=request.user, township=township)
    return {"rows": rows[:1000], "total": rows.count(), "township": township, "relations": list(RELATIONS.items()),
            "townships": regions_in_scope(actor=request.user, level=4) if can(request.user, "relatives.read") else [],
            "can_read": can(request.user, "relatives.read"), "can_declare": can(request.user, "relatives.declare"), "can_import": can(request.user, "relatives.import"),
            "columns": COLUMNS, "errors": {}, "raw": {}, "import_error": "", **jobs.started_job(request), **extra}


@login_required
@require_http_methods(["GET", "POST"])
def relative_list(request):
    if not (can(request.user, "relatives.declare") or can(request.user, "relatives.read")):
        return forbidden(request, "您的角色不能查看或登记近亲属")
    if request.method == "GET":
        return render(request, "web/relatives_list.html", _context(request))
    raw = {k: request.POST.get(k, "").strip()[:100] for k in FIELDS}
    try:
        relatives.relative_declare(actor=request.user, data=raw, now=timezone.now())
    except DomainError as exc:
        return render(request, "web/relatives_list.html", _context(request, errors=_errors(exc, FIELDS), raw=raw),
                      status=exc.status)
    return redirect("web:relative_list")


@login_required
@roles_required("relatives.declare", "您的角色不能登记近亲属")
@scoped
@require_POST
def relative_remove(request, relative_id: int):
    relatives.relative_remove(actor=request.user, relative_id=relative_id, now=timezone.now(),
                              reason=request.POST.get("reason", "").strip()[:200])
    return redirect("web:relative_list")


@login_required
@roles_required("relatives.import", "您的角色不能导入工作人员近亲属名单（须由县民政导入）")
@scoped
@require_POST
def relative_upload(request):
    """Upload the county's list (xlsx): checked here (role, a complete xlsx; a bad file is refused on the page
    and nothing is stored), then validated and imported — or only previewed — by a background job."""
    try:
        check_importer(request.user)
        token, path = jobs.upload_checked(request.FILES.get("file"), kind="xlsx", limit=MAX_FILE_BYTES, field="file",
                                         missing="请选择要导入的 xlsx 文件", default="relatives.xlsx")
    except DomainError as exc:
        return render(request, "web/relatives_list.html", _context(request, import_error=exc.message),
                      status=exc.status)
    return jobs.enqueue_upload(request, kind="integrity.relatives_import", region_code=request.user.region_id,
                               token=token, params={"filename": path.name,
                                                    "dry_run": request.POST.get("dry_run") == "on"},
                               back=reverse("web:relative_list"))


@login_required
@roles_required("relatives.read", "您的角色不能查看近亲属比对结果")
@require_GET
def relative_matches(request):
    township = _township(request)
    rows, total = relatives_match.relative_matches(actor=request.user, township=township)
    return render(request, "web/relatives_matches.html", {
        "rows": rows, "total": total, "township": township,
        "townships": regions_in_scope(actor=request.user, level=4)})
