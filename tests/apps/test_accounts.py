"""Accounts: lock-out, API tokens, user creation with password validators."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.utils import timezone

from jiuzhu.apps.accounts.models import ApiToken, User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.accounts.services import user_create
from jiuzhu.apps.accounts.tokens import token_authenticate, token_create, token_revoke
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.core.crypto import sm3_hex
from jiuzhu.rules.errors import ValidationFailed
from tests.conftest import PASSWORD, TOWNSHIP_A

CJK = re.compile(r"[\u4e00-\u9fff]")


def login(username, password):
    request = RequestFactory().post("/login/")
    return authenticate(request, username=username, password=password), request


def test_right_password_logs_in(caseworker):
    user, _ = login(caseworker.username, PASSWORD)
    assert user == caseworker


def test_lockout_after_five_failures(caseworker):
    # given five wrong passwords in a row
    for i in range(5):
        user, request = login(caseworker.username, f"wrong-{i}")
        assert user is None
    caseworker.refresh_from_db()
    # then the account is locked for a while and the lock-out is audited
    assert caseworker.locked_until is not None and caseworker.locked_until > timezone.now()
    assert hasattr(request, "jiuzhu_locked_until")
    assert AuditEvent.objects.filter(action="account.locked", subject_id=str(caseworker.pk)).count() == 1
    # when the right password is given while locked
    user, request = login(caseworker.username, PASSWORD)
    # then it still fails, and says it is locked
    assert user is None
    assert request.jiuzhu_locked_until == caseworker.locked_until
    # when the lock has passed
    User.objects.filter(pk=caseworker.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    user, _ = login(caseworker.username, PASSWORD)
    # then the right password works again and the lock is cleared
    assert user == caseworker
    caseworker.refresh_from_db()
    assert caseworker.locked_until is None and caseworker.failed_logins == 0


def test_four_failures_do_not_lock(caseworker):
    for i in range(4):
        login(caseworker.username, f"wrong-{i}")
    caseworker.refresh_from_db()
    assert caseworker.failed_logins == 4 and caseworker.locked_until is None
    assert login(caseworker.username, PASSWORD)[0] == caseworker


def test_success_resets_the_counter(caseworker):
    # given four failures, then a success
    for i in range(4):
        login(caseworker.username, f"wrong-{i}")
    assert login(caseworker.username, PASSWORD)[0] == caseworker
    caseworker.refresh_from_db()
    assert caseworker.failed_logins == 0
    # when four more failures follow
    for i in range(4):
        login(caseworker.username, f"again-{i}")
    # then the account is not locked (the count started afresh)
    caseworker.refresh_from_db()
    assert caseworker.locked_until is None
    assert login(caseworker.username, PASSWORD)[0] == caseworker


@pytest.mark.django_db
def test_unknown_user_is_none():
    assert login("nobody", "whatever-123")[0] is None


def test_inactive_user_cannot_log_in(caseworker):
    User.objects.filter(pk=caseworker.pk).update(is_active=False)
    assert login(caseworker.username, PASSWORD)[0] is None


# --- API tokens ---


def test_token_authenticates_and_only_its_hash_is_stored(caseworker):
    # when
    token, raw = token_create(user=caseworker, name="脚本")
    # then
    assert raw.startswith(f"jz_{token.prefix}_")
    assert token_authenticate(raw) == caseworker
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["key_hash"] == sm3_hex(raw.encode())
    assert all(raw not in str(v) for v in row.values())
    secret = raw.split("_", 2)[2]
    assert all(secret not in str(v) for v in row.values())
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.parametrize(
    "case, mutate",
    [
        ("revoked", lambda t, u: token_revoke(token=t, actor=u)),
        ("expired", lambda t, u: ApiToken.objects.filter(pk=t.pk).update(expires_at=timezone.now() - timedelta(seconds=1))),
        ("inactive user", lambda t, u: User.objects.filter(pk=u.pk).update(is_active=False)),
    ],
)
def test_token_refused(caseworker, case, mutate):
    # given a working token
    token, raw = token_create(user=caseworker)
    assert token_authenticate(raw) == caseworker
    # when it is revoked / expires / its user is deactivated
    mutate(token, caseworker)
    # then it no longer authenticates
    assert token_authenticate(raw) is None, case


def test_future_expiry_still_works(caseworker):
    _, raw = token_create(user=caseworker, expires_at=timezone.now() + timedelta(days=1))
    assert token_authenticate(raw) == caseworker


@pytest.mark.parametrize("raw", ["", "garbage", "jz_0000_notatoken", "Bearer jz_x"])
def test_garbage_tokens(caseworker, raw):
    token_create(user=caseworker)
    assert token_authenticate(raw) is None


def test_tampered_token_fails(caseworker):
    _, raw = token_create(user=caseworker)
    assert token_authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None


# --- user_create ---


def test_user_create(admin_user):
    user = user_create(actor=admin_user, username="new_cw", password="Ziyou-Pingdeng-2026", role=Role.CASEWORKER,
                       region_code=TOWNSHIP_A, display_name="新经办")
    assert user.check_password("Ziyou-Pingdeng-2026")
    assert AuditEvent.objects.filter(action="user.create", subject_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    "case, username, password, fragment",
    [
        ("too short", "new_cw", "Ab-12", "10"),
        ("all digits", "new_cw", "3141592653589793", "数字"),
        ("common password", "new_cw", "password123", "常见"),
        ("like the username", "zhangsanfeng", "zhangsanfeng1", "相似"),
    ],
)
def test_user_create_runs_password_validators(admin_user, case, username, password, fragment):
    users, events = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        user_create(actor=admin_user, username=username, password=password, role=Role.CASEWORKER,
                    region_code=TOWNSHIP_A)
    assert exc.value.code == "user.password", case
    assert exc.value.details["field"] == "password"
    assert CJK.search(exc.value.message), exc.value.message
    assert fragment in exc.value.message
    assert User.objects.count() == users and AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "case, kwargs, field",
    [
        ("unknown role", {"username": "x1", "role": "boss"}, "role"),
        ("duplicate username", {"username": "caseworker_a", "role": Role.CASEWORKER}, "username"),
    ],
)
def test_user_create_other_errors(admin_user, caseworker, case, kwargs, field):
    with pytest.raises(ValidationFailed) as exc:
        user_create(actor=admin_user, password="Ziyou-Pingdeng-2026", region_code=TOWNSHIP_A, **kwargs)
    assert exc.value.details["field"] == field, case
