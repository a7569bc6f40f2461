"""`jiuzhu ledger import | export`: Chinese errors naming row and column, exit 2, nothing imported."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.models import Household, Person
from tests.apps.enrollment.ledger_helpers import sample_rows, write_xlsx
from tests.conftest import TOWNSHIP_A, bad_check_digit


def run(*args) -> str:
    out = io.StringIO()
    call_command("ledger", *args, stdout=out)
    return out.getvalue()


def test_import_then_export(caseworker, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", sample_rows())
    assert "校验通过（未导入，--dry-run）：5 行，3 户、5 人、在保对象 3 个" in run(
        "import", path, "--region", TOWNSHIP_A, "--dry-run", "--no-progress")
    assert not Household.objects.exists()
    out = run("import", path, "--region", TOWNSHIP_A, "--user", caseworker.username, "--no-progress")
    assert "导入完成：5 行，3 户、5 人、在保对象 3 个" in out
    book = tmp_path / "out.xlsx"
    out = run("export", "--region", TOWNSHIP_A, str(book), "--no-progress")
    assert "3 户、5 行、在保对象 3 个（身份证号、银行账号、电话已脱敏）" in out
    assert len(CalamineWorkbook.from_path(str(book)).get_sheet_by_index(0).to_python()) == 6


def test_bad_row_exits_2_names_row_and_field_and_imports_nothing(caseworker, tmp_path, capsys):
    rows = sample_rows()
    rows[4]["月保障金(元)"] = "一千"
    rows[1]["成员身份证号"] = bad_check_digit(rows[1]["成员身份证号"])
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    report = tmp_path / "errors.xlsx"
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("ledger", "import", path, "--region", TOWNSHIP_A, "--errors", str(report), "--no-progress",
                     stdout=out)
    assert exc.value.returncode == 2 and "导入失败：2 处错误" in str(exc.value) and "未导入任何数据" in str(exc.value)
    err = capsys.readouterr().err
    assert "第3行【成员身份证号】身份证号校验位错误" in err and "第6行【月保障金(元)】“一千”不是有效金额" in err
    assert f"错误报告已写出：{report}" in out.getvalue() and report.exists()
    assert not Person.objects.exists() and not Enrollment.objects.exists()


def test_scope_and_missing_file(outsider, caseworker, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", sample_rows())
    with pytest.raises(CommandError) as exc:
        run("import", path, "--region", TOWNSHIP_A, "--user", outsider.username, "--no-progress")
    assert exc.value.returncode == 2 and "不在您的管辖范围内" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        run("import", str(tmp_path / "none.xlsx"), "--region", TOWNSHIP_A)
    assert exc.value.returncode == 2 and "文件不存在" in str(exc.value)
    assert not Household.objects.exists()
