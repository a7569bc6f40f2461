"""Case attachments: scans of 一证一书 and survey photos. Bytes go to files under VAR_DIR, never the DB.

Files are encrypted at rest (SM4-GCM, ``KeyRing.encrypt_bytes``) with their relative path as associated
data, mode 0600 in 0700 directories; files written before encryption (no marker) are still served.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.core import uploads
from jiuzhu.core.crypto import FILE_MAGIC, keyring
from jiuzhu.core.files import write_private
from jiuzhu.rules.errors import Forbidden, ValidationFailed

from .engine import lock_case
from .models import CaseAttachment

KINDS = {"id_card": "身份证件", "authorization": "委托授权书", "economic_form": "家庭经济状况信息表",
         "relative_declaration": "近亲属申报", "photo": "入户调查照片", "hearing_sheet": "民主听证签字表",
         "other": "其他材料"}
MAX_BYTES = {"photo": 5 * 1024 * 1024}
DEFAULT_MAX = 10 * 1024 * 1024


def _sniff(content: bytes, kind: str, filename: str = ""):
    """Type by content (jiuzhu.core.uploads): JPEG/PNG (and PDF unless a photo), whole — a text or
    program renamed .png, or a photo cut short in the upload, is refused naming the problem."""
    accept = ("jpeg", "png") if kind == "photo" else ("jpeg", "png", "pdf")
    try:
        return uploads.check_image(content, name=Path(filename or "").name or "上传的文件", accept=accept)
    except ValidationFailed as exc:
        problem = exc.details.get("problem")
        raise ValidationFailed("attachment.type" if problem == "type" else f"attachment.{problem}", exc.message,
                               field="file", problem=problem) from None


def files_root() -> Path:
    return Path(settings.JIUZHU_FILES_DIR)


def attachment_add(*, actor, case_id, kind: str, filename: str, content: bytes, now: datetime) -> CaseAttachment:
    """Check kind, type (by content, not name) and size; store as <case>/<sha256>.<ext>; audit."""
    if not can(actor, "case.attach"):
        raise Forbidden("attachment.role", "您的角色不能上传案件材料")
    if kind not in KINDS:
        raise ValidationFailed("attachment.kind", f"材料类别无效，可选：{'、'.join(KINDS.values())}", field="kind")
    if not content:
        message = f"文件“{Path(filename).name}”是空文件（0 字节），请重新选择" if filename else "请选择要上传的文件"
        raise ValidationFailed("attachment.empty", message, field="file")
    limit = MAX_BYTES.get(kind, DEFAULT_MAX)
    if len(content) > limit:
        raise ValidationFailed("attachment.size", f"文件过大，不能超过 {limit // (1024 * 1024)} MB", field="file")
    ctype, ext = _sniff(content, kind, filename)
    sha = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        case = lock_case(actor, case_id)
        if not case.is_open and case.state != "approved":
            raise ValidationFailed("attachment.closed", "案件已办结，不能再上传材料", field="file")
        relative = Path(str(case.pk)) / f"{sha}.{ext}"
        target = files_root() / relative
        if not _encrypted(target):  # new, or a plaintext file from before encryption at rest
            write_private(target, keyring().encrypt_bytes(content, purpose=_purpose(str(relative))))
        att = CaseAttachment.objects.create(case=case, kind=kind, filename=(filename or f"{kind}.{ext}")[:200],
                                            content_type=ctype, size=len(content), sha256=sha,
                                            path=str(relative), created_at=now, created_by=actor)
        audit_record(actor=actor, action="case.attachment_add", subject_type="case", subject_id=case.pk,
                     region_code=case.region_id, after={"attachment": att.pk, "sha256": sha, "kind": kind}, at=now)
    return att


def _purpose(relative: str) -> str:
    """Associated data of an attachment file: its place, so a file moved to another case does not open."""
    return f"case_attachment:{Path(relative).as_posix()}"


def _encrypted(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(FILE_MAGIC)) == FILE_MAGIC
    except FileNotFoundError:
        return False


def attachment_bytes(att: CaseAttachment) -> bytes:
    """The attachment's plaintext (decrypted; a file from before encryption at rest as it is)."""
    return keyring().decrypt_bytes((files_root() / att.path).read_bytes(), purpose=_purpose(att.path))


def attachments_reencrypt(*, ring, progress=None) -> int:
    """Encrypt plaintext attachment files and re-encrypt those under an older key (``jiuzhu keys rotate``).
    Returns the files rewritten."""
    changed = 0
    prefix = FILE_MAGIC + ring.active.encode() + b"\n"
    seen = set()
    for relative in CaseAttachment.objects.order_by("pk").values_list("path", flat=True).iterator():
        path = files_root() / relative
        if relative in seen or not path.exists():
            continue
        seen.add(relative)
        blob = path.read_bytes()
        if not blob.startswith(prefix):
            plain = ring.decrypt_bytes(blob, purpose=_purpose(relative))
            write_private(path, ring.encrypt_bytes(plain, purpose=_purpose(relative)))
            changed += 1
        if progress:
            progress(1)
    return changed
