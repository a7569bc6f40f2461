"""`jiuzhu standard propose | preview | approve | apply | show`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from jiuzhu.apps.enrollment.models import Enrollment, StandardChange
from tests.apps.enrollment.standard_helpers import county_checker, enroll, hh_factory  # noqa: F401

SOURCE = "淳安县民政局《关于调整最低生活保障标准的通知》第一条"


def run(*args) -> str:
    out = io.StringIO()
    call_command("standard", *args, stdout=out)
    return out.getvalue()


def fails(*args) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert exc.value.returncode == 2
    return exc.value


@pytest.fixture
def two_enrollments(hh_factory):
    return enroll(hh_factory(incomes=(100, 100))), enroll(hh_factory(incomes=(1000, 1000)))


def test_full_cycle(county_user, county_checker, two_enrollments, tmp_path):
    # given a proposal entered by 县民政
    out = run("propose", "--region", "330127000000", "--area-type", "rural", "--amount", "1350",
              "--start", "2026-07-01", "--source", SOURCE, "--user", county_user.username)
    change = StandardChange.objects.get()
    assert f"已录入标准调整 {change.pk}" in out and "农村低保标准调整为 1350.00 元/人/月，自 2026年07月 起" in out
    # when previewed with a spreadsheet
    book = tmp_path / "preview.xlsx"
    summary = json.loads(run("preview", "--id", str(change.pk), "--json", "--xlsx", str(book), "--no-progress"))
    # then the summary and the workbook carry the numbers
    assert summary["counts"]["adjust"] == 2 and summary["diff"] == "117.60"  # 88.20 + 29.40
    wb = CalamineWorkbook.from_path(str(book))
    assert wb.sheet_names == ["汇总", "明细"]
    detail = wb.get_sheet_by_name("明细").to_python()
    assert detail[0][0] == "对象编号" and len(detail) == 3 and {r[12] for r in detail[1:]} == {2430.0, 810.0}
    text = run("show", "--id", str(change.pk))
    assert "待审批" in text and "千岛湖镇\tC\t1\t1\t0\t2341.80\t2430.00\t88.20" in text, text
    # when the maker tries to approve: refused in Chinese, exit 2
    err = fails("approve", "--id", str(change.pk), "--user", county_user.username)
    assert "审批人不能是提出人" in str(err)
    # when the checker approves and it is applied (twice)
    assert "已审批" in run("approve", "--id", str(change.pk), "--user", county_checker.username)
    assert "调整 2 人次，自 2026-07 起生效" in run("apply", "--id", str(change.pk), "--no-progress")
    assert "本次未作改动" in run("apply", "--id", str(change.pk), "--no-progress")
    assert sorted(Enrollment.objects.values_list("version", flat=True)) == [2, 2]
    audit = io.StringIO()
    call_command("audit", "verify", stdout=audit)
    assert "审计日志完整" in audit.getvalue()


@pytest.mark.parametrize("args, words", [
    (("--start", "2026-07-15"), "不是某月1日"),
    (("--start", "2026-13-01"), "格式错误"),
    (("--amount", "-1"), "字段：amount"),
    (("--amount", "1800"), "低于农村低保标准 1800.00 元的 1.3 倍"),
])
def test_bad_propose_exits_2_naming_the_field(regions, args, words):
    base = {"--region": "330127000000", "--area-type": "rural", "--amount": "1350", "--start": "2026-07-01",
            "--source": SOURCE}
    base.update(dict(zip(args[::2], args[1::2])))
    err = fails("propose", *[x for kv in base.items() for x in kv])
    assert words in str(err)
    assert not StandardChange.objects.exists()


def test_unknown_change_and_user(regions):
    assert "不存在" in str(fails("preview", "--id", "999", "--no-progress"))
    assert "用户“nobody”不存在" in str(fails("approve", "--id", "1", "--user", "nobody"))
