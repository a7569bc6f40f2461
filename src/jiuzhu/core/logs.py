"""Structured logs: one JSON object per line, with the request id, and no personal data.

* :class:`JsonFormatter` writes ``{"time", "level", "logger", "message", "request_id", …}`` (extra fields
  given with ``extra={"http": {...}}`` are kept);
* :class:`RedactFilter` masks anything shaped like an ID number (18 characters: 17 digits and a digit or
  X) or a long digit run (bank account, phone) and cuts query strings from request lines (``django.server``
  logs ``"GET /households/?q=… HTTP/1.1"``), whatever logger wrote them;
* the request id lives in a context variable set by :class:`jiuzhu.core.middleware.RequestIdMiddleware`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("jiuzhu_request_id", default="")

# ID numbers (also inside longer words), bank accounts (12–19 digits), mobile numbers.
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_LONG_DIGITS = re.compile(r"(?<![0-9])[0-9]{11,}(?![0-9])")
# A query string in a request line or URL: from '?' up to the next space or quote.
_QUERY = re.compile(r"\?[^\s\"']*")

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "request_id"}


def redact(text: str) -> str:
    """``text`` without query strings, ID numbers or long digit runs."""
    text = _QUERY.sub("?…", text)
    text = _ID_NUMBER.sub("[身份证号已隐去]", text)
    return _LONG_DIGITS.sub("[号码已隐去]", text)


class RedactFilter(logging.Filter):
    """Rewrites each record's message with :func:`redact` (arguments are merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatException(self, ei) -> str:  # noqa: N802 — logging's name
        return redact(super().formatException(ei))


def logging_config(*, fmt: str, level: str, request_level: str) -> dict:
    """The LOGGING setting: every handler redacts and carries the request id; ``fmt`` json or text."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": "jiuzhu.core.logs.RedactFilter"},
            "request_id": {"()": "jiuzhu.core.logs.RequestIdFilter"},
        },
        "formatters": {
            "json": {"()": "jiuzhu.core.logs.JsonFormatter"},
            "text": {"()": "jiuzhu.core.logs.TextFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["request_id", "redact"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "jiuzhu.request": {"handlers": ["console"], "level": request_level, "propagate": False},
            # Django's own console handler (DEBUG only) does not redact: route Django's logs here instead.
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
