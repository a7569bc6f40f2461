"""Password login with lock-out after repeated failures (every login path goes through here)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record

from . import throttle
from .models import User


class AccountLocked(Exception):
    def __init__(self, until):
        super().__init__("locked")
        self.until = until


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        now = timezone.now()
        if self._throttled(request, username, now):
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            self._count_failure(request, username, now)
            return None
        if user.locked_until and user.locked_until > now:
            if request is not None:
                request.jiuzhu_locked_until = user.locked_until
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            throttle.clear(throttle.LOGIN_USER, username)
            return user
        self._count_failure(request, username, now)
        self._record_failure(user, now, request)
        return None

    @staticmethod
    def _throttled(request, username: str, now) -> bool:
        """Too many failures for this user name or from this address: refused before any password check."""
        wait = throttle.retry_after(throttle.LOGIN_USER, username, now=now)
        if request is not None:
            wait = max(wait, throttle.retry_after(throttle.LOGIN_IP, throttle.client_ip(request), now=now))
        if wait and request is not None:
            request.jiuzhu_throttled = wait
        return bool(wait)

    @staticmethod
    def _count_failure(request, username: str, now) -> None:
        throttle.record_failure(throttle.LOGIN_USER, username, now=now)
        if request is not None:
            throttle.record_failure(throttle.LOGIN_IP, throttle.client_ip(request), now=now)

    def _record_failure(self, user, now, request):
        limit = settings.JIUZHU_LOGIN_MAX_FAILURES
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
            user.refresh_from_db(fields=["failed_logins"])
            if user.failed_logins >= limit:
                until = now + timedelta(minutes=settings.JIUZHU_LOGIN_LOCK_MINUTES)
                User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
                audit_record(actor=user, action="account.locked", subject_type="user", subject_id=user.pk,
                             reason=f"连续{limit}次密码错误")
                if request is not None:
                    request.jiuzhu_locked_until = until
