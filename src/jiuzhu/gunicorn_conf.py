"""gunicorn settings shared by ``jiuzhu serve`` and ``jiuzhu bench api`` (``-c python:jiuzhu.gunicorn_conf``).

Threads (gthread) keep browser and API clients' keep-alive connections cheap; CPython runs one thread
of a worker at a time, so a request whose PostgreSQL answer has arrived waits until the running
thread hands over the interpreter (every ``JIUZHU_SWITCH_INTERVAL`` seconds, CPython's 5 ms by
default). Measured with ``jiuzhu bench api`` on 2 cores, 1 ms made the p95 worse, not better (more
switching on saturated cores), so the default stays; the setting is there to tune on other machines.
Command-line options (``--workers``, ``--threads``) override the values here.
"""

from __future__ import annotations

import gc
import os
import sys

worker_class = os.environ.get("JIUZHU_WORKER_CLASS", "gthread")
workers = int(os.environ.get("JIUZHU_WORKERS", "3"))
threads = int(os.environ.get("JIUZHU_THREADS", "4"))
keepalive = 75
graceful_timeout = 10
SWITCH_INTERVAL = float(os.environ.get("JIUZHU_SWITCH_INTERVAL", "0.005"))


def post_worker_init(worker):  # noqa: ARG001 — gunicorn hook signature
    sys.setswitchinterval(SWITCH_INTERVAL)
    # The loaded application (Django, pydantic, Ibis: some 10⁶ objects) never becomes garbage: moved
    # out of the collector's reach, a full collection no longer walks it in the middle of a request.
    gc.collect()
    gc.freeze()
