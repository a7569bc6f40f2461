"""系统管理 · 用户 and API 令牌 pages: the administrator creates, changes, unlocks, resets and deactivates
users and issues / revokes tokens, all audited; everyone else gets a 403 with a Chinese reason; bad input
is named under its field and changes nothing; users of another county are not found."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jiuzhu.apps.accounts.models import ApiToken, User
from jiuzhu.apps.accounts.tokens import token_authenticate, token_create
from jiuzhu.apps.audit.models import AuditEvent
from tests.conftest import COUNTY, PASSWORD, TOWNSHIP_A, TOWNSHIP_B

from .helpers import field_error

NEW_PASSWORD = "Ziyou-Pingdeng-2026"


def state():
    return (list(User.objects.order_by("pk").values()), list(ApiToken.objects.order_by("pk").values()),
            AuditEvent.objects.count())


def html(resp) -> str:
    return resp.content.decode()


@pytest.mark.parametrize("name, args", [("system_users", []), ("system_tokens", []), ("system_settings", []),
                                        ("system_audit", [])])
def test_admin_pages_refuse_other_roles_in_chinese(client, caseworker, county_user, name, args):
    for user in (caseworker, county_user):
        client.force_login(user)
        resp = client.get(reverse(f"web:{name}", args=args))
        assert resp.status_code == 403 and "只有系统管理员" in html(resp)
    client.force_login(caseworker)
    assert client.get(reverse("web:system_index")).status_code == 403
    assert "系统管理仅供" in html(client.get(reverse("web:system_index")))


def test_system_menu_lists_the_tools_of_the_role(client, admin_user, county_user, caseworker):
    client.force_login(admin_user)
    page = html(client.get(reverse("web:workbench")))
    assert 'id="nav-system"' in page
    page = html(client.get(reverse("web:system_index")))
    for title in ("用户", "API 令牌", "工作日历", "审核确认流程设置", "审计日志校验"):
        assert f">{title}</a>" in page
    client.force_login(county_user)
    page = html(client.get(reverse("web:system_index")))
    assert ">保障标准调整</a>" in page and ">工作日历</a>" in page and ">用户</a>" not in page
    client.force_login(caseworker)
    assert 'id="nav-system"' not in html(client.get(reverse("web:workbench")))


def test_admin_creates_changes_resets_unlocks_and_deactivates_a_user(client, admin_user):
    client.force_login(admin_user)
    # create, with role, region, display name and post
    resp = client.post(reverse("web:system_users"), {
        "username": "county_checker", "display_name": "王审核", "post": "社会救助科科员", "role": "county_staff",
        "region": COUNTY, "password": NEW_PASSWORD})
    user = User.objects.get(username="county_checker")
    assert resp.status_code == 302 and resp["Location"] == reverse("web:system_user", args=[user.pk])
    assert (user.role, user.region_id, user.display_name, user.post) == ("county_staff", COUNTY, "王审核", "社会救助科科员")
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="user.create", subject_id=str(user.pk), actor_id=admin_user.pk).exists()
    assert "王审核" in html(client.get(reverse("web:system_users")))
    url = reverse("web:system_user", args=[user.pk])
    # change role and region
    client.post(url, {"action": "update", "role": "township_caseworker", "region": TOWNSHIP_A,
                      "display_name": "王审核", "post": "经办人"})
    user.refresh_from_db()
    assert (user.role, user.region_id, user.post) == ("township_caseworker", TOWNSHIP_A, "经办人")
    event = AuditEvent.objects.get(action="user.update")
    assert event.details["changes"]["role"] == ["county_staff", "township_caseworker"]
    assert event.details["changes"]["region_id"] == [COUNTY, TOWNSHIP_A] and "display_name" not in event.details["changes"]
    # unlock
    User.objects.filter(pk=user.pk).update(failed_logins=5, locked_until=timezone.now())
    assert 'id="unlock"' in html(client.get(url))
    client.post(url, {"action": "unlock"})
    user.refresh_from_db()
    assert user.failed_logins == 0 and user.locked_until is None
    # reset password
    client.post(url, {"action": "password", "password": "Another-Secret-2027", "password2": "Another-Secret-2027"})
    user.refresh_from_db()
    assert user.check_password("Another-Secret-2027")
    assert AuditEvent.objects.filter(action="user.password_set", subject_id=str(user.pk)).exists()
    # deactivate: the token stops working too
    _, raw = token_create(user=user)
    client.post(url, {"action": "deactivate"})
    user.refresh_from_db()
    assert not user.is_active and token_authenticate(raw) is None
    assert AuditEvent.objects.filter(action="user.deactivate", subject_id=str(user.pk)).exists()
    client.post(url, {"action": "activate"})
    user.refresh_from_db()
    assert user.is_active


@pytest.mark.parametrize("field, value, words", [
    ("username", "", "用户名：应为"),
    ("username", "有 空格", "用户名：应为"),
    ("username", "caseworker_a", "已存在"),
    ("role", "boss", "角色：未知角色"),
    ("region", "999999999999", "所属区划：区划代码“999999999999”不存在"),
    ("display_name", "长" * 51, "姓名：过长"),
    ("post", "长" * 51, "职务：过长"),
    ("password", "short", "密码太短"),
])
def test_create_user_bad_input_named_under_its_field(client, admin_user, caseworker, field, value, words):
    client.force_login(admin_user)
    data = {"username": "new_user", "display_name": "新人", "post": "", "role": "township_caseworker",
            "region": TOWNSHIP_A, "password": NEW_PASSWORD, field: value}
    before = state()
    resp = client.post(reverse("web:system_users"), data)
    assert resp.status_code in (409, 422)
    assert words in (field_error(html(resp), field) or ""), html(resp)
    assert state() == before


def test_user_detail_bad_input_and_self_protection(client, admin_user, caseworker):
    client.force_login(admin_user)
    url = reverse("web:system_user", args=[caseworker.pk])
    before = state()
    resp = client.post(url, {"action": "update", "role": "boss", "region": TOWNSHIP_A, "display_name": "", "post": ""})
    assert resp.status_code == 422 and "角色：未知角色" in field_error(html(resp), "role")
    resp = client.post(url, {"action": "password", "password": NEW_PASSWORD, "password2": "different-Pass-1"})
    assert resp.status_code == 422 and "两次输入的新密码不一致" in field_error(html(resp), "password2")
    resp = client.post(url, {"action": "password", "password": "1", "password2": "1"})
    assert resp.status_code == 422 and "密码太短" in field_error(html(resp), "password")
    own = reverse("web:system_user", args=[admin_user.pk])
    resp = client.post(own, {"action": "deactivate"})
    assert resp.status_code == 422 and "不能停用自己的账号" in html(resp)
    resp = client.post(own, {"action": "update", "role": "county_staff", "region": COUNTY, "display_name": "",
                             "post": ""})
    assert resp.status_code == 422 and "不能修改自己的角色" in field_error(html(resp), "role")
    assert state() == before


def test_township_admin_cannot_see_or_change_users_elsewhere(client, admin_user, caseworker, outsider):
    # given an administrator of township B
    User.objects.filter(pk=admin_user.pk).update(region_id=TOWNSHIP_B)
    client.force_login(admin_user)
    before = state()
    # then township A's caseworker is neither listed nor reachable, and cannot be moved into township A
    page = html(client.get(reverse("web:system_users")))
    assert "caseworker_b" in page and "caseworker_a" not in page
    url = reverse("web:system_user", args=[caseworker.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "deactivate"}).status_code == 404
    resp = client.post(reverse("web:system_user", args=[outsider.pk]), {
        "action": "update", "role": "township_caseworker", "region": TOWNSHIP_A, "display_name": "", "post": ""})
    assert resp.status_code == 422 and "不在您的管辖范围内" in field_error(html(resp), "region")
    resp = client.post(reverse("web:system_users"), {"username": "intruder", "role": "township_caseworker",
                                                     "region": TOWNSHIP_A, "password": NEW_PASSWORD})
    assert resp.status_code == 422 and "不在您的管辖范围内" in field_error(html(resp), "region")
    assert state() == before


def test_tokens_issue_once_list_and_revoke(client, admin_user, caseworker):
    client.force_login(admin_user)
    resp = client.post(reverse("web:system_tokens"), {"user": caseworker.pk, "name": "附件下载", "days": "30"})
    page = html(resp)
    token = ApiToken.objects.get()
    assert resp.status_code == 200 and "令牌只显示这一次" in page and resp["Cache-Control"] == "no-store"
    raw = page.split('id="token-value">')[1].split("<")[0]
    assert token_authenticate(raw) == caseworker and token.expires_at is not None
    assert AuditEvent.objects.filter(action="token.create", actor_id=admin_user.pk).exists()
    # the list shows the prefix, never the token again
    page = html(client.get(reverse("web:system_tokens")))
    assert token.prefix in page and raw not in page and "附件下载" in page
    client.post(reverse("web:system_token_revoke", args=[token.pk]))
    assert token_authenticate(raw) is None
    assert AuditEvent.objects.filter(action="token.revoke", actor_id=admin_user.pk).exists()


@pytest.mark.parametrize("data, field, words", [
    ({"user": ""}, "user", "用户：必填"),
    ({"user": "999999"}, "user", "用户：不存在或不在您的管辖范围内"),
    ({"days": "0"}, "days", "有效天数：应为 1 至"),
    ({"days": "abc"}, "days", "有效天数：应为 1 至"),
    ({"name": "x" * 101}, "name", "用途：过长"),
])
def test_token_bad_input(client, admin_user, caseworker, data, field, words):
    client.force_login(admin_user)
    before = state()
    resp = client.post(reverse("web:system_tokens"), {"user": caseworker.pk, "name": "", "days": "", **data})
    assert resp.status_code == 422 and words in (field_error(html(resp), field) or "")
    assert state() == before


def test_token_of_another_township_cannot_be_issued_or_revoked(client, admin_user, caseworker, outsider):
    token, raw = token_create(user=caseworker)
    User.objects.filter(pk=admin_user.pk).update(region_id=TOWNSHIP_B)
    client.force_login(admin_user)
    assert token.prefix not in html(client.get(reverse("web:system_tokens")))
    assert client.post(reverse("web:system_token_revoke", args=[token.pk])).status_code == 404
    resp = client.post(reverse("web:system_tokens"), {"user": caseworker.pk})
    assert resp.status_code == 422 and ApiToken.objects.count() == 1
    assert token_authenticate(raw) == caseworker
    assert PASSWORD  # personas log in with it elsewhere
