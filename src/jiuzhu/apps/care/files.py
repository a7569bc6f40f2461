"""Visit photos and signed agreement scans: checked by content (core.uploads.check_image), stored
encrypted under the files directory like case attachments (SM4-GCM, the relative path as associated
data), never in the database."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jiuzhu.apps.cases.files import files_root
from jiuzhu.core import uploads
from jiuzhu.core.crypto import FILE_MAGIC, keyring
from jiuzhu.core.files import write_private
from jiuzhu.rules.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 6


def checked(filename: str, content: bytes, *, accept: tuple[str, ...], field: str) -> tuple[str, str]:
    name = Path(filename or "").name or "上传的文件"
    if not content:
        raise ValidationFailed("care.file_empty", f"文件“{name}”是空文件（0 字节），请重新选择", field=field)
    if len(content) > MAX_BYTES:
        raise ValidationFailed("care.file_size", f"文件“{name}”过大，不能超过 {MAX_BYTES // (1024 * 1024)} MB", field=field)
    try:
        return uploads.check_image(content, name=name, accept=accept)
    except ValidationFailed as exc:
        raise ValidationFailed(f"care.file_{exc.details.get('problem', 'type')}", exc.message, field=field) from None


def _purpose(relative: str) -> str:
    return f"care_file:{Path(relative).as_posix()}"


def store(folder: str, content: bytes, ext: str) -> tuple[str, str]:
    """Write ``content`` encrypted as care/<folder>/<sha256>.<ext>; (relative path, sha256)."""
    sha = hashlib.sha256(content).hexdigest()
    relative = str(Path("care") / folder / f"{sha}.{ext}")
    target = files_root() / relative
    if not (target.exists() and target.read_bytes()[:len(FILE_MAGIC)] == FILE_MAGIC):
        write_private(target, keyring().encrypt_bytes(content, purpose=_purpose(relative)))
    return relative, sha


def read(relative: str) -> bytes:
    return keyring().decrypt_bytes((files_root() / relative).read_bytes(), purpose=_purpose(relative))


def checked_signed(filename: str, content: bytes) -> tuple[str, str]:
    """A signed agreement's scan or photo: PDF, JPEG or PNG, checked by content."""
    return checked(filename, content, accept=("pdf", "jpeg", "png"), field="file")


def attach_signed(obj, prefix: str, *, folder: str, content: bytes, ctype: str, ext: str) -> tuple[str, str]:
    """Store a signed copy encrypted and set ``obj``'s ``<prefix>_path``, ``_sha256`` and ``_type``
    (saved); (the previous sha256, the new one)."""
    previous = getattr(obj, f"{prefix}_sha256")
    relative, sha = store(folder, content, ext)
    for suffix, value in (("path", relative), ("sha256", sha), ("type", ctype)):
        setattr(obj, f"{prefix}_{suffix}", value)
    obj.save(update_fields=[f"{prefix}_path", f"{prefix}_sha256", f"{prefix}_type"])
    return previous, sha
