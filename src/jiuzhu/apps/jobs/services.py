"""Job state changes: enqueue (idempotent by key), claim, finish, recover, retry, cancel.

Claiming: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` picks the oldest due job that no other
worker is claiming right now; on SQLite (no row locks, one writer at a time) a conditional
``UPDATE … WHERE id = ? AND status = 'queued'`` wins or loses atomically. Either way one job is run
by one worker. A running job's worker writes ``heartbeat_at`` from a side thread; a job whose
heartbeat is older than ``JIUZHU_JOB_TIMEOUT_SECONDS`` is put back in the queue (or failed after
``max_attempts``) by any worker (``jobs_recover``). Handlers must therefore be idempotent: every
service moved here already is (payroll batches, snapshots by file hash, scans, campaigns).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.rules.errors import Conflict, ValidationFailed

from .models import Job
from .registry import job_kind, kind_label
from .selectors import job_get

log = logging.getLogger("jiuzhu.jobs")
Status = Job.Status
INTERNAL_ERROR = "任务执行出错（内部错误，详情见服务器日志）"


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base · 2^(attempts−1), at most one hour."""
    base = settings.JIUZHU_JOB_BACKOFF_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def job_enqueue(*, kind: str, params: dict | None = None, key: str | None = None, actor=None,
                region_code: str | None = None, now: datetime, run_after: datetime | None = None,
                max_attempts: int | None = None) -> tuple[Job, bool]:
    """Queue a job of a registered ``kind``; with ``key``, a second call returns the first job
    (``created`` False) whatever its state. Returns (job, created)."""
    entry = job_kind(kind)
    if entry is None:
        raise ValidationFailed("jobs.kind", f"任务类型“{kind}”不存在", field="kind")
    if key is not None and (not key or len(key) > 200):
        raise ValidationFailed("jobs.key", "任务幂等键应为 1 至 200 个字符", field="key")
    if key is not None and (existing := Job.objects.filter(kind=kind, key=key).first()) is not None:
        return existing, False
    job = Job(kind=kind, key=key, params=params or {}, created_by=actor if getattr(actor, "pk", None) else None,
              region_id=region_code or None, run_after=run_after or now, created_at=now,
              max_attempts=max_attempts or entry.max_attempts)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        existing = Job.objects.filter(kind=kind, key=key).first() if key is not None else None
        if existing is None:
            raise
        return existing, False
    return job, True


def job_claim(*, worker_id: str, now: datetime) -> Job | None:
    """Take the oldest due queued job for ``worker_id`` (status running, one more attempt)."""
    claimed = {"status": Status.RUNNING, "claimed_by": worker_id, "heartbeat_at": now, "started_at": now,
               "attempts": F("attempts") + 1, "progress_message": ""}
    due = Job.objects.filter(status=Status.QUEUED, run_after__lte=now).order_by("run_after", "id")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = due.select_for_update(skip_locked=True).first()
            if job is None:
                return None
            Job.objects.filter(pk=job.pk).update(**claimed)
    else:
        for pk in due.values_list("pk", flat=True)[:10]:
            if Job.objects.filter(pk=pk, status=Status.QUEUED).update(**claimed) == 1:
                break
        else:
            return None
        job = Job(pk=pk)
    job.refresh_from_db()
    return job


def _mine(job: Job, worker_id: str):
    return Job.objects.filter(pk=job.pk, status=Status.RUNNING, claimed_by=worker_id)


def job_succeed(job: Job, *, worker_id: str, result: dict, now: datetime) -> bool:
    """Record the result unless the job was taken away meanwhile (recovered, cancelled)."""
    return _mine(job, worker_id).update(status=Status.SUCCEEDED, result=result or {}, finished_at=now, error="",
                                        error_code="", heartbeat_at=now) == 1


SHOWN_ERRORS = 200


def _error_items(details: dict | None) -> dict:
    """A failed import's row errors ({row, column, message, text}), kept on the job for its page: the
    first ``SHOWN_ERRORS`` and how many there were."""
    items = (details or {}).get("errors") or []
    if not isinstance(items, list) or not items:
        return {}
    return {"errors": [i for i in items[:SHOWN_ERRORS] if isinstance(i, dict)], "error_count": len(items)}


def job_fail(job: Job, *, worker_id: str, code: str, message: str, now: datetime, retry: bool,
             details: dict | None = None) -> bool:
    """A failed attempt: back to the queue after a backoff while attempts remain (``retry``), else failed
    (with the row errors of ``details``, if any, in the job's result)."""
    job.refresh_from_db(fields=["attempts", "max_attempts"])
    if retry and job.attempts < job.max_attempts:
        wait = backoff(job.attempts)
        text = f"第 {job.attempts} 次执行失败：{message}；将于 {int(wait.total_seconds())} 秒后重试"
        return _mine(job, worker_id).update(status=Status.QUEUED, run_after=now + wait, claimed_by="",
                                            error=text[:500], error_code=code) == 1
    return _mine(job, worker_id).update(status=Status.FAILED, finished_at=now, error=message[:500],
                                        error_code=code, result=_error_items(details)) == 1


def jobs_recover(*, now: datetime) -> int:
    """Running jobs whose heartbeat is older than the timeout (their worker died): queue them again,
    or fail them after ``max_attempts``. Any worker calls this; the conditional updates make a job
    recovered once. Returns how many were recovered."""
    stale = now - timedelta(seconds=settings.JIUZHU_JOB_TIMEOUT_SECONDS)
    count = 0
    for job in Job.objects.filter(status=Status.RUNNING, heartbeat_at__lt=stale).only(
            "pk", "attempts", "max_attempts", "heartbeat_at", "claimed_by"):
        same = Job.objects.filter(pk=job.pk, status=Status.RUNNING, heartbeat_at=job.heartbeat_at)
        note = f"执行进程（{job.claimed_by}）停止响应"
        if job.attempts < job.max_attempts:
            changed = same.update(status=Status.QUEUED, claimed_by="", run_after=now, error_code="job.lost",
                                  error=f"{note}，已重新排队")
        else:
            changed = same.update(status=Status.FAILED, finished_at=now, error_code="job.lost",
                                  error=f"{note}，已达最大尝试次数 {job.max_attempts}")
        if changed:
            log.warning("job %s recovered from worker %s", job.pk, job.claimed_by)
        count += changed
    return count


def job_retry(*, actor, job_id, now: datetime) -> Job:
    """Queue a failed (or cancelled) job again, attempts from zero; audited."""
    job = job_get(actor=actor, job_id=job_id)
    with transaction.atomic():
        changed = Job.objects.filter(pk=job.pk, status__in=(Status.FAILED, Status.CANCELLED)).update(
            status=Status.QUEUED, attempts=0, run_after=now, claimed_by="", error="", error_code="",
            finished_at=None, progress_done=0, progress_total=0, progress_message="")
        if not changed:
            raise Conflict("jobs.not_failed", f"任务 {job.pk} 当前状态为“{job.get_status_display()}”，只有失败或已取消的任务可以重试",
                           job_id=job.pk)
        audit_record(actor=actor, action="job.retry", subject_type="job", subject_id=job.pk,
                     region_code=job.region_id or "", at=now,
                     details={"kind": job.kind, "label": kind_label(job.kind), "from_status": job.status,
                              "error": job.error})
    job.refresh_from_db()
    return job


def job_cancel(*, actor, job_id, now: datetime) -> Job:
    """Cancel a job that has not started; audited."""
    job = job_get(actor=actor, job_id=job_id)
    with transaction.atomic():
        if not Job.objects.filter(pk=job.pk, status=Status.QUEUED).update(status=Status.CANCELLED, finished_at=now):
            raise Conflict("jobs.not_queued", f"任务 {job.pk} 当前状态为“{job.get_status_display()}”，只有排队中的任务可以取消",
                           job_id=job.pk)
        audit_record(actor=actor, action="job.cancel", subject_type="job", subject_id=job.pk,
                     region_code=job.region_id or "", details={"kind": job.kind, "from_status": job.status}, at=now)
    job.refresh_from_db()
    return job
