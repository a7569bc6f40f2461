"""Department data import as a background job ``verification.ingest``: the web upload stores the file
under ``JIUZHU_FILES_DIR/uploads/`` and queues it; ``jiuzhu data ingest`` runs the same service in
the foreground. The stored upload is removed once the job has an outcome (not before a retry)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from jiuzhu.apps.jobs.uploads import upload_dir, upload_discard, upload_path
from jiuzhu.rules.errors import DomainError

from .ingest import data_ingest

__all__ = ["ingest_job", "upload_dir"]


def ingest_job(job, progress) -> dict:
    p = job.params
    path = upload_path(p)
    try:
        result = data_ingest(actor=job.created_by, source=p["source"], path=path, as_of=date.fromisoformat(p["as_of"]),
                             now=timezone.now(), progress=lambda stage, done, total: progress(done, total, stage))
    except DomainError:
        upload_discard(p["token"])
        raise
    upload_discard(p["token"])
    return {"snapshot_id": result.snapshot.pk, "source": p["source"], "rows": result.rows,
            "rejects": result.rejects, "already": result.already}
