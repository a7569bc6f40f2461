"""Shared fixtures: the demo county's regions and named personas.

Personas (all in 千岛湖镇 = township A unless named otherwise):
申请人 data via ``household_data``; 协理员 ``village_user`` (珍珠半岛村); 经办人 ``caseworker``;
审核人 ``reviewer``; 县民政 ``county_user``; 纪检 ``inspector``; 管理员 ``admin_user``;
an outsider ``outsider`` (经办人 of 文昌镇 = township B).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.synthetic.demo import demo_regions_load
from jiuzhu.apps.workcalendar.selectors import calendar_cache_clear
from jiuzhu.rules import idcard

TOWNSHIP_A = "330127100000"  # 千岛湖镇
VILLAGE_A = "330127100201"  # 珍珠半岛村
VILLAGE_A2 = "330127100202"  # 宋家湖村
TOWNSHIP_B = "330127101000"  # 文昌镇
VILLAGE_B = "330127101201"  # 王家源村
COUNTY = "330127000000"
AS_OF = date(2026, 11, 30)
PASSWORD = "Correct-Horse-42"
TEST_TODAY_DEFAULT = "2026-12-07"


def pytest_configure(config):
    """The whole session runs at a frozen business date: JIUZHU_TEST_TODAY (default 2026-12-07) at 10:00
    Asia/Shanghai, the clock ticking (time-machine patches the process, live_server threads included).
    It starts here, before test modules are imported (their module-level dates see it), in every xdist
    worker too; the variable is exported so a child process on the test settings travels likewise."""
    from jiuzhu.settings.test import frozen_clock_start

    os.environ["JIUZHU_TEST_TODAY"] = os.environ.get("JIUZHU_TEST_TODAY") or TEST_TODAY_DEFAULT
    frozen_clock_start()


CHROMIUM = Path("/usr/bin/chromium")


def missing_tool(message: str):
    """Skip the calling test for lack of an optional tool (Debian chromium, Java + PySpark) — but fail it
    under CI=true, where `make test` installs them and a skip would hide a test that never ran."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true: failing instead of skipping (`make test` installs it)", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def needs_chromium():
    """Browser tests: ``pytestmark = pytest.mark.usefixtures("needs_chromium")``.

    One browser test at a time on the machine: the two xdist workers otherwise both end on browser walks
    (each a Chromium and a live server), and on two cores a page then takes longer than Playwright's
    timeouts (CI once saw a screenshot and a login page each time out that way). A file lock serialises
    them; the other worker waits, it does not fail."""
    import fcntl
    import tempfile

    if not CHROMIUM.exists():
        missing_tool(f"Debian chromium is not installed at {CHROMIUM}")
    with open(Path(tempfile.gettempdir()) / "jiuzhu-browser-tests.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield CHROMIUM
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def needs_pyspark():
    """DuckDB/Spark parity tests: PySpark is installed by `make test` when Java 17 is on the machine."""
    from jiuzhu.batch.engines import pyspark_available

    if not pyspark_available():
        missing_tool("PySpark 未安装（需要 Java 17；可选依赖：pip install .[spark]），无法做 DuckDB/Spark 对比")


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture(autouse=True)
def _no_audit_anchor_left_behind():
    """An audit anchor (say, from a scheduled job a test runs) names events of that test's rolled-back
    database: left in the process's anchor directory it would fail the next test's `audit verify`."""
    yield
    from django.conf import settings

    for path in Path(settings.JIUZHU_AUDIT_ANCHOR_DIR).glob("anchor-*.json"):
        path.unlink()


# Data migrations whose rows a transactional test's flush removes; later tests on the same worker
# rely on them (the holiday calendar above all).
DATA_MIGRATIONS = ("jiuzhu.apps.workcalendar.migrations.0002_seed_2004_2026",
                   "jiuzhu.apps.verification.migrations.0002_sources")


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool((marker and marker.kwargs.get("transaction"))
                or {"transactional_db", "live_server"} & set(request.fixturenames))


def _uses_db(request) -> bool:
    return bool(request.node.get_closest_marker("django_db")
                or {"db", "transactional_db", "live_server"} & set(request.fixturenames))


def _reseed(django_db_blocker):
    import importlib

    from django.apps import apps

    from jiuzhu.apps.workcalendar.models import CalendarYear

    with django_db_blocker.unblock():
        if CalendarYear.objects.exists():
            return
        for name in DATA_MIGRATIONS:
            module = importlib.import_module(name)
            (module.forwards if hasattr(module, "forwards") else module.add)(apps, None)
    calendar_cache_clear()


@pytest.fixture(autouse=True)
def _reseed_after_flush(request, django_db_blocker):
    """Before a database test (and after a transactional one): put back the data-migration rows if a
    flush removed them. Depending on fixture order the check runs outside or inside the test's
    transaction; either way the test sees the calendar."""
    if _uses_db(request):
        _reseed(django_db_blocker)
    yield
    if _is_transactional(request):
        _reseed(django_db_blocker)


@pytest.fixture
def regions(db):
    demo_regions_load()


def _user(username, role, region):
    user = User(username=username, role=role, region_id=region, display_name=username)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def village_user(regions):
    return _user("v_assist", Role.VILLAGE, VILLAGE_A)


@pytest.fixture
def caseworker(regions):
    return _user("caseworker_a", Role.CASEWORKER, TOWNSHIP_A)


@pytest.fixture
def reviewer(regions):
    return _user("reviewer_a", Role.REVIEWER, TOWNSHIP_A)


@pytest.fixture
def county_user(regions):
    return _user("county_staff", Role.COUNTY, COUNTY)


@pytest.fixture
def inspector(regions):
    return _user("inspector_c", Role.INSPECTOR, COUNTY)


@pytest.fixture
def admin_user(regions):
    return _user("admin_c", Role.ADMIN, COUNTY)


@pytest.fixture
def outsider(regions):
    """经办人 of township B: must never see or change township A's data."""
    return _user("caseworker_b", Role.CASEWORKER, TOWNSHIP_B)


_seq = iter(range(1, 10**6))


def make_id(born: date = date(1970, 5, 17), prefix: str = "330127", male: bool = True) -> str:
    """A fresh valid ID number (unique within the test session)."""
    n = next(_seq)
    seq = (n * 2 + (1 if male else 0)) % 1000
    # after every 500 numbers the address code moves on (digits 3–6; only the province is checked), never
    # the birth date: ages decide classes and tiers, and must not depend on how many tests ran before
    prefix = prefix[:2] + f"{(int(prefix[2:6]) + n // 500) % 10000:04d}"
    return idcard.make(prefix, born, seq)


def bad_check_digit(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


@pytest.fixture
def household_data():
    """Valid household input: a head and a spouse in 珍珠半岛村 (township A)."""

    def build(region=VILLAGE_A, **overrides):
        data = {
            "region_code": region,
            "residence_region_code": region,
            "area_type": "rural",
            "address": "珍珠半岛村12号",
            "members": [
                {"name": "张建国", "id_number": make_id(date(1965, 3, 8)), "relation": "head", "phone": "13905711234"},
                {"name": "李秀英", "id_number": make_id(date(1967, 9, 21), male=False), "relation": "spouse"},
            ],
        }
        data.update(overrides)
        return data

    return build


@pytest.fixture
def household(caseworker, household_data):
    from jiuzhu.apps.registry.services import household_create

    return household_create(actor=caseworker, data=household_data(), as_of=AS_OF)


def pytest_make_parametrize_id(config, val, argname):
    """Bytes parameters get their argument's name as id, nothing taken from the bytes: generated files
    (an xlsx carries its creation time, so its compressed length varies by a byte) must not make two
    xdist workers collect different test ids."""
    if isinstance(val, bytes | bytearray):
        return argname
    return None
