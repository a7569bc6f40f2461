"""Document downloads: scoped like the case, and audited (the case file is personal data)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.documents.kinds import kind_get

from .documents import case_document_pdf, case_file_zip, contexts
from .selectors import case_get


def case_documents_available(*, actor, case_id, now: datetime) -> list[dict]:
    case = case_get(actor=actor, case_id=case_id)
    return [{"kind": k, "title": kind_get(k).title, "attachment": kind_get(k).attachment_label}
            for k in contexts(case, timezone.localtime(now).date())]


def case_document_download(*, actor, case_id, kind: str, now: datetime) -> tuple[str, bytes]:
    case = case_get(actor=actor, case_id=case_id)
    kind_get(kind)  # unknown kind → ValidationFailed naming it
    name, pdf = case_document_pdf(case=case, kind=kind, today=timezone.localtime(now).date())
    audit_record(actor=actor, action="case.document_download", subject_type="case", subject_id=case.pk,
                 region_code=case.region_id, details={"kind": kind}, at=now)
    return name, pdf


def case_file_download(*, actor, case_id, now: datetime) -> tuple[str, bytes]:
    case = case_get(actor=actor, case_id=case_id)
    name, data = case_file_zip(case=case, today=timezone.localtime(now).date())
    audit_record(actor=actor, action="case.file_download", subject_type="case", subject_id=case.pk,
                 region_code=case.region_id, at=now)
    return name, data
