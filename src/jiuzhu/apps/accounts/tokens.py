"""API tokens: ``jz_<prefix>_<secret>``; stored as an SM3 hash, revocable, optionally expiring."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.core.crypto import sm3_hex
from jiuzhu.core.prepared import Prepared

from .models import ApiToken, User


def _hash(raw: str) -> str:
    return sm3_hex(raw.encode())


def token_create(*, user: User, name: str = "", expires_at=None, actor=None) -> tuple[ApiToken, str]:
    prefix = secrets.token_hex(4)
    raw = f"jz_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():  # the token and its audit event together, or neither
        token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash(raw),
                                        expires_at=expires_at)
        audit_record(actor=actor or user, action="token.create", subject_type="api_token", subject_id=token.pk,
                     details={"user": user.username, "prefix": prefix})
    return token, raw


def token_revoke(*, token: ApiToken, actor) -> None:
    if token.revoked_at is None:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
            audit_record(actor=actor, action="token.revoke", subject_type="api_token", subject_id=token.pk,
                         details={"user": token.user.username, "prefix": token.prefix})


# Every API request reads its token: compiled once per connection (core/prepared.py).
_BY_HASH = Prepared(lambda key_hash: ApiToken.objects.select_related("user").filter(key_hash=key_hash)
                    .order_by("pk")[:1], str)


def token_authenticate(raw: str) -> User | None:
    """The active user for a raw token, or None (unknown, revoked, expired, inactive user)."""
    if not raw or not raw.startswith("jz_"):
        return None
    token = _BY_HASH.first(_hash(raw))
    now = timezone.now()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
