"""Placement pages (issue 16 §4): the institutions where 特困 persons are placed with each one's
roster, and for 分散供养 the 委托照料协议 (PDF, upload and view of the signed copy)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.apps.care import placements, services
from jiuzhu.rules import care as rules
from jiuzhu.rules.errors import Conflict, DomainError

from .care import _detail_context, file_response
from .common import error_page, roles_required, scoped


@login_required
@roles_required("care.read", "您的角色无权查看供养机构花名册")
@require_GET
def care_institutions(request):
    name = request.GET.get("name", "").strip()[:100]
    rows = list(placements.roster(request.user, name)[:500]) if name else []
    return render(request, "web/care_institutions.html", {
        "institutions": placements.institutions(request.user), "name": name, "rows": rows,
        "institution_kinds": rules.INSTITUTION_KINDS, "care_classes": rules.CARE_CLASSES,
        "capacities": rules.CAPACITY})


@login_required
@roles_required("care.read", "您的角色无权查看委托照料协议")
@scoped
@require_GET
def care_entrusted_pdf(request, enrollment_id: int):
    try:
        profile, pdf = placements.entrusted_pdf(actor=request.user, enrollment_id=enrollment_id)
    except Conflict as exc:  # no entrusted caregiver recorded: there is no agreement to print
        return error_page(request, 404, exc.message)
    return file_response(pdf, "application/pdf", filename=f"entrusted-{profile.pk}.pdf")


@login_required
@roles_required("care.photo", "您的角色无权查看签字委托照料协议")
@scoped
@require_GET
def care_entrusted_signed(request, enrollment_id: int):
    try:
        profile, content = placements.entrusted_signed(actor=request.user, enrollment_id=enrollment_id)
    except Conflict as exc:
        return error_page(request, 404, exc.message)
    return file_response(content, profile.entrusted_signed_type)


@login_required
@roles_required("care.guardian", "您的角色不能上传签字委托照料协议（须由乡镇经办人或县民政办理）")
@scoped
@require_POST
def care_entrusted_upload(request, enrollment_id: int):
    upload = request.FILES.get("file")
    try:
        placements.entrusted_upload(actor=request.user, enrollment_id=enrollment_id,
                                    filename=upload.name if upload else "", content=upload.read() if upload else b"",
                                    now=timezone.now())
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        profile = services.profile_get(actor=request.user, enrollment_id=enrollment_id)
        return render(request, "web/care_detail.html",
                      _detail_context(request, profile, entrusted_error=exc.message), status=400)
    return redirect(reverse("web:care_detail", args=[enrollment_id]) + "#placement")
