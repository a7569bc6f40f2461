"""Security headers and login throttling (issue 18 §6): CSP without inline scripts or styles on the main
pages, ``Cache-Control: no-store`` on everything a signed-in user or API caller gets, a request id on
every response, failed logins throttled per user name and per address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from jiuzhu.apps.accounts.models import User
from tests.conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "jiuzhu" / "web" / "templates"
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|\shx-on[:-]", re.IGNORECASE)


def _inline_problems(html: str) -> list[str]:
    problems = []
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL | re.IGNORECASE):
        if "src=" not in attrs and 'type="application/json"' not in attrs:
            problems.append(f"inline script: {body[:60]!r}")
    if re.search(r"<style\b", html, re.IGNORECASE):
        problems.append("<style> element")
    if re.search(r"\sstyle\s*=", html, re.IGNORECASE):
        problems.append("style attribute")
    if INLINE_HANDLER.search(html):
        problems.append(f"inline handler: {INLINE_HANDLER.search(html).group(0)!r}")
    return problems


@pytest.mark.parametrize("name", ["workbench", "household_list", "case_list", "enrollment_list", "review_list",
                                  "alert_list", "dashboard"])
def test_main_pages_send_csp_and_have_no_inline_script(client, county_user, name):
    # given the county user signed in
    client.force_login(county_user)
    # when a main page is opened
    response = client.get(reverse(f"web:{name}"))
    # then it carries a CSP that allows scripts and styles from our files only, and no inline code
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert _inline_problems(response.content.decode()) == []


def test_household_page_with_reveal_button_has_no_inline_handler(client, caseworker, household):
    client.force_login(caseworker)
    html = client.get(reverse("web:household_detail", args=[household.pk])).content.decode()
    assert "显示完整号码" in html and "data-remove-after-request" in html
    assert _inline_problems(html) == []


def test_no_template_has_inline_script_style_or_handler():
    # given every page template (documents rendered to PDF are elsewhere and never served as pages)
    found = {}
    for path in TEMPLATES.rglob("*.html"):
        problems = _inline_problems(path.read_text(encoding="utf-8"))
        if problems:
            found[str(path.relative_to(TEMPLATES))] = problems
    # then none would be blocked by the CSP
    assert found == {}


def test_pages_with_personal_data_are_not_cached(client, caseworker, household):
    # given a signed-in caseworker
    client.force_login(caseworker)
    # when a household page is opened / then no-store, and a request id
    response = client.get(reverse("web:household_detail", args=[household.pk]))
    assert response["Cache-Control"] == "no-store" and len(response["X-Request-ID"]) >= 8


def test_api_answers_are_not_cached(client, caseworker):
    from jiuzhu.apps.accounts.tokens import token_create

    _, raw = token_create(user=caseworker)
    response = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_public_pages_stay_cacheable_and_keep_a_good_request_id(client, regions):
    # given an anonymous visitor of the public notices, sent through a proxy with its request id
    response = client.get(reverse("web:public_notices"), HTTP_X_REQUEST_ID="proxy-req-0001")
    # then the page is not marked no-store and the proxy's id is answered back; a malformed one is replaced
    assert "no-store" not in response.get("Cache-Control", "")
    assert response["X-Request-ID"] == "proxy-req-0001"
    bad = client.get(reverse("web:public_notices"), HTTP_X_REQUEST_ID="<script>")
    assert bad["X-Request-ID"] != "<script>" and re.fullmatch(r"[0-9a-f]{32}", bad["X-Request-ID"])


# --- login throttling ---

def _login(client, username, password, ip="10.0.0.5"):
    return client.post(reverse("web:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@override_settings(JIUZHU_LOGIN_FAILURES_PER_USER=3, JIUZHU_LOGIN_MAX_FAILURES=50)
def test_login_throttled_per_user_name_even_with_the_right_password(client, caseworker):
    # given three wrong passwords for one user name (from different addresses)
    for i in range(3):
        assert _login(client, caseworker.username, "wrong-Password-1", ip=f"10.0.1.{i}").status_code == 400
    # when the right password comes next
    response = _login(client, caseworker.username, PASSWORD, ip="10.0.1.99")
    # then it is refused with 429 and a Chinese message, not signed in
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    assert int(response["Retry-After"]) > 0 and "_auth_user_id" not in client.session


@override_settings(JIUZHU_LOGIN_FAILURES_PER_IP=4, JIUZHU_LOGIN_FAILURES_PER_USER=100)
def test_login_throttled_per_address_across_user_names(client, caseworker):
    # given one address guessing four different (unknown) user names
    for i in range(4):
        assert _login(client, f"guess{i}", "wrong-Password-1").status_code == 400
    # when a real user signs in from that address / then it waits; from another address it works
    assert _login(client, caseworker.username, PASSWORD).status_code == 429
    assert _login(client, caseworker.username, PASSWORD, ip="10.9.9.9").status_code == 302


@override_settings(JIUZHU_LOGIN_FAILURES_PER_USER=3, JIUZHU_LOGIN_MAX_FAILURES=50,
                   JIUZHU_THROTTLE_WINDOW_SECONDS=60)
def test_login_throttle_window_passes(client, caseworker):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    # given a user name throttled after three failures
    for i in range(3):
        _login(client, caseworker.username, "wrong-Password-1", ip=f"10.0.2.{i}")
    assert _login(client, caseworker.username, PASSWORD).status_code == 429
    # when the window has passed / then the right password signs in again
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        assert _login(client, caseworker.username, PASSWORD).status_code == 302


# --- passwords ---

@pytest.mark.parametrize("password, message", [
    ("aaaaaaaaaaaa", "3 类"), ("abcdefghijkl", "3 类"), ("Abcd1111efgh", "连续相同"), ("Sh0rt!", "太短"),
])
def test_weak_passwords_are_refused(regions, password, message):
    from jiuzhu.apps.accounts.services import user_create
    from jiuzhu.rules.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        user_create(actor=None, username="newuser", password=password, role="township_caseworker",
                    region_code="330127100000")
    assert exc.value.details["field"] == "password" and message in exc.value.message
    assert not User.objects.filter(username="newuser").exists()


def test_password_reset_command_applies_the_rules(caseworker, monkeypatch):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    # given / when a weak new password is given on stdin / then refused (exit 2), old password still works
    monkeypatch.setattr("sys.stdin", io.StringIO("aaaaaaaaaaaa\n"))
    with pytest.raises(CommandError) as exc:
        call_command("user", "password", caseworker.username)
    assert exc.value.returncode == 2
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)
    # when a strong one is given / then it is set and audited
    monkeypatch.setattr("sys.stdin", io.StringIO("Lake-Qiandao-2027\n"))
    call_command("user", "password", caseworker.username, stdout=io.StringIO())
    caseworker.refresh_from_db()
    from jiuzhu.apps.audit.models import AuditEvent

    assert caseworker.check_password("Lake-Qiandao-2027")
    assert AuditEvent.objects.filter(action="user.password_set", subject_id=str(caseworker.pk)).exists()
