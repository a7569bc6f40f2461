"""What is not production-ready (issue 18 §6): the secret checks that stop a production start
(``secret_problems``, used by settings/production.py before Django is set up) and the full list that
``jiuzhu check`` prints (``readiness``). Every message is Chinese and names the setting to change."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

# Key material that must never protect real data: the test settings' keys (settings/test.py).
TEST_KEYS = {"00112233445566778899aabbccddeeff",
             "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"}
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "secret-key", "jiuzhu", "please-change-me", "test"}


@dataclass(frozen=True)
class Item:
    code: str
    message: str
    blocking: bool = True

    def line(self) -> str:
        return f"{'✗' if self.blocking else '!'} {self.message}"


def _key_material(env) -> dict | None:
    raw = env.get("JIUZHU_KEYS")
    try:
        if raw:
            return json.loads(raw)
        if env.get("JIUZHU_KEY_FILE") and Path(env["JIUZHU_KEY_FILE"]).exists():
            return json.loads(Path(env["JIUZHU_KEY_FILE"]).read_text())
    except (OSError, ValueError):
        return None
    return None


def secret_problems(env, *, secret_key: str, var_dir: Path, debug: bool) -> list[Item]:
    """Default or demo secrets: a production start is refused while any is found."""
    items = []
    if not env.get("JIUZHU_SECRET_KEY") and not env.get("JIUZHU_SECRET_KEY_FILE"):
        items.append(Item("secret_key.unset", "未设置 JIUZHU_SECRET_KEY（或 JIUZHU_SECRET_KEY_FILE）：生产环境不能使用"
                                              "自动生成在 var/ 下的开发密钥"))
    elif (secret_key.strip().lower() in PLACEHOLDER_SECRETS or secret_key.startswith("django-insecure")
          or len(secret_key) < 50 or len(set(secret_key)) < 10):
        items.append(Item("secret_key.weak", "JIUZHU_SECRET_KEY 是默认值或过于简单：应为至少 50 个字符的随机串"
                                             "（python3 -c \"import secrets; print(secrets.token_urlsafe(50))\"）"))
    if not env.get("JIUZHU_KEYS") and not env.get("JIUZHU_KEY_FILE"):
        items.append(Item("pii_keys.default", "未设置 JIUZHU_KEY_FILE：生产环境的个人信息加密密钥文件应放在程序目录之外"
                                              "（如 /etc/jiuzhu/keys.json），不能使用演示时生成的 var/keys.json"))
    material = _key_material(env)
    if material is not None:
        values = set(material.get("keys", {}).values()) | {material.get("blind_index_key", "")}
        if values & TEST_KEYS:
            items.append(Item("pii_keys.test", "个人信息加密密钥是测试用的公开密钥：请用 `jiuzhu keys init` 生成新的密钥文件"))
    if (var_dir / "demo_password").exists():
        items.append(Item("demo.accounts", f"{var_dir}/demo_password 存在：此数据目录载入过演示账号（口令已知），"
                                           "生产环境请使用新的数据目录和数据库"))
    if debug:
        items.append(Item("debug.on", "JIUZHU_DEBUG=1：生产环境必须关闭调试模式（出错页面会显示个人信息和配置）"))
    return items


def _mode_problem(path: Path, want: int, what: str) -> Item | None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if mode & 0o077:
        return Item(f"perm.{what}", f"{what} {path} 的权限为 {mode:o}，应为 {want:o}（chmod {want:o} {path}）")
    return None


def readiness(settings, *, now, next_year_calendar: str | None = None) -> list[Item]:
    """Everything ``jiuzhu check`` reports: blocking items (exit 1) and advice. ``next_year_calendar`` is
    the status of next year's working calendar (official | provisional | missing)."""
    env = os.environ
    items = list(getattr(settings, "JIUZHU_STARTUP_PROBLEMS", None) or secret_problems(
        env, secret_key=settings.SECRET_KEY, var_dir=Path(settings.VAR_DIR), debug=settings.DEBUG))
    if settings.JIUZHU_ENV != "production":
        items.append(Item("env", "JIUZHU_ENV 不是 production：未启用仅 HTTPS 的 Cookie、HSTS 和 JSON 日志"))
    key_file = Path(settings.JIUZHU_KEY_FILE)
    for problem in (_mode_problem(key_file, 0o600, "密钥文件"), _mode_problem(Path(settings.VAR_DIR), 0o700, "数据目录")):
        if problem:
            items.append(problem)
    if env.get("JIUZHU_SECRET_KEY_FILE"):
        if problem := _mode_problem(Path(env["JIUZHU_SECRET_KEY_FILE"]), 0o600, "SECRET_KEY 文件"):
            items.append(problem)
    try:
        if key_file.exists() and key_file.resolve().is_relative_to(Path(settings.BASE_DIR).resolve().parent.parent):
            items.append(Item("pii_keys.in_tree", f"密钥文件 {key_file} 位于程序目录内：请移到程序目录之外并设置 JIUZHU_KEY_FILE"))
    except OSError:
        pass
    if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        items.append(Item("https.proxy_header", "未设置 JIUZHU_PROXY_SSL_HEADER（如 “X-Forwarded-Proto: https”）："
                                                "经 HTTPS 反向代理访问时无法识别 HTTPS，HSTS 不会生效"))
    if not getattr(settings, "SESSION_COOKIE_SECURE", False) or not getattr(settings, "CSRF_COOKIE_SECURE", False):
        items.append(Item("https.cookies", "会话和 CSRF Cookie 未设为仅 HTTPS（JIUZHU_ENV=production 时自动设置）"))
    if not getattr(settings, "SECURE_HSTS_SECONDS", 0):
        items.append(Item("https.hsts", "未启用 HSTS（JIUZHU_HSTS_SECONDS）"))
    local = {"127.0.0.1", "localhost", "testserver", "::1"}
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS or set(settings.ALLOWED_HOSTS) <= local:
        items.append(Item("allowed_hosts", f"JIUZHU_ALLOWED_HOSTS 应为本系统的域名（现为 {','.join(settings.ALLOWED_HOSTS) or '空'}）"))
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        items.append(Item("database.sqlite", "数据库是 SQLite：县级生产环境请使用 PostgreSQL（JIUZHU_DATABASE_URL=postgresql://…）"))
    items.extend(_backup_items(settings, now=now))
    items.extend(_calendar_items(now=now, status=next_year_calendar))
    return items


def _backup_items(settings, *, now) -> list[Item]:
    backup_dir = os.environ.get("JIUZHU_BACKUP_DIR") or getattr(settings, "JIUZHU_BACKUP_DIR", "")
    if not backup_dir:
        return [Item("backup.unset", "未设置 JIUZHU_BACKUP_DIR：无法检查最近的备份（见 docs/operations-backup.md）",
                     blocking=False)]
    path = Path(backup_dir)
    newest = max((p.stat().st_mtime for p in path.rglob("*") if p.is_file()), default=None) if path.is_dir() else None
    if newest is None or now.timestamp() - newest > timedelta(hours=24).total_seconds():
        return [Item("backup.stale", f"备份目录 {path} 中没有最近 24 小时内的备份（运行 `jiuzhu backup`）")]
    return []


def _calendar_items(*, now, status: str | None) -> list[Item]:
    if status in (None, "official"):
        return []
    what = "仍为暂定（未导入国务院放假安排）" if status == "provisional" else "缺失"
    return [Item("calendar.provisional", f"{now.year + 1} 年工作日历{what}：`jiuzhu calendar import`", blocking=False)]
