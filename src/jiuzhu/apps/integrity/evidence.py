"""Evidence files of a 失信 record: checked by content (JPEG, PNG, PDF), encrypted at rest like the case
attachments, under JIUZHU_FILES_DIR/integrity/<record>/<sha256>.<ext>."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.core import uploads
from jiuzhu.core.crypto import keyring
from jiuzhu.core.files import write_private
from jiuzhu.rules.errors import Conflict, Forbidden, ValidationFailed

from .models import CreditEvidence, CreditRecord
from .services import SUBJECT, _lock

MAX_BYTES = 10 * 1024 * 1024


def _purpose(relative: str) -> str:
    return f"credit_evidence:{Path(relative).as_posix()}"


def evidence_add(*, actor, record_id, filename: str, content: bytes, now: datetime) -> CreditEvidence:
    if not (can(actor, "integrity.propose") or can(actor, "integrity.decide")):
        raise Forbidden("forbidden", "您的角色不能上传失信记录证据")
    name = Path(filename or "").name or "上传的文件"
    if not content:
        raise ValidationFailed("evidence.empty", "请选择要上传的证据文件（不能是空文件）", field="file")
    if len(content) > MAX_BYTES:
        raise ValidationFailed("evidence.size", "证据文件过大，不能超过 10 MB", field="file")
    try:
        ctype, ext = uploads.check_image(content, name=name, accept=("jpeg", "png", "pdf"))
    except ValidationFailed as exc:
        raise ValidationFailed("evidence.type", exc.message, field="file") from None
    sha = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        record = _lock(actor, record_id)
        if record.status not in (CreditRecord.Status.PROPOSED, CreditRecord.Status.LISTED):
            raise Conflict("credit.state", f"该记录当前为“{record.get_status_display()}”，不能再上传证据", field="file")
        relative = str(Path("integrity") / str(record.pk) / f"{sha}.{ext}")
        write_private(Path(settings.JIUZHU_FILES_DIR) / relative,
                      keyring().encrypt_bytes(content, purpose=_purpose(relative)))
        item = CreditEvidence.objects.create(record=record, filename=name[:200], content_type=ctype,
                                             size=len(content), sha256=sha, path=relative, created_at=now,
                                             created_by=actor)
        audit_record(actor=actor, action="credit.evidence_add", subject_type=SUBJECT, subject_id=record.pk,
                     region_code=record.region_id, after={"evidence": item.pk, "sha256": sha}, at=now)
    return item


def evidence_bytes(item: CreditEvidence) -> bytes:
    return keyring().decrypt_bytes((Path(settings.JIUZHU_FILES_DIR) / item.path).read_bytes(),
                                   purpose=_purpose(item.path))
