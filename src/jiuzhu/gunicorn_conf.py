"""gunicorn settings shared by ``jiuzhu serve`` and ``jiuzhu bench api`` (``-c python:jiuzhu.gunicorn_conf``).

Processes, not threads, carry the concurrency: CPython runs one thread of a worker at a time, so in a
threaded worker a request whose PostgreSQL answer has arrived waits until the running thread hands
over the interpreter (every ``JIUZHU_SWITCH_INTERVAL`` seconds, 5 ms by default), and under load
those waits made most of the p95. Measured with ``jiuzhu bench api`` (1 000 000 cases, 200 users,
2 cores, PostgreSQL on the same machine), action p95 in ms:

* 4 workers × 8 threads: 167, 207 (and 88–129 in an earlier session); 8 × 2: 105;
* 12 × 1: 37.5, 47.8, 39.0 (median 39.0); 16 × 1: 55.6, 56.9; 32 × 1: 224 (cores oversubscribed);
* 12 sync workers (no keep-alive): 193.

Hence ``DEFAULT_WORKERS`` = 6 per core (at most 32), one thread each (gthread still keeps idle
keep-alive connections without a thread each), and no more than the available memory holds: each
worker holds one database connection and about 200 MB (``WORKER_BYTES``), so a small machine gets
fewer. ``JIUZHU_WORKERS``/``JIUZHU_THREADS`` or ``--workers``/``--threads`` override.

The application is loaded once in the master before the workers are forked (``preload_app``; the URL
configuration and views imported too, ``when_ready``): every worker answers its first request at once
instead of each importing Django on cores the others are importing on (on 2 busy cores, 12 workers
importing side by side answered the first page after some 40 s). ``JIUZHU_PRELOAD=0`` turns it off.
"""

from __future__ import annotations

import gc
import os
import sys


def setting(name: str, default, parse, *, low, high, what: str):
    """An environment setting within [low, high]; SystemExit with a Chinese message naming it otherwise."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = parse(raw.strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise SystemExit(f"环境变量 {name}（{what}）应为 {low} 至 {high} 之间的数，实为“{raw}”")
    return value


WORKER_CLASSES = ("gthread", "sync")
worker_class = os.environ.get("JIUZHU_WORKER_CLASS", "gthread").strip() or "gthread"
if worker_class not in WORKER_CLASSES:
    raise SystemExit(f"环境变量 JIUZHU_WORKER_CLASS（gunicorn 进程类型）应为 {' 或 '.join(WORKER_CLASSES)}，实为“{worker_class}”")
WORKER_BYTES = 200 * 1024 * 1024


def available_memory() -> int | None:
    """Bytes of memory available to new processes (Linux MemAvailable), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def default_workers(cores: int | None, memory: int | None) -> int:
    """6 workers per core, at most 32, and at most as many as ``memory`` bytes hold (at least one)."""
    by_cores = min(6 * (cores or 2), 32)
    if memory is None:
        return by_cores
    return max(1, min(by_cores, memory // WORKER_BYTES))


DEFAULT_WORKERS = default_workers(os.cpu_count(), available_memory())
DEFAULT_THREADS = 1
workers = setting("JIUZHU_WORKERS", DEFAULT_WORKERS, int, low=1, high=256, what="gunicorn 进程数")
threads = setting("JIUZHU_THREADS", DEFAULT_THREADS, int, low=1, high=64, what="每进程线程数")
keepalive = 75
preload_app = os.environ.get("JIUZHU_PRELOAD", "1").strip() != "0"
graceful_timeout = 10
# Access log without the query string (%(U)s is the path only), the Referer or the user agent: an ID number
# searched by GET, or carried in the Referer of the next page, never reaches the log (issue 18 §5). The
# request id matches the application's JSON log line (jiuzhu.core.middleware).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
SWITCH_INTERVAL = setting("JIUZHU_SWITCH_INTERVAL", 0.005, float, low=0.0001, high=1.0, what="线程切换间隔（秒）")


def when_ready(server):  # noqa: ARG001 — gunicorn hook signature
    """Preloaded: import the views (the URL configuration) in the master too, close any database
    connection opened meanwhile (a forked worker must not share it), freeze what was loaded."""
    if not preload_app:
        return
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports every view module once, before the fork
    connections.close_all()
    gc.collect()
    gc.freeze()


def post_worker_init(worker):  # noqa: ARG001 — gunicorn hook signature
    sys.setswitchinterval(SWITCH_INTERVAL)
    # The loaded application (Django, pydantic, Ibis: some 10⁶ objects) never becomes garbage: moved
    # out of the collector's reach, a full collection no longer walks it in the middle of a request.
    gc.collect()
    gc.freeze()


# ``jiuzhu serve --with-worker`` (``jiuzhu demo``, ``make run``): the gunicorn master starts one
# ``jiuzhu worker`` next to the web workers and stops it when the server stops; the worker also stops
# by itself when the master is gone (JIUZHU_WORKER_PARENT_PID), e.g. after a kill -9.
_job_worker = None


def on_starting(server):  # noqa: ARG001 — gunicorn hook signature
    global _job_worker
    if os.environ.get("JIUZHU_SERVE_WORKER") != "1":
        return
    import subprocess

    jiuzhu = os.path.join(os.path.dirname(sys.executable), "jiuzhu")
    env = {**os.environ, "JIUZHU_WORKER_PARENT_PID": str(os.getpid())}
    env.pop("JIUZHU_SERVE_WORKER", None)
    _job_worker = subprocess.Popen([jiuzhu, "worker"], env=env)  # noqa: S603 — our own jiuzhu worker


def on_exit(server):  # noqa: ARG001 — gunicorn hook signature
    global _job_worker
    if _job_worker is None:
        return
    import subprocess

    _job_worker.terminate()
    try:
        _job_worker.wait(timeout=graceful_timeout + 20)
    except subprocess.TimeoutExpired:
        _job_worker.kill()
    _job_worker = None
