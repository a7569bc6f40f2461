"""Case documents on the case page, with the logged-in session: 附件1–9 (PDF), the 核对 report and
the 一人一档 ZIP. The same document services as the API (apps/cases/document_services.py): scoped,
audited, and 附件1 with the applicant's full ID number for users who may see it (audited)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases import document_services, registry
from jiuzhu.apps.documents.kinds import KINDS, kind_get
from jiuzhu.apps.verification.selectors import reports_recent
from jiuzhu.rules.errors import DomainError, ValidationFailed

from .common import error_page, scoped


def _file(name: str, data: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def documents_section(request, case, today) -> dict:
    """What the documents section of the case page shows: each document, the 核对 report, the archive."""
    report, report_reason = None, ""
    if not can(request.user, "verification.read"):
        report_reason = "您的角色无权查看核对报告"
    else:
        found = reports_recent(actor=request.user, case_id=case.pk, limit=1)
        report = found[0] if found else None
        report_reason = "" if report else "尚未出具核对报告（县民政发起核对后生成）"
    try:
        documents = document_services.case_documents_status(actor=request.user, case=case, today=today)
    except DomainError as exc:  # a case whose records cannot fill the documents: say so, keep the page
        own = registry.program_documents(case.program)
        kinds = [kind_get(code) for code in own.kinds] if own is not None else KINDS
        documents = [{"kind": k.code, "title": k.title, "attachment": k.attachment_label, "available": False,
                      "reason": exc.message, "full_id": False} for k in kinds]
    return {"documents": documents, "verification_report": report, "verification_reason": report_reason}


@login_required
@scoped
@require_GET
def case_document(request, case_id: int, kind: str):
    try:
        name, pdf = document_services.case_document_download(actor=request.user, case_id=case_id, kind=kind,
                                                             now=timezone.now())
    except ValidationFailed as exc:  # an unknown kind in the address: no such page
        return error_page(request, 404, exc.message)
    return _file(name, pdf, "application/pdf")


@login_required
@scoped
@require_GET
def case_archive(request, case_id: int):
    try:
        name, data = document_services.case_file_download(actor=request.user, case_id=case_id, now=timezone.now())
    except ValidationFailed as exc:  # material that cannot be archived: say which, never a 500
        return error_page(request, 404, exc.message)
    return _file(name, data, "application/zip")
