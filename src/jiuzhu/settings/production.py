"""Settings for ``jiuzhu`` and the WSGI application. Same as base in development; with
``JIUZHU_ENV=production`` HTTPS-only cookies, HSTS behind the TLS proxy, JSON logs, and no start with
default or demo secrets (a Chinese message names each; ``jiuzhu check`` lists them without refusing).

Knobs (environment): ``JIUZHU_PROXY_SSL_HEADER`` (the header the TLS proxy sets, e.g.
``X-Forwarded-Proto: https``), ``JIUZHU_HSTS_SECONDS`` (default one year), ``JIUZHU_HSTS_SUBDOMAINS``,
``JIUZHU_SSL_REDIRECT`` (default 1 when the proxy header is set).
"""

import os
import sys

from .base import *  # noqa: F401,F403
from .base import DEBUG, JIUZHU_ENV, SECRET_KEY, VAR_DIR


def _proxy_header(raw: str):
    """``X-Forwarded-Proto: https`` → ("HTTP_X_FORWARDED_PROTO", "https")."""
    name, sep, value = raw.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not name or not value:
        raise SystemExit(f"环境变量 JIUZHU_PROXY_SSL_HEADER（HTTPS 代理头）应形如“X-Forwarded-Proto: https”，实为“{raw}”")
    return "HTTP_" + name.upper().replace("-", "_"), value


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SystemExit(f"环境变量 {name} 应为非负整数，实为“{raw}”")
    return int(raw)


if os.environ.get("JIUZHU_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = _proxy_header(os.environ["JIUZHU_PROXY_SSL_HEADER"])

if JIUZHU_ENV == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), not from the cookie
    SECURE_HSTS_SECONDS = _int("JIUZHU_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("JIUZHU_HSTS_SUBDOMAINS", "0") == "1"
    SECURE_SSL_REDIRECT = os.environ.get(
        "JIUZHU_SSL_REDIRECT", "1" if os.environ.get("JIUZHU_PROXY_SSL_HEADER") else "0") == "1"
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]  # the proxy's and monitoring's plain-HTTP liveness probe

    from jiuzhu.core.readiness import secret_problems

    JIUZHU_STARTUP_PROBLEMS = secret_problems(os.environ, secret_key=SECRET_KEY, var_dir=VAR_DIR, debug=DEBUG)
    if JIUZHU_STARTUP_PROBLEMS and os.environ.get("JIUZHU_CHECK_ONLY") != "1":
        lines = "\n".join(f"  - {item.message}" for item in JIUZHU_STARTUP_PROBLEMS)
        sys.stderr.write(f"生产环境（JIUZHU_ENV=production）拒绝启动：\n{lines}\n"
                         "运行 `jiuzhu check` 查看全部未就绪项；部署说明见 docs/deployment.md。\n")
        raise SystemExit(2)
