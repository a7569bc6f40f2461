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
# Audit anchors of a test run start empty (a test that anchors points this at its own directory).
JIUZHU_AUDIT_ANCHOR_DIR = Path(os.environ.get("JIUZHU_AUDIT_ANCHOR_DIR") or tempfile.mkdtemp(prefix="jiuzhu-anchors-"))

# Tests run at a frozen business date (issue 12 §2): JIUZHU_TEST_TODAY (ISO date) at 10:00 Asia/Shanghai,
# the clock ticking from there. tests/conftest.py sets the variable (default 2026-12-07) and calls
# frozen_clock_start(); a child process a test starts on these settings (a `jiuzhu` command, the API bench)
# inherits the variable and travels to the same date when it loads them. Test settings only.
_frozen_clock = None


def frozen_clock_start():
    """Travel to JIUZHU_TEST_TODAY 10:00 Asia/Shanghai once per process; return the date (None when unset)."""
    global _frozen_clock
    today = os.environ.get("JIUZHU_TEST_TODAY")
    if not today:
        return None
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    try:
        day = date.fromisoformat(today)
    except ValueError:
        raise ValueError(f"JIUZHU_TEST_TODAY={today!r} is not an ISO date (YYYY-MM-DD)") from None
    if _frozen_clock is None:
        import time_machine

        _frozen_clock = time_machine.travel(datetime.combine(day, time(10), ZoneInfo("Asia/Shanghai")), tick=True)
        _frozen_clock.start()
    return day


frozen_clock_start()

# A second connection would not see the rows of a test's own transaction (tests/apps/stats/
# test_parallel_reads.py turns it on in a transactional test).
JIUZHU_STATS_PARALLEL_READS = False
