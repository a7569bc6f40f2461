"""Files uploaded through a page for a background job: kept under ``JIUZHU_FILES_DIR/uploads/<token>/``
(0700) until the job has an outcome. The web stores the file and checks what it can at once (header,
format); the job's handler opens it by the token and file name in its parameters and removes the folder
when it is done (not before a retry)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from jiuzhu.rules.errors import DomainError

UPLOADS = "uploads"


def upload_dir(token: str) -> Path:
    return Path(settings.JIUZHU_FILES_DIR) / UPLOADS / token


def upload_store(name: str, chunks: Iterable[bytes], default: str = "upload") -> tuple[str, Path]:
    """Write an uploaded file under a new token; returns (token, path). The file keeps the user's file
    name (messages name it), without any directory part."""
    token = uuid.uuid4().hex
    folder = upload_dir(token)
    folder.mkdir(parents=True, mode=0o700)
    path = folder / (Path(name or "").name or default)
    with open(path, "wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
    path.chmod(0o600)
    return token, path


def upload_path(params: dict) -> Path:
    """The stored file a job's parameters name; a clear error when it is gone."""
    path = upload_dir(str(params.get("token", ""))) / str(params.get("filename", ""))
    if not path.is_file():
        raise DomainError("data.upload_gone", "上传的文件已不存在（可能已处理或被清理），请重新上传")
    return path


def upload_discard(token: str) -> None:
    if token:
        shutil.rmtree(upload_dir(token), ignore_errors=True)
