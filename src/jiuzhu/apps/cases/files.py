"""Case attachments: scans of 一证一书 and survey photos. Bytes go to files under VAR_DIR, never the DB."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.rules.errors import Forbidden, ValidationFailed

from .engine import lock_case
from .models import CaseAttachment

KINDS = {"id_card": "身份证件", "authorization": "委托授权书", "economic_form": "家庭经济状况信息表",
         "relative_declaration": "近亲属申报", "photo": "入户调查照片", "other": "其他材料"}
WRITERS = {"village_assistant", "township_caseworker", "county_staff"}
MAX_BYTES = {"photo": 5 * 1024 * 1024}
DEFAULT_MAX = 10 * 1024 * 1024
SIGNATURES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
              b"%PDF-": ("application/pdf", "pdf")}


def _sniff(content: bytes, kind: str):
    for magic, (ctype, ext) in SIGNATURES.items():
        if content.startswith(magic):
            if kind == "photo" and ext == "pdf":
                break
            return ctype, ext
    allowed = "JPEG、PNG" if kind == "photo" else "JPEG、PNG 或 PDF"
    raise ValidationFailed("attachment.type", f"文件类型不支持，只接受 {allowed}", field="file")


def files_root() -> Path:
    return Path(settings.JIUZHU_FILES_DIR)


def attachment_add(*, actor, case_id, kind: str, filename: str, content: bytes, now: datetime) -> CaseAttachment:
    """Check kind, type (by content, not name) and size; store as <case>/<sha256>.<ext>; audit."""
    if getattr(actor, "role", None) not in WRITERS:
        raise Forbidden("attachment.role", "您的角色不能上传案件材料")
    if kind not in KINDS:
        raise ValidationFailed("attachment.kind", f"材料类别无效，可选：{'、'.join(KINDS.values())}", field="kind")
    if not content:
        raise ValidationFailed("attachment.empty", "请选择要上传的文件", field="file")
    limit = MAX_BYTES.get(kind, DEFAULT_MAX)
    if len(content) > limit:
        raise ValidationFailed("attachment.size", f"文件过大，不能超过 {limit // (1024 * 1024)} MB", field="file")
    ctype, ext = _sniff(content, kind)
    sha = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        case = lock_case(actor, case_id)
        if not case.is_open and case.state != "approved":
            raise ValidationFailed("attachment.closed", "案件已办结，不能再上传材料", field="file")
        relative = Path(str(case.pk)) / f"{sha}.{ext}"
        target = files_root() / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            tmp = target.with_suffix(".part")
            tmp.write_bytes(content)
            tmp.replace(target)
        att = CaseAttachment.objects.create(case=case, kind=kind, filename=(filename or f"{kind}.{ext}")[:200],
                                            content_type=ctype, size=len(content), sha256=sha,
                                            path=str(relative), created_at=now, created_by=actor)
        audit_record(actor=actor, action="case.attachment_add", subject_type="case", subject_id=case.pk,
                     region_code=case.region_id, after={"attachment": att.pk, "sha256": sha, "kind": kind}, at=now)
    return att


def attachment_bytes(att: CaseAttachment) -> bytes:
    return (files_root() / att.path).read_bytes()
