"""Department data import as a background job ``verification.ingest``: the web upload stores the file
under ``JIUZHU_FILES_DIR/uploads/`` and queues it; ``jiuzhu data ingest`` runs the same service in
the foreground. The stored upload is removed once the job has an outcome (not before a retry)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from jiuzhu.rules.errors import DomainError

from .ingest import data_ingest

UPLOADS = "uploads"


def upload_dir(token: str) -> Path:
    return Path(settings.JIUZHU_FILES_DIR) / UPLOADS / token


def ingest_job(job, progress) -> dict:
    p = job.params
    path = upload_dir(p["token"]) / p["filename"]
    if not path.is_file():
        raise DomainError("data.upload_gone", "上传的文件已不存在（可能已处理或被清理），请重新上传")
    try:
        result = data_ingest(actor=job.created_by, source=p["source"], path=path, as_of=date.fromisoformat(p["as_of"]),
                             now=timezone.now(), progress=lambda stage, done, total: progress(done, total, stage))
    except DomainError:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise
    shutil.rmtree(path.parent, ignore_errors=True)
    return {"snapshot_id": result.snapshot.pk, "source": p["source"], "rows": result.rows,
            "rejects": result.rejects, "already": result.already}
