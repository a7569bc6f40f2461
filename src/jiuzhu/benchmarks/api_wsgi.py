"""The platform's WSGI application with a ``Server-Timing`` header, for the `api` bench only.

``app;dur=`` is the time inside Django (middleware, auth, view, serialization) from the moment the
server hands the request over until the response headers are ready — the response body is already
rendered then; ``db;dur=…;desc="N"`` is the time spent in N database queries of this request;
``cpu;dur=`` the CPU time of the request's thread (the rest of ``app`` is waiting: for a CPU, for
the GIL held by another thread of the worker, for PostgreSQL).
Served by gunicorn like ``jiuzhu serve``: ``gunicorn jiuzhu.benchmarks.api_wsgi:application``.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402

_django = get_wsgi_application()


def application(environ, start_response):
    started, cpu_started = time.perf_counter(), time.thread_time()
    queries = [0, 0.0]

    def count(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries[0] += 1
            queries[1] += time.perf_counter() - t

    def timed_start_response(status, headers, exc_info=None):
        app_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.thread_time() - cpu_started) * 1000
        headers = list(headers) + [
            ("Server-Timing", f'app;dur={app_ms:.3f}, db;dur={queries[1] * 1000:.3f};desc="{queries[0]}", '
                              f"cpu;dur={cpu_ms:.3f}")]
        return start_response(status, headers, exc_info)

    with connection.execute_wrapper(count):
        return _django(environ, timed_start_response)
