"""工作日历 (admin and county): each year official or provisional, the provisional days off, and the
upload of a year's official schedule (checked, idempotent; moved deadlines are listed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jiuzhu.apps.workcalendar import selectors
from jiuzhu.apps.workcalendar.services import calendar_import
from jiuzhu.rules.errors import DomainError, ValidationFailed
from jiuzhu.rules.holidays import provisional_year
from jiuzhu.rules.workflow.states import STEP_LABELS

from .common import roles_required

MAX_BYTES = 256 * 1024
SHOWN_ERRORS = 100


def _context(today, **extra) -> dict:
    years = selectors.calendar_years()
    provisional = [r["year"] for r in years if r["status"] == "provisional"]
    shown = [y for y in provisional if y <= today.year + 2]
    return {"years": [r for r in years if today.year - 2 <= r["year"] <= today.year + 3],
            "last_year": max(r["year"] for r in years), "outlook": selectors.calendar_outlook(today),
            "provisional": [(y, sorted(provisional_year(y).holidays.items())) for y in shown], "today": today,
            "errors": [], "error": "", "result": None, **extra}


@login_required
@roles_required("calendar.import", "只有系统管理员和县民政可以管理工作日历")
@require_http_methods(["GET", "POST"])
def calendar_admin(request):
    today = timezone.localdate()
    if request.method == "GET":
        return render(request, "web/calendar_admin.html", _context(today))
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed("calendar.file_missing", "请选择放假安排文件（CSV 或 JSON）（字段：file）", field="file")
        if upload.size > MAX_BYTES:
            raise ValidationFailed("calendar.file_large", f"文件过大（{upload.size} 字节），放假安排文件不超过 256 KB", field="file")
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed("calendar.file_encoding", "文件不是 UTF-8 编码的文本（CSV 或 JSON），请另存为 UTF-8 后重试",
                                   field="file") from None
        result = calendar_import(actor=request.user, text=text, filename=upload.name or "",
                                 replace=request.POST.get("replace") == "on", now=timezone.now())
    except DomainError as exc:
        items = exc.details.get("errors", [])
        return render(request, "web/calendar_admin.html",
                      _context(today, error=exc.message, errors=items[:SHOWN_ERRORS]), status=exc.status)
    for item in result.moved:
        item["label"] = "预警处置" if item["kind"] == "alert" else STEP_LABELS.get(item["step"], item["step"])
    return render(request, "web/calendar_admin.html", _context(today, result=result))
