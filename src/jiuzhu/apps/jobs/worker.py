"""The worker loop behind ``jiuzhu worker``: recover stale jobs, enqueue due scheduled jobs, claim
one job, run its handler while a side thread writes the heartbeat and the latest progress (on its own
database connection, so a handler's long transaction never holds the job row), record the outcome.
A stop event (SIGTERM) lets the running job finish and then ends the loop."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from jiuzhu.rules.errors import DomainError

from . import services
from .models import Job
from .registry import job_kind
from .schedule import schedules_enqueue_due

log = logging.getLogger("jiuzhu.jobs")


def worker_name(index: int = 0) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{index}"


class _Beat(threading.Thread):
    """Heartbeat + progress writer for one running job."""

    def __init__(self, job: Job, worker_id: str):
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job, self.worker_id = job, worker_id
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.progress: tuple[int, int, str] | None = None
        self.written: tuple[int, int, str] | None = None
        self.lost = False

    def report(self, done, total, message: str = "") -> None:
        with self.lock:
            self.progress = (int(done or 0), int(total or 0), str(message or "")[:200])

    def run(self) -> None:
        interval = settings.JIUZHU_JOB_HEARTBEAT_SECONDS
        last_beat = 0.0
        try:
            while not self.stopped.wait(min(1.0, interval)):
                with self.lock:
                    progress = self.progress
                due = time.monotonic() - last_beat >= interval
                if not due and progress == self.written:
                    continue
                fields = {"heartbeat_at": timezone.now()}
                if progress is not None:
                    fields.update(progress_done=progress[0], progress_total=progress[1], progress_message=progress[2])
                try:
                    changed = self._write(fields)
                except Exception:  # database busy or gone: try again on the next tick
                    log.warning("heartbeat of job %s not written", self.job.pk, exc_info=True)
                    continue
                last_beat, self.written = time.monotonic(), progress
                if not changed:
                    self.lost = True
                    return
        finally:
            connection.close()


    def _write(self, fields: dict) -> int:
        """The conditional update; on PostgreSQL it gives up after 2 s rather than wait on a row lock."""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL lock_timeout = '2s'")
            return Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING,
                                      claimed_by=self.worker_id).update(**fields)


class Worker:
    def __init__(self, worker_id: str | None = None, *, schedule: bool = True):
        self.worker_id = worker_id or worker_name()
        self.schedule = schedule

    def tick(self) -> Job | None:
        """One round: recover, enqueue due schedules, claim and run at most one job."""
        if not connection.in_atomic_block:  # (a test's transaction wraps the rounds it runs)
            close_old_connections()
        now = timezone.now()
        services.jobs_recover(now=now)
        if self.schedule:
            schedules_enqueue_due(now=now)
        job = services.job_claim(worker_id=self.worker_id, now=now)
        if job is not None:
            self.run(job)
        return job

    def run(self, job: Job) -> None:
        entry = job_kind(job.kind)
        if entry is None:
            services.job_fail(job, worker_id=self.worker_id, code="jobs.unknown_kind",
                              message=f"任务类型“{job.kind}”未注册（程序版本不一致？）", now=timezone.now(), retry=False)
            return
        beat = _Beat(job, self.worker_id)
        beat.report(0, 0, "开始执行")
        beat.start()
        log.info("job %s (%s) started by %s, attempt %s", job.pk, job.kind, self.worker_id, job.attempts)
        try:
            result = entry.handler(job, beat.report)
        except DomainError as exc:
            self._end(beat)
            services.job_fail(job, worker_id=self.worker_id, code=exc.code, message=exc.message,
                              now=timezone.now(), retry=False, details=exc.details)
            return
        except Exception:
            log.exception("job %s (%s) failed on attempt %s", job.pk, job.kind, job.attempts)
            self._end(beat)
            services.job_fail(job, worker_id=self.worker_id, code="jobs.internal", message=services.INTERNAL_ERROR,
                              now=timezone.now(), retry=True)
            return
        self._end(beat)
        if beat.progress is not None:
            done, total, message = beat.progress
            Job.objects.filter(pk=job.pk, claimed_by=self.worker_id, status=Job.Status.RUNNING).update(
                progress_done=max(done, total), progress_total=total, progress_message=message)
        if not services.job_succeed(job, worker_id=self.worker_id, result=result or {}, now=timezone.now()):
            log.warning("job %s finished by %s after it was taken away", job.pk, self.worker_id)

    @staticmethod
    def _end(beat: _Beat) -> None:
        beat.stopped.set()
        beat.join(timeout=30)

    def loop(self, stop: threading.Event, *, poll: float | None = None, parent_pid: int | None = None) -> None:
        poll = settings.JIUZHU_JOB_POLL_SECONDS if poll is None else poll
        while not stop.is_set():
            if parent_pid and os.getppid() != parent_pid:
                log.warning("worker %s: parent process gone, stopping", self.worker_id)
                stop.set()
                break
            try:
                job = self.tick()
            except Exception:  # the database is down or busy: keep the worker alive
                log.exception("worker %s: round failed", self.worker_id)
                job = None
                connection.close()
            if job is None:
                stop.wait(poll)
        connection.close()
