"""Real ``jiuzhu worker`` processes on a shared database (a file copy of the SQLite test database, or
the PostgreSQL test database itself): several workers never run a job twice, and a worker killed with
SIGKILL in the middle of a job is recovered by another worker once its heartbeat is too old. The
workers run on the real clock (no frozen date) with short heartbeat and timeout settings."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from jiuzhu.apps.jobs import services
from jiuzhu.apps.jobs.models import Job
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
JIUZHU = Path(sys.executable).with_name("jiuzhu")
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)  # due on any clock (the workers' clock is the real one)


class SharedDb:
    """The database the worker processes use, and a way to read a job row from it."""

    def __init__(self, tmp_path: Path):
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.path = tmp_path / "jobs.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.path}"
        else:
            user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
            self.url = f"postgresql://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
        self.env = {k: v for k, v in os.environ.items() if k != "JIUZHU_TEST_TODAY"}
        self.env.update(DJANGO_SETTINGS_MODULE="jiuzhu.settings.test", JIUZHU_DATABASE_URL=self.url,
                        JIUZHU_JOB_HEARTBEAT_SECONDS="0.5", JIUZHU_JOB_TIMEOUT_SECONDS="4",
                        JIUZHU_JOB_POLL_SECONDS="0.2", JIUZHU_LOG_LEVEL="WARNING")

    def row(self, pk: int) -> dict:
        fields = ("status", "attempts", "claimed_by", "progress_done", "result", "error")
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.path, timeout=20) as db:
                values = db.execute(f"SELECT {', '.join(fields)} FROM jobs_job WHERE id = ?", (pk,)).fetchone()
            return dict(zip(fields, values, strict=True))
        return Job.objects.values(*fields).get(pk=pk)

    def start(self, *args: str, log: Path) -> subprocess.Popen:
        return subprocess.Popen([str(JIUZHU), "worker", "--no-schedule", *args], env=self.env,
                                stdout=open(log, "w"), stderr=subprocess.STDOUT)


def _enqueue(n: int, seconds: float) -> list[int]:
    return [services.job_enqueue(kind="jobs.sleep", params={"seconds": seconds}, now=timezone.now(),
                                 run_after=LONG_AGO)[0].pk for _ in range(n)]


def _wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_concurrent_workers_run_each_job_exactly_once(tmp_path):
    # given 12 queued jobs on a database shared by worker processes
    pks = _enqueue(12, 0.3)
    db = SharedDb(tmp_path)
    # when three workers drain the queue at the same time
    procs = [db.start("--once", log=tmp_path / f"w{i}.log") for i in range(3)]
    codes = [p.wait(timeout=180) for p in procs]
    logs = [(tmp_path / f"w{i}.log").read_text() for i in range(3)]
    # then every job succeeded on its first attempt, and the workers ran 12 jobs between them
    assert codes == [0, 0, 0], logs
    rows = [db.row(pk) for pk in pks]
    assert {r["status"] for r in rows} == {"succeeded"} and {r["attempts"] for r in rows} == {1}
    ran = [int(re.search(r"已执行后台任务 (\d+) 个", text).group(1)) for text in logs]
    assert sum(ran) == 12, logs


def test_a_job_of_a_worker_killed_mid_job_is_finished_by_another_worker(tmp_path):
    # given a 6-second job and a worker running it
    (pk,) = _enqueue(1, 6)
    db = SharedDb(tmp_path)
    first = db.start(log=tmp_path / "first.log")
    try:
        row = _wait_for(lambda: (r := db.row(pk))["status"] == "running" and r["progress_done"] >= 1 and r, 90,
                        "the first worker to run the job")
        assert f":{first.pid}:" in row["claimed_by"]
        # when the worker is killed with SIGKILL in the middle of the job
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    assert db.row(pk)["status"] == "running"  # nobody will finish it: its heartbeat stops
    second = db.start(log=tmp_path / "second.log")
    try:
        # then another worker takes it back after the heartbeat timeout and finishes it (second attempt)
        row = _wait_for(lambda: (r := db.row(pk))["status"] in ("succeeded", "failed") and r, 120,
                        "the second worker to finish the job")
        assert row["status"] == "succeeded" and row["attempts"] == 2, (tmp_path / "second.log").read_text()
        assert f":{second.pid}:" in row["claimed_by"]
        # and SIGTERM stops the idle worker cleanly
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
    finally:
        if second.poll() is None:
            second.kill()
    assert "后台任务进程已停止" in (tmp_path / "second.log").read_text()
