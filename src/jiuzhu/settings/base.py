"""Settings shared by every environment. Every knob comes from the environment (JIUZHU_*)."""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/jiuzhu
PROJECT_DIR = Path(os.environ.get("JIUZHU_HOME", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("JIUZHU_VAR_DIR", PROJECT_DIR / "var"))


def _secret_key() -> str:
    """JIUZHU_SECRET_KEY, or the file JIUZHU_SECRET_KEY_FILE; in development a key generated once under var/."""
    if key := os.environ.get("JIUZHU_SECRET_KEY"):
        return key
    if name := os.environ.get("JIUZHU_SECRET_KEY_FILE"):
        try:
            return Path(name).read_text().strip()
        except OSError as exc:
            raise SystemExit(f"无法读取 JIUZHU_SECRET_KEY_FILE 指定的密钥文件 {name}：{exc.strerror}") from None
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("JIUZHU_DEBUG", "0") == "1"
# development (default) | production: production turns on HTTPS-only cookies, HSTS, JSON logs and refuses
# default secrets (settings/production.py); `jiuzhu check` lists what is not production-ready.
JIUZHU_ENV = os.environ.get("JIUZHU_ENV", "development").strip().lower() or "development"
if JIUZHU_ENV not in ("development", "production"):
    raise SystemExit(f"环境变量 JIUZHU_ENV（运行环境）应为 development 或 production，实为“{JIUZHU_ENV}”")
ALLOWED_HOSTS = [h for h in os.environ.get("JIUZHU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JIUZHU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "jiuzhu.apps.regions",
    "jiuzhu.apps.accounts",
    "jiuzhu.apps.audit",
    "jiuzhu.apps.workcalendar",
    "jiuzhu.apps.jobs",
    "jiuzhu.apps.registry",
    "jiuzhu.apps.cases",
    "jiuzhu.apps.enrollment",
    "jiuzhu.apps.reserve",  # 临时救助备用金 (issue 14 §2)
    "jiuzhu.apps.programs",  # dibao/tekun steps registered with the case engine (cases.registry)
    "jiuzhu.apps.documents",
    "jiuzhu.apps.payments",
    "jiuzhu.apps.reviews",
    "jiuzhu.apps.integrity",
    "jiuzhu.apps.verification",
    "jiuzhu.apps.monitoring",
    "jiuzhu.apps.lowincome",
    "jiuzhu.apps.care",
    "jiuzhu.apps.stats",
    "jiuzhu.apps.exports",  # xlsx exports of the lists (large ones as background jobs)
    "jiuzhu.apps.backup",  # backup/restore; the daily audit anchor job
    "jiuzhu.web",
    "jiuzhu",
]

MIDDLEWARE = [
    "jiuzhu.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jiuzhu.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Content-Security-Policy (django-csp): scripts and styles from our own static files only, no inline
# script, style or handler (issue 18 §6). The API's Swagger page (/api/docs) is left out: it loads its
# own page script.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "jiuzhu.urls"
WSGI_APPLICATION = "jiuzhu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'jiuzhu.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("JIUZHU_DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["jiuzhu.apps.accounts.backends.LockoutBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jiuzhu.apps.accounts.passwords.ComplexityValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:workbench"

# Lock-out after repeated failures; session expiry.
# The office named on the login page (e.g. "淳安县民政局"); empty: the one county loaded, if only one.
JIUZHU_OFFICE_NAME = os.environ.get("JIUZHU_OFFICE_NAME", "").strip()[:60]
JIUZHU_LOGIN_MAX_FAILURES = int(os.environ.get("JIUZHU_LOGIN_MAX_FAILURES", "5"))
JIUZHU_LOGIN_LOCK_MINUTES = int(os.environ.get("JIUZHU_LOGIN_LOCK_MINUTES", "30"))
SESSION_COOKIE_AGE = int(os.environ.get("JIUZHU_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SAMESITE = "Lax"

# Throttling (issue 18 §6): failed logins per user name and per client address, bad API tokens per
# address, counted in the database (shared by every server process) over a sliding window.
JIUZHU_THROTTLE_WINDOW_SECONDS = int(os.environ.get("JIUZHU_THROTTLE_WINDOW_SECONDS", "900"))
JIUZHU_LOGIN_FAILURES_PER_USER = int(os.environ.get("JIUZHU_LOGIN_FAILURES_PER_USER", "10"))
JIUZHU_LOGIN_FAILURES_PER_IP = int(os.environ.get("JIUZHU_LOGIN_FAILURES_PER_IP", "30"))
JIUZHU_BAD_TOKENS_PER_IP = int(os.environ.get("JIUZHU_BAD_TOKENS_PER_IP", "30"))
# Behind a reverse proxy: take the client address from the last X-Forwarded-For entry (the one the proxy
# added). Only turn on when every request comes through the proxy.
JIUZHU_TRUST_X_FORWARDED_FOR = os.environ.get("JIUZHU_TRUST_X_FORWARDED_FOR", "0") == "1"

# Personal data keys: JIUZHU_KEYS (JSON) or JIUZHU_KEY_FILE (a file kept outside the repository).
# Case attachments (scans, photos): files outside the database.
# Request bodies (JSON, form fields; uploaded files are not counted) above this are refused: the API
# answers 413 {"code": "too_large", …}. Files have their own per-importer limits (jiuzhu.core.uploads).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("JIUZHU_MAX_BODY_BYTES", str(1024 * 1024)))
JIUZHU_FILES_DIR = Path(os.environ.get("JIUZHU_FILES_DIR", VAR_DIR / "files"))
JIUZHU_KEY_FILE = os.environ.get("JIUZHU_KEY_FILE", str(VAR_DIR / "keys.json"))
# Signed audit chain heads (`jiuzhu audit anchor`) and database backups (`jiuzhu backup`): copy both
# off the server too (docs/operations-backup.md).
JIUZHU_AUDIT_ANCHOR_DIR = Path(os.environ.get("JIUZHU_AUDIT_ANCHOR_DIR", VAR_DIR / "audit-anchors"))
JIUZHU_BACKUP_DIR = Path(os.environ.get("JIUZHU_BACKUP_DIR", VAR_DIR / "backups"))

# Background jobs (jiuzhu worker): poll interval, heartbeat, how old a heartbeat may get before another
# worker takes the job back (its worker died), and the first retry's backoff (doubling each attempt).
JIUZHU_JOB_POLL_SECONDS = float(os.environ.get("JIUZHU_JOB_POLL_SECONDS", "2"))
JIUZHU_JOB_HEARTBEAT_SECONDS = float(os.environ.get("JIUZHU_JOB_HEARTBEAT_SECONDS", "5"))
JIUZHU_JOB_TIMEOUT_SECONDS = float(os.environ.get("JIUZHU_JOB_TIMEOUT_SECONDS", "120"))
JIUZHU_JOB_BACKOFF_SECONDS = float(os.environ.get("JIUZHU_JOB_BACKOFF_SECONDS", "30"))

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Logs: JSON lines with the request id in production (JIUZHU_LOG_FORMAT=json|text), never a query string
# or an ID number (jiuzhu.core.logs); one line per request from jiuzhu.request at INFO.
from jiuzhu.core.logs import logging_config  # noqa: E402

JIUZHU_LOG_FORMAT = os.environ.get("JIUZHU_LOG_FORMAT", "json" if JIUZHU_ENV == "production" else "text")
if JIUZHU_LOG_FORMAT not in ("json", "text"):
    raise SystemExit(f"环境变量 JIUZHU_LOG_FORMAT（日志格式）应为 json 或 text，实为“{JIUZHU_LOG_FORMAT}”")
LOGGING = logging_config(fmt=JIUZHU_LOG_FORMAT, level=os.environ.get("JIUZHU_LOG_LEVEL", "WARNING"),
                         request_level=os.environ.get("JIUZHU_REQUEST_LOG_LEVEL", "INFO"))

# The monthly statistics read the month's payment lines on a second database connection, in parallel
# with the enrollments (PostgreSQL only; apps/stats/readers.py).
JIUZHU_STATS_PARALLEL_READS = True
