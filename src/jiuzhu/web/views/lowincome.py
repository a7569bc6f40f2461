"""低收入人口登记 (the register of 低保边缘、刚性支出困难、临时救助 households, under 预警): the list in the
user's scope with filters, the form to register one household, the xlsx upload (all rows or none, the
errors by row and column) and the xlsx export. Thin: parse → one selector or service → render."""

from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.enrollment.ledger_read import MAX_FILE_BYTES
from jiuzhu.apps.monitoring import register_selectors as selectors
from jiuzhu.apps.monitoring import services
from jiuzhu.apps.monitoring.models import REGISTER_CATEGORIES
from jiuzhu.apps.monitoring.register_columns import COLUMNS
from jiuzhu.apps.monitoring.register_export import register_export
from jiuzhu.apps.monitoring.register_import import check_registrar
from jiuzhu.apps.regions.selectors import regions_in_scope
from jiuzhu.rules.errors import DomainError, NotFound, ValidationFailed
from jiuzhu.rules.monitoring import CATEGORIES

from . import jobs
from .common import forbidden, roles_required, scoped

FORM_FIELDS = ("household", "category", "recognized_on", "valid_until", "note")
SHOWN_ERRORS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request) -> dict:
    g = request.GET
    page = g.get("page", "1")
    return {"category": g.get("category", "") if g.get("category", "") in REGISTER_CATEGORIES else "",
            "region": g.get("region", "")[:12], "validity": g.get("validity", "")
            if g.get("validity", "") in selectors.VALIDITY else "",
            "page": int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1}


def _context(request, **extra) -> dict:
    f = _filters(request)
    today = timezone.localdate()
    rows, more, since = selectors.register_entries(actor=request.user, today=today, category=f["category"],
                                                   region_code=f["region"], validity=f["validity"], page=f["page"])
    params = request.GET.copy()
    params["page"] = f["page"] + 1
    return {"rows": [{"e": e, "valid": selectors.entry_valid(e, today, since)} for e in rows], "more": more,
            "next_url": "?" + params.urlencode(), "filters": f, "today": today, "since": since,
            "categories": [(c, CATEGORIES[c]) for c in REGISTER_CATEGORIES], "category_labels": CATEGORIES,
            "validities": selectors.VALIDITY.items(), "villages": regions_in_scope(actor=request.user, level=5),
            "can_register": can(request.user, "lowincome.register"), "columns": COLUMNS, "errors": {}, "raw": {},
            "import_errors": [], "import_more": 0, **jobs.started_job(request), **extra}


@login_required
@roles_required("lowincome.read", "您的角色无权查看低收入人口登记")
@scoped
@require_http_methods(["GET", "POST"])
def register_list(request):
    if request.method == "GET":
        return render(request, "web/lowincome_register.html", _context(request))
    if not can(request.user, "lowincome.register"):
        return forbidden(request, "您的角色不能登记低收入人口（须由村(居)协理员、乡镇经办人或县民政办理）")
    raw = {k: request.POST.get(k, "").strip() for k in FORM_FIELDS}
    try:
        household = selectors.register_household(actor=request.user, ref=raw["household"])
        data = {"household": household.pk, "category": raw["category"], "recognized_on": raw["recognized_on"],
                "valid_until": raw["valid_until"] or None, "note": raw["note"]}
        entry = services.lowincome_register(actor=request.user, data=data, now=timezone.now())
    except DomainError as exc:
        field = str(exc.details.get("field") or "")
        status = exc.status
        if isinstance(exc, NotFound):
            field = "household"
        errors = {field: exc.message} if field in FORM_FIELDS else {"general": exc.message}
        return render(request, "web/lowincome_register.html", _context(request, errors=errors, raw=raw), status=status)
    messages.success(request, f"已登记：{entry.household.head_name}户（{entry.household.number}）"
                              f"为{CATEGORIES[entry.category]}")
    return redirect("web:register_list")


@login_required
@roles_required("lowincome.register", "您的角色不能导入低收入人口登记")
@scoped
@require_POST
def register_upload(request):
    """Upload a register list (xlsx): the same service as ``jiuzhu monitor register-import``, run as a
    background job (the page shows its progress, then the result or the errors by row and column). The
    region, the role and the file itself are checked here; a bad one is refused on the page and nothing
    is stored."""
    upload = request.FILES.get("file")
    region = request.POST.get("region", "").strip()[:12] or (request.user.region_id or "")
    try:
        code = check_registrar(request.user, region)
        token, path = jobs.upload_checked(upload, kind="xlsx", limit=MAX_FILE_BYTES, field="file",
                                         missing="请选择要导入的 xlsx 文件", default="register.xlsx")
    except NotFound:
        raise
    except DomainError as exc:
        return render(request, "web/lowincome_register.html", _context(request, import_error=exc.message),
                      status=exc.status)
    return jobs.enqueue_upload(request, kind="monitoring.register_import", region_code=code, token=token,
                               params={"region": code, "filename": path.name}, back=reverse("web:register_list"))


@login_required
@roles_required("lowincome.read", "您的角色无权导出低收入人口登记")
@scoped
@require_GET
def register_download(request):
    region = request.GET.get("region", "").strip()[:12] or (request.user.region_id or "")
    buffer = BytesIO()
    try:
        register_export(actor=request.user, region_code=region, out=buffer)
    except ValidationFailed as exc:
        messages.error(request, f"导出失败：{exc.message}")
        return redirect("web:register_list")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="lowincome_register_{region}.xlsx"'
    return response
