"""``jiuzhu serve --with-worker`` (``jiuzhu demo``, ``make run``): the gunicorn master's hooks start one
``jiuzhu worker`` next to the web workers and stop it with the server."""

from __future__ import annotations

import os
import time
from pathlib import Path

from jiuzhu import gunicorn_conf


def _wait_for_sigterm_handler(pid: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status").read_text()
        caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
        if caught & (1 << (15 - 1)):
            return
        time.sleep(0.2)
    raise AssertionError(f"the worker did not install its SIGTERM handler: {Path(f'/proc/{pid}/status').read_text()}")


def test_the_server_hooks_start_a_job_worker_and_stop_it(tmp_path, monkeypatch):
    # given the variable `serve --with-worker` sets, and a throw-away database
    monkeypatch.setenv("JIUZHU_SERVE_WORKER", "1")
    monkeypatch.setenv("JIUZHU_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.test")
    # when the master starts
    gunicorn_conf.on_starting(None)
    worker = gunicorn_conf._job_worker
    try:
        # then a `jiuzhu worker` process runs, told who its parent is
        assert worker is not None
        _wait_for_sigterm_handler(worker.pid)  # it has started up
        assert worker.poll() is None
        cmdline = Path(f"/proc/{worker.pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[-2:] == [b"worker", b""] and cmdline[-3].endswith(b"jiuzhu")
        environ = Path(f"/proc/{worker.pid}/environ").read_bytes().split(b"\0")
        assert f"JIUZHU_WORKER_PARENT_PID={os.getpid()}".encode() in environ
        # when the master exits
        gunicorn_conf.on_exit(None)
        # then the worker has stopped cleanly (SIGTERM: graceful)
        assert worker.wait(timeout=30) == 0 and gunicorn_conf._job_worker is None
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        gunicorn_conf._job_worker = None


def test_without_the_option_no_worker_is_started(monkeypatch):
    monkeypatch.delenv("JIUZHU_SERVE_WORKER", raising=False)
    gunicorn_conf.on_starting(None)
    assert gunicorn_conf._job_worker is None
    gunicorn_conf.on_exit(None)  # nothing to stop
