"""Production settings (issue 18 §6): JIUZHU_ENV=production turns on HTTPS-only cookies, HSTS behind the
TLS proxy header and JSON logs, refuses default or demo secrets with a Chinese message, and `jiuzhu check`
lists what is not production-ready (exit 1 when anything blocks)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest

from jiuzhu.core.crypto import generate_key_material

PRINT = ("import django; django.setup(); from django.conf import settings as s; import json; print(json.dumps("
         "{'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, 'hsts': s.SECURE_HSTS_SECONDS,"
         " 'proxy': list(s.SECURE_PROXY_SSL_HEADER or ()), 'redirect': s.SECURE_SSL_REDIRECT,"
         " 'log': s.LOGGING['handlers']['console']['formatter'], 'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES']}))")


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIUZHU_") or k == "JIUZHU_TEST_TODAY"}
    env.update(DJANGO_SETTINGS_MODULE="jiuzhu.settings.production", JIUZHU_VAR_DIR=str(tmp_path / "var"),
               JIUZHU_ENV="production")
    env.update(extra)
    return env


def _ready_env(tmp_path, **extra):
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(generate_key_material()))
    keys.chmod(0o600)
    ready = {"JIUZHU_SECRET_KEY": secrets.token_urlsafe(50), "JIUZHU_KEY_FILE": str(keys),
             "JIUZHU_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}
    return _env(tmp_path, **{**ready, **extra})


def _run(env, code=PRINT):
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_production_refuses_default_secrets_in_chinese(tmp_path):
    # given production without JIUZHU_SECRET_KEY or JIUZHU_KEY_FILE
    # when the settings load
    proc = _run(_env(tmp_path))
    # then the start is refused, each problem named, without a traceback
    assert proc.returncode == 2, proc.stderr
    assert "拒绝启动" in proc.stderr and "JIUZHU_SECRET_KEY" in proc.stderr and "JIUZHU_KEY_FILE" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("secret", ["change-me", "django-insecure-" + "x" * 50, "a" * 60])
def test_production_refuses_a_weak_secret_key(tmp_path, secret):
    proc = _run(_ready_env(tmp_path, JIUZHU_SECRET_KEY=secret))
    assert proc.returncode == 2 and "JIUZHU_SECRET_KEY 是默认值或过于简单" in proc.stderr


def test_production_refuses_the_test_keys_and_demo_data(tmp_path):
    # given the public test keys and a data directory the demo ran in
    env = _ready_env(tmp_path, JIUZHU_KEYS=json.dumps({"active": "t1", "keys": {"t1": "00112233445566778899aabbccddeeff"},
                                                       "blind_index_key": "ab" * 32}))
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "demo_password").write_text("Jz-known")
    # when / then both are named
    proc = _run(env)
    assert proc.returncode == 2 and "测试用的公开密钥" in proc.stderr and "演示账号" in proc.stderr


def test_production_turns_on_https_only_cookies_hsts_and_json_logs(tmp_path):
    # given production with its own secrets behind a TLS proxy
    proc = _run(_ready_env(tmp_path))
    # when / then
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["session"] is True and got["csrf"] is True and got["hsts"] >= 31536000 and got["redirect"] is True
    assert got["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"] and got["log"] == "json"
    assert got["csp"]["script-src"] == ["'self'"] and got["csp"]["style-src"] == ["'self'"]


def test_bad_proxy_header_setting_is_named(tmp_path):
    proc = _run(_ready_env(tmp_path, JIUZHU_PROXY_SSL_HEADER="https"))
    assert proc.returncode != 0 and "JIUZHU_PROXY_SSL_HEADER" in proc.stderr and "Traceback" not in proc.stderr


def test_development_is_unchanged(tmp_path):
    # given no JIUZHU_ENV: development keeps plain cookies and text logs (and starts without set secrets)
    env = _env(tmp_path)
    env.pop("JIUZHU_ENV")
    got = json.loads(_run(env).stdout)
    assert got["session"] is False and got["hsts"] == 0 and got["log"] == "text"


def _check(env):
    return subprocess.run([sys.executable, "-c", "from jiuzhu.cli import main; main(['jiuzhu', 'check', '--json'])"],
                          env=env, capture_output=True, text=True, timeout=180)


def test_jiuzhu_check_lists_refused_secrets_instead_of_refusing(tmp_path):
    # given production with default secrets on SQLite
    # when `jiuzhu check` runs
    proc = _check(_env(tmp_path))
    # then it lists them (it does not refuse to start) and exits 1
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    codes = {i["code"] for i in report["items"]}
    assert report["ready"] is False
    assert {"secret_key.unset", "pii_keys.default", "database.sqlite", "allowed_hosts"} <= codes


def test_jiuzhu_check_flags_a_readable_key_file(tmp_path):
    # given production secrets set, but a key file others can read
    env = _ready_env(tmp_path, JIUZHU_ALLOWED_HOSTS="jz.example.gov.cn")
    os.chmod(env["JIUZHU_KEY_FILE"], 0o644)
    # when
    report = json.loads(_check(env).stdout.strip().splitlines()[-1])
    # then the secrets pass, the file mode does not
    codes = {i["code"]: i["message"] for i in report["items"]}
    assert "secret_key.unset" not in codes and "pii_keys.default" not in codes and "allowed_hosts" not in codes
    assert "chmod 600" in codes["perm.密钥文件"]
