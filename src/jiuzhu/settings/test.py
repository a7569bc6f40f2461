"""Test settings: fast hashing, throw-away keys, same database choice as base (SQLite or JIUZHU_DATABASE_URL)."""

import json
import os

from .base import *  # noqa: F401,F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Deterministic test keys, never used outside tests.
os.environ.setdefault(
    "JIUZHU_KEYS",
    json.dumps({"active": "t1", "keys": {"t1": "00112233445566778899aabbccddeeff"},
                "blind_index_key": "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"}),
)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": None}
elif os.environ.get("JIUZHU_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["JIUZHU_TEST_DB_NAME"]}

# Attachments written by tests go to a throw-away directory per process.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

JIUZHU_FILES_DIR = Path(tempfile.mkdtemp(prefix="jiuzhu-files-"))
