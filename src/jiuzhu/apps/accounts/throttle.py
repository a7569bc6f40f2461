"""Throttling of failed logins (per user name and per client address) and of bad API tokens (per address).

Counted in the database (``ThrottleHit``), so every server process sees the same counts; a sliding
window of ``JIUZHU_THROTTLE_WINDOW_SECONDS``. Keys are SM3 hashes: neither user names nor addresses are
stored in clear. The account lock-out (backends.LockoutBackend) stays: it locks one account after a few
wrong passwords; these limits also stop guessing across many user names from one address, guessing
unknown user names, and token guessing on the API.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from jiuzhu.core.crypto import sm3_hex
from jiuzhu.core.prepared import Prepared

from .models import ThrottleHit


@dataclass(frozen=True)
class Limit:
    kind: str  # login_user | login_ip | token_ip
    setting: str

    @property
    def allowed(self) -> int:
        return int(getattr(settings, self.setting))


LOGIN_USER = Limit("login_user", "JIUZHU_LOGIN_FAILURES_PER_USER")
LOGIN_IP = Limit("login_ip", "JIUZHU_LOGIN_FAILURES_PER_IP")
TOKEN_IP = Limit("token_ip", "JIUZHU_BAD_TOKENS_PER_IP")


def client_ip(request) -> str:
    """The client address: REMOTE_ADDR, or the last X-Forwarded-For entry behind a trusted proxy."""
    if settings.JIUZHU_TRUST_X_FORWARDED_FOR:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if forwarded:
            return forwarded[-1][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _key(limit: Limit, value: str) -> str:
    return sm3_hex(f"{limit.kind}:{value}".encode())


def _window():
    return timedelta(seconds=settings.JIUZHU_THROTTLE_WINDOW_SECONDS)


# Checked on every API request (bad tokens per address): compiled once per connection and limit.
_RECENT = Prepared(lambda key, since, allowed: ThrottleHit.objects.filter(key=key, at__gt=since)
                   .order_by("-at").values_list("at", flat=True)[:allowed], str, datetime)


def retry_after(limit: Limit, value: str, *, now=None) -> int:
    """Seconds until ``value`` may try again under ``limit``; 0 when it is not throttled."""
    now = now or timezone.now()
    hits = _RECENT.all(_key(limit, value), now - _window(), shape=(limit.allowed,))
    if len(hits) < limit.allowed:
        return 0
    # the oldest of the last ``allowed`` failures leaves the window first
    return max(1, math.ceil((hits[-1] + _window() - now).total_seconds()))


def record_failure(limit: Limit, value: str, *, now=None) -> None:
    now = now or timezone.now()
    key = _key(limit, value)
    ThrottleHit.objects.filter(key=key, at__lte=now - _window()).delete()
    ThrottleHit.objects.create(key=key, at=now)


def clear(limit: Limit, value: str) -> None:
    ThrottleHit.objects.filter(key=_key(limit, value)).delete()


def minutes_text(seconds: int) -> str:
    return f"{max(1, math.ceil(seconds / 60))} 分钟"
