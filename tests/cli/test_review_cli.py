"""`jiuzhu review start | status | due | graduation-end` at the console."""

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.services import household_create
from tests.apps.enrollment.lifecycle_helpers import make_enrollment
from tests.conftest import AS_OF, COUNTY, VILLAGE_B

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("review", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def enrolled(county_user, caseworker, outsider, household_data):
    a = [make_enrollment(household_create(actor=caseworker, data=household_data(), as_of=AS_OF)) for _ in range(2)]
    b = make_enrollment(household_create(actor=outsider, data=household_data(region=VILLAGE_B), as_of=AS_OF),
                        next_recheck=date(2026, 10, 1))
    return a + [b]


# started in December 2026, the campaign gets the seed plan's default due date (May 30)
@time_machine.travel(datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
def test_start_with_progress_bars_then_again_creates_nothing(enrolled, capsys):
    out = run("start", "--region", COUNTY, "--year", "2027")
    assert "2027 年度年审" in out and "新建复核任务 3 件" in out and "复核办结期限 2027-05-30" in out
    assert Case.objects.filter(kind="recheck").count() == 3
    out = run("start", "--region", COUNTY, "--year", "2027", "--no-progress")
    assert "新建复核任务 0 件，累计 3 件" in out and Case.objects.count() == 3


def test_status_table_and_json(enrolled):
    run("start", "--region", COUNTY, "--year", "2027", "--no-progress")
    out = run("status", "--region", COUNTY, "--year", "2027")
    assert "共 3 件，已决定 0 件（0.0%），办理中 3 件" in out
    assert "千岛湖镇　2　2" in out and "文昌镇　1　1" in out
    data = json.loads(run("status", "--region", COUNTY, "--year", "2027", "--json").strip().splitlines()[-1])
    assert data["progress"]["total"]["total"] == 3 and [t["total"] for t in data["progress"]["townships"]] == [2, 1]
    assert set(data["summary"]) >= {"additions", "adjustments", "exits", "recheck_outcomes"}
    assert "低保标准" in data["policy_note"]


def test_due_lists_then_creates(enrolled):
    out = run("due", "--region", COUNTY, "--date", "2026-12-01")
    assert "复核到期（30 天内）：1 件，其中已过期 1 件；新建复核任务 0 件" in out and not Case.objects.exists()
    data = json.loads(run("due", "--region", COUNTY, "--date", "2026-12-01", "--create", "--json", "--no-progress"))
    assert data["created"] == 1 and data["rows"][0]["next_recheck"] == "2026-10-01"
    assert Case.objects.get().next_due == date(2026, 12, 1)


def test_graduation_end(enrolled):
    Enrollment.objects.filter(pk=enrolled[0].pk).update(status="graduating", stopped_month=date(2027, 1, 1))
    assert "渐退期满停发：1 户" in run("graduation-end", "--date", "2027-01-05")
    assert Enrollment.objects.get(pk=enrolled[0].pk).status == "stopped"


@pytest.mark.parametrize("args, words", [
    (["start", "--region", COUNTY, "--year", "二〇二七"], "年度应为四位数字"),
    (["start", "--region", "12", "--year", "2027"], "区划代码"),
    (["start", "--region", COUNTY, "--year", "2027", "--user", "nobody"], "用户“nobody”不存在"),
    (["start", "--region", COUNTY, "--year", "2027", "--due", "2027-02-30"], "--due：日期“2027-02-30”格式错误"),
    (["status", "--region", COUNTY, "--year", "2031"], "没有 330127000000 的 2031 年度年审"),
    (["due", "--region", COUNTY, "--date", "tomorrow"], "--date：日期“tomorrow”格式错误"),
])
def test_bad_input_exits_2_in_chinese(enrolled, args, words):
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert exc.value.returncode == 2 and words in str(exc.value)
    assert not Case.objects.exists()


def test_no_county_account(db, regions):
    with pytest.raises(CommandError) as exc:
        run("start", "--region", COUNTY, "--year", "2027")
    assert exc.value.returncode == 2 and "--user" in str(exc.value)


def test_issue12_status_json_reports_township_average_benefit_against_the_seed_floors(
        county_user, caseworker, outsider, household_data):
    # given paid dibao enrollments (rural households of 2 persons): 千岛湖镇 800 + 600 → 1400 ÷ 4 = 350 < 355;
    # 文昌镇 800 ÷ 2 = 400 ≥ 355; a stopped enrollment does not count
    a = [household_create(actor=caseworker, data=household_data(), as_of=AS_OF) for _ in range(3)]
    make_enrollment(a[0], amount="800.00")
    make_enrollment(a[1], amount="600.00")
    make_enrollment(a[2], amount="5000.00", status="stopped")
    make_enrollment(household_create(actor=outsider, data=household_data(region=VILLAGE_B), as_of=AS_OF))
    run("start", "--region", COUNTY, "--year", "2027", "--no-progress")
    # when
    data = json.loads(run("status", "--region", COUNTY, "--year", "2027", "--json", "--date", AS_OF.isoformat())
                      .strip().splitlines()[-1])
    # then each township's 月人均补差 is compared with the dated, cited floor of its area type
    rows = {(r["code"], r["area_type"]): r for r in data["benefit_floors"]}
    qiandaohu = rows[("330127100000", "rural")]
    assert (qiandaohu["households"], qiandaohu["persons"], qiandaohu["amount"]) == (2, 4, "1400.00")
    assert (qiandaohu["per_capita"], qiandaohu["floor"], qiandaohu["meets"]) == ("350.00", "355.00", False)
    assert "355" in qiandaohu["floor_source"] and "年审工作方案" in qiandaohu["floor_source"]
    assert (rows[("330127101000", "rural")]["per_capita"], rows[("330127101000", "rural")]["meets"]) == ("400.00", True)
