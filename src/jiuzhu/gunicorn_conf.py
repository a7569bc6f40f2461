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
keep-alive connections without a thread each). Each worker holds one database connection and about
200 MB. ``JIUZHU_WORKERS``/``JIUZHU_THREADS`` or ``--workers``/``--threads`` override.
"""

from __future__ import annotations

import gc
import os
import sys

worker_class = os.environ.get("JIUZHU_WORKER_CLASS", "gthread")
DEFAULT_WORKERS = min(6 * (os.cpu_count() or 2), 32)
DEFAULT_THREADS = 1
workers = int(os.environ.get("JIUZHU_WORKERS", DEFAULT_WORKERS))
threads = int(os.environ.get("JIUZHU_THREADS", DEFAULT_THREADS))
keepalive = 75
graceful_timeout = 10
SWITCH_INTERVAL = float(os.environ.get("JIUZHU_SWITCH_INTERVAL", "0.005"))


def post_worker_init(worker):  # noqa: ARG001 — gunicorn hook signature
    sys.setswitchinterval(SWITCH_INTERVAL)
    # The loaded application (Django, pydantic, Ibis: some 10⁶ objects) never becomes garbage: moved
    # out of the collector's reach, a full collection no longer walks it in the middle of a request.
    gc.collect()
    gc.freeze()
