"""Background jobs (``/v1/jobs``, 后台任务): one job's status, progress, attempts, error and result.
Administrators read every job, county staff their county's, everyone else their own (404 otherwise)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema

from jiuzhu.apps.jobs import selectors
from jiuzhu.apps.jobs.registry import kind_label

from .schemas import RowId, errors

router = Router(tags=["jobs"])


class ProgressOut(Schema):
    done: int
    total: int
    message: str
    percent: int


class JobOut(Schema):
    id: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    attempts: int
    max_attempts: int
    progress: ProgressOut
    error: str
    error_code: str
    result: dict
    region: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_out(job) -> dict:
    local = lambda t: timezone.localtime(t) if t else None  # noqa: E731
    return {"id": str(job.pk), "kind": job.kind, "kind_label": kind_label(job.kind), "status": job.status,
            "status_label": job.get_status_display(), "attempts": job.attempts, "max_attempts": job.max_attempts,
            "progress": {"done": job.progress_done, "total": job.progress_total, "message": job.progress_message,
                         "percent": job.percent},
            "error": job.error, "error_code": job.error_code, "result": job.result or {}, "region": job.region_id,
            "created_at": local(job.created_at), "started_at": local(job.started_at),
            "finished_at": local(job.finished_at)}


@router.get("/{job_id}", response={200: JobOut, **errors(404, 422)}, summary="后台任务状态（进度、尝试次数、错误、结果）")
def job_detail(request, job_id: RowId):
    return job_out(selectors.job_get(actor=request.auth, job_id=job_id))
