"""Writes on accounts go through audited services (issue 18 §3): `jiuzhu user unlock`, API tokens
(token and event together or neither) and the demo users."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.accounts.models import ApiToken, User
from jiuzhu.apps.accounts.tokens import token_create, token_revoke
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.audit.services import audit_verify
from jiuzhu.core import audit_keys as ak
from jiuzhu.core.crypto import KeyError_

pytestmark = pytest.mark.django_db


def test_user_unlock_is_audited(caseworker):
    # given a locked-out user
    until = timezone.now() + timedelta(minutes=30)
    User.objects.filter(pk=caseworker.pk).update(failed_logins=3, locked_until=until)
    # when an operator unlocks them on the command line
    out = io.StringIO()
    call_command("user", "unlock", caseworker.username, stdout=out)
    # then the lock is gone and an audit event in the user's township chain records before and after
    caseworker.refresh_from_db()
    assert (caseworker.failed_logins, caseworker.locked_until) == (0, None)
    event = AuditEvent.objects.get(action="account.unlock", subject_id=str(caseworker.pk))
    assert event.region_code == caseworker.region_id and event.chain == caseworker.region_id[:9]
    assert event.before_digest and event.after_digest and event.key_id
    assert "已解除锁定" in out.getvalue()
    assert audit_verify()[0] is True


def test_unlock_of_an_unknown_user_exits_2_and_writes_nothing(caseworker):
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("user", "unlock", "nobody", stdout=io.StringIO())
    assert exc.value.returncode == 2 and "用户“nobody”不存在" in str(exc.value)
    assert AuditEvent.objects.count() == before


@pytest.fixture
def audit_broken(monkeypatch):
    """The audit key cannot be read: every audited write must fail as a whole."""
    def boom():
        raise KeyError_("找不到密钥文件")

    monkeypatch.setattr(ak, "audit_keys", boom)
    monkeypatch.setattr("jiuzhu.apps.audit.services.audit_keys", boom)


def test_token_is_not_created_without_its_audit_event(caseworker, audit_broken):
    # when the audit event cannot be written, then no token exists either
    with pytest.raises(KeyError_):
        token_create(user=caseworker, name="x")
    assert not ApiToken.objects.exists()


def test_token_stays_valid_when_its_revocation_cannot_be_audited(caseworker, monkeypatch):
    token, _ = token_create(user=caseworker, name="x")

    def boom():
        raise KeyError_("找不到密钥文件")

    monkeypatch.setattr("jiuzhu.apps.audit.services.audit_keys", boom)
    with pytest.raises(KeyError_):
        token_revoke(token=token, actor=caseworker)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_demo_users_are_audited(regions, settings, tmp_path):
    from jiuzhu.apps.synthetic.demo import DEMO_USERS, demo_users_load

    settings.VAR_DIR = tmp_path
    added = demo_users_load()
    assert added == len(DEMO_USERS)
    created = set(AuditEvent.objects.filter(action="user.create").values_list("subject_id", flat=True))
    assert created == {str(pk) for pk in User.objects.filter(username__in=[u for u, *_ in DEMO_USERS])
                       .values_list("pk", flat=True)}


def test_audited_command_without_a_key_file_exits_2_and_changes_nothing(caseworker, monkeypatch, settings, tmp_path):
    # given no key material at all (no JIUZHU_KEYS, no key file)
    User.objects.filter(pk=caseworker.pk).update(failed_logins=3)
    monkeypatch.delenv("JIUZHU_KEYS")
    settings.JIUZHU_KEY_FILE = str(tmp_path / "missing.json")
    ak.audit_keys.cache_clear()
    try:
        # when an audited command runs, then it exits 2 telling how to create the keys, and nothing changed
        with pytest.raises(CommandError) as exc:
            call_command("user", "unlock", caseworker.username, stdout=io.StringIO())
        assert exc.value.returncode == 2 and "jiuzhu keys init" in str(exc.value)
        caseworker.refresh_from_db()
        assert caseworker.failed_logins == 3
    finally:
        ak.audit_keys.cache_clear()
