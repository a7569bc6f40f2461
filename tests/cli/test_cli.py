"""The `jiuzhu` console command: real binary in a throw-away SQLite project, and in-process commands."""

from __future__ import annotations

import io
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.accounts.tokens import token_authenticate
from jiuzhu.apps.audit.services import audit_verify
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.apps.registry.services import household_create
from jiuzhu.rules import idcard
from tests.conftest import AS_OF

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
JIUZHU = str(BIN / "jiuzhu")
DEMO_USERS = ("village", "township", "township_lead", "county", "county_checker", "inspector", "admin")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A fresh SQLite project under a temp JIUZHU_VAR_DIR, migrated by the real binary."""
    var = tmp_path_factory.mktemp("jiuzhu_var")
    env = {k: v for k, v in os.environ.items()
           if k not in ("JIUZHU_DATABASE_URL", "JIUZHU_KEYS", "JIUZHU_TEST_DB_NAME", "DJANGO_SETTINGS_MODULE")}
    env["JIUZHU_VAR_DIR"] = str(var)

    def run(*args, check=None, timeout=120):
        proc = subprocess.run([JIUZHU, *args], env=env, cwd=var, capture_output=True, text=True, timeout=timeout)
        if check is not None:
            assert proc.returncode == check, (args, proc.returncode, proc.stdout, proc.stderr)
        return proc

    run("migrate", check=0)
    run("keys", "init", check=0)  # as `make migrate` does: audited writes need the audit chain key
    run.var = var
    return run


@pytest.mark.parametrize(
    "case, args, stdout",
    [
        ("contract example", ("calendar", "add-workdays", "2026-09-30", "3"), "2026-10-10"),
        ("调休 Saturday", ("calendar", "is-workday", "2026-10-10"), "true"),
        ("National Day", ("calendar", "is-workday", "2026-10-01"), "false"),
    ],
)
def test_calendar_commands(project, case, args, stdout):
    proc = project(*args, check=0)
    assert proc.stdout.strip() == stdout, case


@pytest.mark.parametrize(
    "case, args, needle",
    [
        ("uncovered year (beyond the provisional horizon)", ("calendar", "is-workday", "2047-01-02"), "2047"),
        ("counting into an uncovered year", ("calendar", "add-workdays", "2046-12-30", "10"), "2047"),
        ("a year before the first official one", ("calendar", "is-workday", "2003-05-06"), "2003"),
        ("bad date", ("calendar", "is-workday", "2026-02-30"), "2026-02-30"),
        ("N below 1", ("calendar", "add-workdays", "2026-09-30", "0"), "N"),
    ],
)
def test_calendar_errors_exit_2(project, case, args, needle):
    proc = project(*args)
    assert proc.returncode == 2, (case, proc.stderr)
    assert needle in proc.stderr, case
    assert "Traceback" not in proc.stderr
    assert proc.stdout.strip() == ""


def test_calendar_import_through_the_binary(project, tmp_path):
    from tests.apps.test_workcalendar import official_2027

    # a one-holiday "2027" is refused, naming a missing statutory holiday
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind\n2027-01-01,休\n2027-02-20,班\n", encoding="utf-8")
    refused = project("calendar", "import", str(bad))
    assert refused.returncode == 2 and "缺少法定节假日 2027-02-05（春节）" in refused.stderr
    assert "Traceback" not in refused.stderr
    # a year before import is provisional: 2027-02-20 (Saturday) is a day off
    assert project("calendar", "is-workday", "2027-02-20", check=0).stdout.strip() == "false"
    path = tmp_path / "2027.csv"
    path.write_text(official_2027(), encoding="utf-8")
    project("calendar", "import", str(path), check=0)
    assert project("calendar", "is-workday", "2027-02-20", check=0).stdout.strip() == "true"
    assert "2027 official" in project("calendar", "years", check=0).stdout
    again = project("calendar", "import", str(path), check=0)
    assert "未作改动" in again.stdout
    # a different schedule for an imported year needs --replace
    other = tmp_path / "other.csv"
    other.write_text(official_2027(**{"2027-02-20": ""}), encoding="utf-8")
    differs = project("calendar", "import", str(other))
    assert differs.returncode == 2 and "--replace" in differs.stderr
    for garbage in (official_2027().encode("utf-16"), bytes(range(256))):
        (tmp_path / "g.csv").write_bytes(garbage)
        proc = project("calendar", "import", str(tmp_path / "g.csv"))
        assert proc.returncode == 2 and "UTF-8" in proc.stderr and "Traceback" not in proc.stderr


def test_regions_import_bad_row_exits_2_and_lists_the_row(project, tmp_path):
    # given a file whose third data line has a parent that does not match its code
    path = tmp_path / "regions.csv"
    path.write_text("区划代码,名称,上级代码\n330000000000,浙江省,\n330100000000,杭州市,330000000000\n"
                    "330122000000,桐庐县,330000000000\n", encoding="utf-8")
    before = table_counts(project.var)
    # when
    proc = project("regions", "import", str(path))
    # then it exits 2, names the row, and nothing was imported
    assert proc.returncode == 2
    assert "第4行" in proc.stderr and "330122000000" in proc.stderr
    assert "未导入任何数据" in proc.stderr
    assert table_counts(project.var) == before


def test_demo_loads_every_feature_once_and_prints_seven_logins(project):
    # when the demo is prepared twice (the first run timed)
    started = time.perf_counter()
    first = project("demo", "--no-serve", check=0, timeout=600)
    seconds = time.perf_counter() - started
    after_first = table_counts(project.var)
    second = project("demo", "--no-serve", check=0)
    # then both print all seven logins; county_checker (the payroll checker) has a password of its own
    logins = []
    for out in (first.stdout, second.stdout):
        names = re.findall(r"^ +(\S+) .*密码：(\S+)$", out, flags=re.M)
        assert [n for n, _ in names] == list(DEMO_USERS)
        logins.append(dict(names))
    assert logins[0] == logins[1]
    assert len({p for u, p in logins[0].items() if u != "county_checker"}) == 1
    assert logins[0]["county_checker"] != logins[0]["county"]
    # and only the first run loads data: the county, the registry and the demo's business
    assert "已载入演示数据" in first.stdout and "已载入演示业务" in first.stdout
    assert "已载入演示数据" not in second.stdout and "已载入演示业务" not in second.stdout
    assert after_first["registry_household"] > 0 and after_first["accounts_user"] == 7
    assert table_counts(project.var) == after_first
    demo = demo_facts(project.var)
    # applications of both programs in every state, some overdue, one notice still running, denials delivered
    every = {"submitted", "verifying", "verified", "accepted", "surveyed", "reviewed", "in_notice",
             "awaiting_confirmation", "approved", "rejected", "closed_ineligible", "withdrawn", "terminated",
             "awaiting_materials", "disputed"}
    assert every <= demo["states"]["dibao"] and every <= demo["states"]["tekun"]
    assert demo["overdue"] >= 3 and demo["notices_running"] >= 1 and demo["denials_delivered"] >= 2
    # about 200 enrollments; three months paid: prepared by county, approved by county_checker, bank file
    # written, the oldest reconciled (one failed line, carried into the next month)
    assert demo["live_enrollments"] >= 180
    assert [b[1:] for b in demo["batches"]] == [("reconciled", "county", "county_checker", True),
                                                 ("approved", "county", "county_checker", True),
                                                 ("approved", "county", "county_checker", True)]
    assert demo["lines"].get("failed") == 1 and demo["carried"] == 1
    # department data of every source, a verification report, open alerts, a running annual review
    assert demo["snapshots"] == 13 and demo["reports"] >= 1 and demo["open_alerts"] >= 1
    assert demo["campaigns"] == [("running",)]
    assert demo["rechecks"].get("rechecked", 0) >= 2 and demo["rechecks"].get("scheduled", 0) >= 3
    # the audit chain is intact and the loading stayed within the budget (60 s; loosely asserted)
    assert project("audit", "verify", check=0).stdout
    print(f"demo load: {seconds:.1f} s")
    assert seconds < 120, seconds
    token = project("token", "create", "--user", "township", check=0).stdout.strip()
    assert re.fullmatch(r"jz_[0-9a-f]{8}_\S+", token)
    assert project("token", "create", "--user", "nobody").returncode == 2


def demo_facts(var: Path) -> dict:
    """What the demo loaded, read straight from its SQLite database."""
    with closing(sqlite3.connect(var / "jiuzhu.sqlite3")) as db:
        q = lambda sql: db.execute(sql).fetchall()  # noqa: E731
        today = json.loads(q("SELECT details FROM audit_auditevent WHERE action = 'demo.load'")[0][0])["today"]
        states: dict = {}
        for program, state in q("SELECT DISTINCT program, state FROM cases_case WHERE kind = 'application'"):
            states.setdefault(program, set()).add(state)
        return {
            "states": states,
            "overdue": q("SELECT COUNT(*) FROM cases_case WHERE overdue AND is_open")[0][0],
            "notices_running": q(f"SELECT COUNT(*) FROM cases_notice WHERE kind = 'initial' AND NOT withdrawn "
                                 f"AND ends_on >= '{today}'")[0][0],
            "denials_delivered": q("SELECT COUNT(*) FROM cases_caseevent WHERE action = 'deliver_denial'")[0][0],
            "live_enrollments": q("SELECT COUNT(*) FROM enrollment_enrollment WHERE status IN "
                                  "('active', 'suspended', 'graduating')")[0][0],
            "batches": q("SELECT b.month, b.status, p.username, a.username, b.bank_file != '' FROM payments_payrollbatch b "
                         "JOIN accounts_user p ON p.id = b.prepared_by_id JOIN accounts_user a ON a.id = b.approved_by_id "
                         "WHERE b.kind = 'regular' ORDER BY b.month"),
            "lines": dict(q("SELECT status, COUNT(*) FROM payments_paymentline GROUP BY status")),
            "carried": q("SELECT COUNT(*) FROM payments_paymentline WHERE carried_from_id IS NOT NULL")[0][0],
            "snapshots": q("SELECT COUNT(DISTINCT source_id) FROM verification_snapshot")[0][0],
            "reports": q("SELECT COUNT(*) FROM verification_verificationreport")[0][0],
            "open_alerts": q("SELECT COUNT(*) FROM monitoring_alert WHERE status = 'open'")[0][0],
            "campaigns": q("SELECT status FROM reviews_reviewcampaign"),
            "rechecks": dict(q("SELECT state, COUNT(*) FROM cases_case WHERE kind = 'recheck' GROUP BY state")),
        }


def table_counts(var: Path) -> dict:
    with closing(sqlite3.connect(var / "jiuzhu.sqlite3")) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("regions_region", "accounts_user", "registry_household", "registry_person",
                          "audit_auditevent", "cases_case", "cases_caseevent", "enrollment_enrollment",
                          "payments_payrollbatch", "payments_paymentline", "verification_snapshot",
                          "monitoring_alert", "reviews_reviewcampaign")}


# --- in-process commands (run on the test database: SQLite or PostgreSQL) ---


def test_token_create_prints_a_working_token(caseworker):
    out = io.StringIO()
    call_command("token", "create", "--user", caseworker.username, stdout=out)
    raw = out.getvalue().strip()
    assert token_authenticate(raw) == caseworker
    with pytest.raises(CommandError) as exc:
        call_command("token", "create", "--user", "nobody", stdout=io.StringIO())
    assert exc.value.returncode == 2


def test_seed_adds_valid_unique_households(caseworker, household_data):
    # given one household registered through the service
    household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    before = Household.objects.count(), Person.objects.count()
    # when 200 are seeded
    call_command("seed", "--households", "200", "--seed", "7", "--no-progress", stdout=io.StringIO())
    # then exactly 200 households were added with consistent members
    assert Household.objects.count() == before[0] + 200
    assert Person.objects.count() > before[1] + 200
    assert Person.objects.values("id_number_bidx").distinct().count() == Person.objects.count()
    for hh in Household.objects.order_by("-pk")[:200:7]:
        open_members = hh.memberships.filter(end_date__isnull=True)
        assert open_members.count() == hh.member_count
        assert open_members.filter(relation="head").get().person_id == hh.head_id
    # and a sample of ID numbers decrypts to valid numbers matching birth date, sex, index and mask
    persons = list(Person.objects.order_by("pk").values())
    for row in random.Random(1).sample(persons[2:], 40):
        number = pii.open_(row["id_number_enc"], purpose="id_number")
        parsed = idcard.parse(number, as_of=timezone.localdate())
        assert (parsed.birth_date, parsed.sex) == (row["birth_date"], row["sex"])
        assert pii.id_number_index(number) == row["id_number_bidx"]
        assert idcard.mask(number) == row["id_number_masked"]
    numbers = [pii.open_(enc, purpose="id_number") for enc in Person.objects.values_list("id_number_enc", flat=True)]
    assert len(set(numbers)) == len(numbers)
    # and the audit chain is intact
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert audit_verify()[0] is True and "完整" in out.getvalue()
    # and ordinary registration keeps working afterwards (sequences were moved past the bulk ids)
    hh = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    assert hh.pk > max(Household.objects.exclude(pk=hh.pk).values_list("pk", flat=True))
    assert Membership.objects.filter(household=hh).count() == 2


def test_seed_twice_keeps_numbers_unique(regions):
    call_command("seed", "--households", "60", "--seed", "1", "--no-progress", stdout=io.StringIO())
    call_command("seed", "--households", "60", "--seed", "1", "--no-progress", stdout=io.StringIO())
    assert Household.objects.count() == 120
    numbers = [pii.open_(enc, purpose="id_number") for enc in Person.objects.values_list("id_number_enc", flat=True)]
    assert len(set(numbers)) == len(numbers)


@pytest.mark.django_db
def test_seed_without_villages_exits_2():
    with pytest.raises(CommandError) as exc:
        call_command("seed", "--households", "5", "--no-progress", stdout=io.StringIO())
    assert exc.value.returncode == 2
    assert not Region.objects.exists() and not Household.objects.exists()


def test_import_contracts_hold():
    # rules imports no Django; web/api/cli sit above apps above core above rules
    proc = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_user_create_and_bad_password(db, regions, capsys, monkeypatch):
    import io

    from django.core.management import call_command

    from jiuzhu.apps.accounts.models import User

    # given a weak password on stdin
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    # when creating a user with it
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exc:
        call_command("user", "create", "--username", "zhang", "--role", "township_caseworker",
                     "--region", "330127100000")
    # then it fails with exit code 2 and a Chinese message about the password, and nothing is created
    assert exc.value.returncode == 2 and "密码" in str(exc.value)
    assert not User.objects.filter(username="zhang").exists()
    # and with a good password the user exists in that region
    monkeypatch.setattr("sys.stdin", io.StringIO("Strong-Pass-2026\n"))
    call_command("user", "create", "--username", "zhang", "--role", "township_caseworker", "--region", "330127100000")
    assert User.objects.get(username="zhang").region_id == "330127100000"


def test_user_create_unknown_role_names_the_field(db, regions, monkeypatch):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from jiuzhu.apps.accounts.models import User

    # given a role that does not exist
    monkeypatch.setattr("sys.stdin", io.StringIO("Strong-Pass-2026\n"))
    # when creating a user with it
    with pytest.raises(CommandError) as exc:
        call_command("user", "create", "--username", "li", "--role", "boss", "--region", "330127100000")
    # then a Chinese error names the role and nothing is created
    assert exc.value.returncode == 2 and "角色" in str(exc.value)
    assert not User.objects.filter(username="li").exists()


def test_user_update_and_deactivate_use_the_audited_services(db, regions, caseworker):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from jiuzhu.apps.accounts.models import User
    from jiuzhu.apps.audit.models import AuditEvent

    # when the operator changes the caseworker's post and region, then deactivates them
    call_command("user", "update", "caseworker_a", "--post", "社会事务办主任", "--region", "330127101000")
    user = User.objects.get(username="caseworker_a")
    assert (user.post, user.region_id, user.role) == ("社会事务办主任", "330127101000", "township_caseworker")
    call_command("user", "deactivate", "caseworker_a")
    assert not User.objects.get(username="caseworker_a").is_active
    # then both are audited, and a bad region is refused naming the field
    assert AuditEvent.objects.filter(action__in=("user.update", "user.deactivate")).count() == 2
    with pytest.raises(CommandError) as exc:
        call_command("user", "update", "caseworker_a", "--region", "999999999999")
    assert exc.value.returncode == 2 and "所属区划" in str(exc.value)


def test_calendar_years_lists_official_and_provisional(db, capsys):
    # given the seeded calendar (2004–2026 official)
    from django.core.management import call_command

    # when
    call_command("calendar", "years")
    lines = capsys.readouterr().out.splitlines()
    # then each year says which it is
    assert "2026 official chinesecalendar" in lines
    assert any(line.startswith("2027 provisional 《全国年节及纪念日放假办法》") for line in lines)


def test_add_workdays_into_a_provisional_year_warns_on_stderr(db, capsys):
    from django.core.management import call_command

    call_command("calendar", "add-workdays", "2026-12-30", "2")
    out = capsys.readouterr()
    assert out.out.strip() == "2027-01-04"  # 元旦 (Friday) is off on the provisional calendar
    assert "2027 年尚未导入官方放假安排" in out.err
