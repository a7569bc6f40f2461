from django.urls import reverse

from jiuzhu.apps.accounts.models import User
from tests.conftest import PASSWORD


def test_login_with_right_password_goes_to_workbench(client, caseworker):
    # given the caseworker persona
    # when they log in through the form
    resp = client.post(reverse("web:login"), {"username": "caseworker_a", "password": PASSWORD})
    # then they land on the workbench, whose nav shows name, role and region
    assert resp.status_code == 302 and resp.url == reverse("web:workbench")
    page = client.get(reverse("web:workbench")).content.decode()
    assert "caseworker_a" in page and "乡镇经办人" in page and "千岛湖镇" in page


def test_login_redirects_to_safe_next_only(client, caseworker):
    resp = client.post(reverse("web:login"), {"username": "caseworker_a", "password": PASSWORD,
                                              "next": "/households/"})
    assert resp.url == "/households/"
    client.logout()
    resp = client.post(reverse("web:login"), {"username": "caseworker_a", "password": PASSWORD,
                                              "next": "https://evil.example/"})
    assert resp.url == reverse("web:workbench")


def test_wrong_password_shows_chinese_error(client, caseworker):
    resp = client.post(reverse("web:login"), {"username": "caseworker_a", "password": "wrong-password"})
    assert resp.status_code == 400
    assert "用户名或密码错误" in resp.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client, regions):
    resp = client.post(reverse("web:login"), {"username": "nobody", "password": "x"})
    assert "用户名或密码错误" in resp.content.decode()


def test_fifth_failure_locks_the_account_and_says_until_when(client, caseworker):
    # given four failed attempts
    for _ in range(4):
        client.post(reverse("web:login"), {"username": "caseworker_a", "password": "nope"})
    # when the fifth fails
    resp = client.post(reverse("web:login"), {"username": "caseworker_a", "password": "nope"})
    # then the page says the account is locked, and even the right password is refused
    page = resp.content.decode()
    assert "账号已锁定，请于" in page and "后再试或联系管理员" in page
    resp = client.post(reverse("web:login"), {"username": "caseworker_a", "password": PASSWORD})
    assert "账号已锁定" in resp.content.decode()
    assert User.objects.get(username="caseworker_a").locked_until is not None
    assert "_auth_user_id" not in client.session


def test_pages_require_login(client, regions):
    for name in ("web:workbench", "web:household_list", "web:household_create", "web:audit_list"):
        resp = client.get(reverse(name))
        assert resp.status_code == 302 and resp.url.startswith(reverse("web:login"))


def test_logout_is_post_only_and_ends_the_session(client, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("web:logout")).status_code == 405
    resp = client.post(reverse("web:logout"))
    assert resp.status_code == 302
    assert client.get(reverse("web:workbench")).status_code == 302


def test_workbench_shows_empty_tasks_and_household_count(client, caseworker, household, outsider):
    client.force_login(caseworker)
    page = client.get(reverse("web:workbench")).content.decode()
    assert "暂无待办事项" in page
    assert '<p class="big" id="household-count">1</p>' in page
    client.force_login(outsider)
    page = client.get(reverse("web:workbench")).content.decode()
    assert '<p class="big" id="household-count">0</p>' in page


def test_base_layout_has_vendored_htmx_and_csrf_header(client, caseworker):
    client.force_login(caseworker)
    page = client.get(reverse("web:workbench")).content.decode()
    assert "/static/vendor/htmx/htmx.min.js" in page
    assert "hx-headers='{\"X-CSRFToken\":" in page
    assert "http://" not in page and "https://" not in page  # no CDN links


def test_vendored_htmx_is_version_2_with_license():
    from pathlib import Path

    import jiuzhu.web

    vendor = Path(jiuzhu.web.__file__).parent / "static" / "vendor" / "htmx"
    assert (vendor / "LICENSE").exists()
    assert 'version:"2.' in (vendor / "htmx.min.js").read_text()
