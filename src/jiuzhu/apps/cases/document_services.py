"""Document downloads: scoped like the case, and audited (the case file is personal data).

附件1 (委托授权书) is signed by the applicant for their own full ID number: for a user who may see
full numbers (``pii.view_full``) it is printed in full, and the opening is audited as a
``pii.view_id_number`` event naming the case and the document; others get it masked."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.documents.kinds import KINDS, NOTICE_KINDS, kind_get
from jiuzhu.apps.registry import pii

from . import registry
from .documents import case_document_pdf, case_file_zip, contexts
from .selectors import case_get

FULL_ID_KIND = "authorization"
# Why a document cannot be produced yet: what the case still needs.
WAITING_FOR = {
    "survey": "录入入户调查后可生成",
    "confirmation_form": "录入核对报告、入户调查和初审意见后可生成",
    "initial_notice": "发布初审公示后可生成",
    "denial_letter": "作出不予批准决定后可生成",
    "confirmation_notice": "审核确认批准并发布长期公示后可生成",
    "adjustment_notice": "复核决定调整或停发保障金后可生成",
}


def case_documents_available(*, actor, case_id, now: datetime) -> list[dict]:
    case = case_get(actor=actor, case_id=case_id)
    return [{"kind": k, "title": kind_get(k).title, "attachment": kind_get(k).attachment_label}
            for k in contexts(case, timezone.localtime(now).date())]


def case_documents_status(*, actor, case, today) -> list[dict]:
    """All nine documents for the case page, available or not (and if not, what it waits for), and the
    written notices the case's steps issued (受理告知书, 一次性告知书 …), after 附件3 in archive order."""
    available = contexts(case, today)
    own = registry.program_documents(case.program)
    if own is not None:
        return [{"kind": code, "title": kind_get(code).title, "attachment": "", "available": code in available,
                 "reason": "" if code in available else own.waiting.get(code, "案件当前阶段尚不能生成"),
                 "full_id": False, "rank": kind_get(code).order} for code in own.kinds]
    rows = [{"kind": k.code, "title": k.title, "attachment": k.attachment_label, "available": k.code in available,
             "reason": "" if k.code in available else WAITING_FOR.get(k.code, "案件当前阶段尚不能生成"),
             "full_id": k.code == FULL_ID_KIND and can(actor, "pii.view_full"), "rank": k.order} for k in KINDS]
    rows += [{"kind": k.code, "title": k.title, "attachment": "", "available": True, "reason": "", "full_id": False,
              "rank": k.order} for k in NOTICE_KINDS if k.code in available]
    return sorted(rows, key=lambda r: r["rank"])


def _applicant_id_number(actor, case) -> str:
    """The applicant's full ID number for 附件1, or "" when the user may not see it (or the case's program
    has its own documents, without 附件1)."""
    if registry.program_documents(case.program) is not None:
        return ""
    if not can(actor, "pii.view_full") or not case.applicant.id_number_enc:
        return ""
    return pii.open_(case.applicant.id_number_enc, purpose="id_number")


def _audit_full_id(actor, case, now, document: str) -> None:
    audit_record(actor=actor, action="pii.view_id_number", subject_type="person", subject_id=case.applicant_id,
                 region_code=case.region_id, details={"case": case.pk, "document": document}, at=now)


def case_document_download(*, actor, case_id, kind: str, now: datetime) -> tuple[str, bytes]:
    case = case_get(actor=actor, case_id=case_id)
    kind_get(kind)  # unknown kind → ValidationFailed naming it
    full_id = _applicant_id_number(actor, case) if kind == FULL_ID_KIND else ""
    name, pdf = case_document_pdf(case=case, kind=kind, today=timezone.localtime(now).date(),
                                  applicant_id_number=full_id)
    if full_id:
        _audit_full_id(actor, case, now, kind)
    audit_record(actor=actor, action="case.document_download", subject_type="case", subject_id=case.pk,
                 region_code=case.region_id, details={"kind": kind}, at=now)
    return name, pdf


def case_file_download(*, actor, case_id, now: datetime) -> tuple[str, bytes]:
    case = case_get(actor=actor, case_id=case_id)
    full_id = _applicant_id_number(actor, case)
    name, data = case_file_zip(case=case, today=timezone.localtime(now).date(), applicant_id_number=full_id)
    if full_id:
        _audit_full_id(actor, case, now, "archive")
    audit_record(actor=actor, action="case.file_download", subject_type="case", subject_id=case.pk,
                 region_code=case.region_id, at=now)
    return name, data
