"""Request id and request log, and no caching of pages with personal data (issue 18 §6)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from .logs import request_id_var

log = logging.getLogger("jiuzhu.request")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Takes a well-formed ``X-Request-ID`` from the proxy or makes one, answers with it, and logs one line
    per request: method, path (never the query string), status, duration, user id — no personal data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _GOOD_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id_var.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            user = getattr(request, "user", None)
            log.info("%s %s %s", request.method, request.path, response.status_code, extra={"http": {
                "method": request.method, "path": request.path, "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None,
            }})
            return response
        finally:
            request_id_var.reset(token)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user or an API caller (pages and data
    with personal information must not stay in a browser's or proxy's cache); static files keep theirs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(getattr(user, "is_authenticated", False))
        if signed_in or request.path.startswith("/api/") or request.headers.get("Authorization"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
