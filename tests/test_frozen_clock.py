"""The session runs at the frozen business date JIUZHU_TEST_TODAY (tests/conftest.py): the test process,
module-level code, a live_server thread and a `jiuzhu` child process on the test settings all see it."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from datetime import date, datetime, time
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

TODAY = date.fromisoformat(os.environ["JIUZHU_TEST_TODAY"])
IMPORTED_ON = timezone.localdate()  # module level: runs at collection, after pytest_configure
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_process_and_module_level_code_see_the_frozen_date():
    # then the clock travels: the date is the frozen one, from 10:00 on, ticking
    assert time_machine.escape_hatch.is_travelling()
    assert IMPORTED_ON == TODAY == timezone.localdate() == date.today()
    now = timezone.localtime()
    assert datetime.combine(TODAY, time(10), SHANGHAI) <= now <= datetime.now(SHANGHAI)


def _served_at(live_server) -> datetime:
    """The live server's clock: a thread of this process, it writes its HTTP Date header from time.time()."""
    with urllib.request.urlopen(f"{live_server.url}/api/v1/health", timeout=30) as response:
        return parsedate_to_datetime(response.headers["Date"])


def test_a_live_server_thread_sees_the_frozen_date(live_server):
    # when the live server answers, then its clock is the traveled one, from 10:00 on the frozen date
    assert datetime.combine(TODAY, time(10), SHANGHAI) <= _served_at(live_server) <= timezone.now()
    # and it follows this process's travel (distinguishable from the real clock on any date)
    moment = datetime(2031, 1, 2, 3, 4, 5, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        assert _served_at(live_server) == moment


def test_a_child_process_on_the_test_settings_sees_the_frozen_date():
    # given a child process on the test settings (it inherits JIUZHU_TEST_TODAY)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiuzhu.settings.test"}
    code = ("import django, time_machine; django.setup(); from django.utils import timezone; "
            "print(timezone.localdate(), time_machine.escape_hatch.is_travelling())")
    # when it asks for today
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    # then it travels to the frozen date
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [TODAY.isoformat(), "True"]
