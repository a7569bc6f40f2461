"""Settings shared by every environment. Every knob comes from the environment (JIUZHU_*)."""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/jiuzhu
PROJECT_DIR = Path(os.environ.get("JIUZHU_HOME", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("JIUZHU_VAR_DIR", PROJECT_DIR / "var"))


def _secret_key() -> str:
    if key := os.environ.get("JIUZHU_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("JIUZHU_DEBUG", "0") == "1"
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
    "jiuzhu.apps.regions",
    "jiuzhu.apps.accounts",
    "jiuzhu.apps.audit",
    "jiuzhu.apps.workcalendar",
    "jiuzhu.apps.registry",
    "jiuzhu.apps.cases",
    "jiuzhu.apps.enrollment",
    "jiuzhu.apps.documents",
    "jiuzhu.apps.payments",
    "jiuzhu.apps.reviews",
    "jiuzhu.apps.verification",
    "jiuzhu.apps.monitoring",
    "jiuzhu.web",
    "jiuzhu",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:workbench"

# Lock-out after repeated failures; session expiry.
JIUZHU_LOGIN_MAX_FAILURES = int(os.environ.get("JIUZHU_LOGIN_MAX_FAILURES", "5"))
JIUZHU_LOGIN_LOCK_MINUTES = int(os.environ.get("JIUZHU_LOGIN_LOCK_MINUTES", "30"))
SESSION_COOKIE_AGE = int(os.environ.get("JIUZHU_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Personal data keys: JIUZHU_KEYS (JSON) or JIUZHU_KEY_FILE (a file kept outside the repository).
# Case attachments (scans, photos): files outside the database.
JIUZHU_FILES_DIR = Path(os.environ.get("JIUZHU_FILES_DIR", VAR_DIR / "files"))
JIUZHU_KEY_FILE = os.environ.get("JIUZHU_KEY_FILE", str(VAR_DIR / "keys.json"))

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JIUZHU_LOG_LEVEL", "WARNING")},
}
