"""Importing the low-income register from xlsx (all rows or none, errors by row and column), exporting
it (ID numbers masked), and the CLI `jiuzhu monitor register-import|register-export`."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.audit.services import audit_verify
from jiuzhu.apps.monitoring.models import LowIncomeEntry
from jiuzhu.apps.monitoring.register_export import register_export
from jiuzhu.apps.monitoring.register_import import register_import
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B, bad_check_digit, make_id

from .conftest import NOW
from .register_helpers import HEADERS, good_rows, register_file

pytestmark = pytest.mark.django_db


def _import(actor, path, region=TOWNSHIP_A, **kw):
    return register_import(actor=actor, path=path, region_code=region, now=NOW, **kw)


def _errors(exc) -> list[tuple[int, str]]:
    return [(e["row"], e["column"]) for e in exc.details["errors"]]


def test_import_writes_every_row_with_audit(tmp_path, homes, ids, caseworker):
    # given three good rows (by household number, by the head's ID number, by both)
    path = register_file(tmp_path / "r.xlsx", good_rows(homes, ids))
    # when
    result = _import(caseworker, path)
    # then
    assert result == {"rows": 3, "households": 3, "edge": 1, "rigid_expenditure": 1, "temporary": 1, "dry_run": False}
    got = {e.household_id: e for e in LowIncomeEntry.objects.exclude(household=homes["wang"])}
    assert set(got) == {homes["zhou"].pk, homes["chen"].pk, homes["liu"].pk}
    chen = got[homes["chen"].pk]
    assert (chen.category, chen.recognized_on, chen.valid_until) == ("edge", date(2026, 9, 1), date(2027, 8, 31))
    assert got[homes["liu"].pk].recognized_on == date(2026, 8, 15)
    assert got[homes["zhou"].pk].note == "因病临时救助 3000 元" and got[homes["zhou"].pk].created_by == caseworker
    assert chen.region_id == homes["chen"].region_id
    assert AuditEvent.objects.filter(action="lowincome.import").count() == 1
    assert AuditEvent.objects.filter(action="lowincome.register").count() == 3
    assert audit_verify()[0]


def test_dry_run_writes_nothing(tmp_path, homes, ids, caseworker):
    path = register_file(tmp_path / "r.xlsx", good_rows(homes, ids))
    assert _import(caseworker, path, dry_run=True)["rows"] == 3
    assert LowIncomeEntry.objects.count() == 1 and not AuditEvent.objects.filter(action__startswith="lowincome").exists()


def _bad_rows(homes, ids):
    """(name, the replacement of row 3 (刘六's), expected (row, column), words of the message)."""
    liu = {"家庭编号": homes["liu"].number, "类别": "刚性支出困难", "认定日期": "2026-08-15"}
    return [
        ("bad category", {**liu, "类别": "低保"}, (4, "类别"), "不是有效类别"),
        ("empty category", {**liu, "类别": ""}, (4, "类别"), "不能为空"),
        ("bad date", {**liu, "认定日期": "2026-13-01"}, (4, "认定日期"), "不是有效日期"),
        ("future date", {**liu, "认定日期": "2026-12-01"}, (4, "认定日期"), "不能晚于导入日期"),
        ("until before", {**liu, "有效期至": "2026-01-01"}, (4, "有效期至"), "不能早于认定日期"),
        ("unknown ID", {"户主身份证号": make_id(), "类别": "低保边缘", "认定日期": "2026-08-15"}, (4, "户主身份证号"), "没有"),
        ("bad check digit", {"户主身份证号": bad_check_digit(ids["liu"]), "类别": "低保边缘", "认定日期": "2026-08-15"},
         (4, "户主身份证号"), "校验位"),
        ("member not head", {"户主身份证号": ids["spouse"], "类别": "低保边缘", "认定日期": "2026-08-15"},
         (4, "户主身份证号"), "没有"),
        ("unknown number", {**liu, "家庭编号": "H99999999"}, (4, "家庭编号"), "没有此家庭"),
        ("bad number", {**liu, "家庭编号": "第12户"}, (4, "家庭编号"), "格式错误"),
        ("township B", {**liu, "家庭编号": homes["zhao"].number}, (4, "家庭编号"), "没有此家庭"),
        ("ID of another household", {**liu, "户主身份证号": ids["zhou"]}, (4, "户主身份证号"), "不是家庭编号"),
        ("head name", {**liu, "户主姓名": "刘七"}, (4, "户主姓名"), "不一致"),
        ("no household", {"类别": "低保边缘", "认定日期": "2026-08-15"}, (4, "家庭编号"), "至少填写一项"),
        ("duplicate in file", {"家庭编号": homes["zhou"].number, "类别": "临时救助对象", "认定日期": "2026-10-01"},
         (4, "家庭编号"), "与第2行重复"),
        ("already registered", {"家庭编号": homes["wang"].number, "类别": "低保边缘", "认定日期": "2026-03-01"},
         (4, "家庭编号"), "已登记"),
    ]


@pytest.mark.parametrize("case", range(16))
def test_one_bad_row_imports_nothing_and_names_row_and_column(tmp_path, homes, ids, caseworker, case):
    # given the good rows with row 4 (the third data row) replaced by a bad one
    name, bad, where, words = _bad_rows(homes, ids)[case]
    rows = good_rows(homes, ids)
    rows[2] = bad
    path = register_file(tmp_path / "r.xlsx", rows)
    before = AuditEvent.objects.count()
    # when
    with pytest.raises(ValidationFailed) as err:
        _import(caseworker, path, error_report=tmp_path / "errors.xlsx")
    # then
    assert err.value.code == "monitor.invalid_rows", name
    assert _errors(err.value) == [where], name
    assert words in err.value.details["errors"][0]["message"], name
    assert f"第{where[0]}行【{where[1]}】" in err.value.message
    assert LowIncomeEntry.objects.count() == 1 and AuditEvent.objects.count() == before
    report = CalamineWorkbook.from_path(str(tmp_path / "errors.xlsx")).get_sheet_by_index(0).to_python()
    assert report[0][-1] == "错误" and words in report[3][-1] and report[1][-1] == ""


def test_missing_columns_are_named_on_row_1(tmp_path, homes, ids, caseworker):
    path = register_file(tmp_path / "r.xlsx", good_rows(homes, ids), headers=("序号", "户主姓名", "认定日期"))
    with pytest.raises(ValidationFailed) as err:
        _import(caseworker, path)
    assert set(_errors(err.value)) == {(1, "类别"), (1, "家庭编号")}


def test_unreadable_file(tmp_path, homes, caseworker):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(ValidationFailed) as err:
        _import(caseworker, path)
    assert err.value.code == "file.not_xlsx" and "“r.xlsx”不是有效的 xlsx 工作簿" in err.value.message


def test_scope_and_roles(tmp_path, homes, ids, outsider, inspector, reviewer):
    path = register_file(tmp_path / "r.xlsx", good_rows(homes, ids))
    # township B cannot import into township A ...
    with pytest.raises(NotFound):
        _import(outsider, path)
    # ... nor name A's households in an import into B: each row is "not found"
    with pytest.raises(ValidationFailed) as err:
        _import(outsider, path, region=TOWNSHIP_B)
    assert [c for _, c in _errors(err.value)] == ["家庭编号", "户主身份证号", "家庭编号"]
    for actor in (inspector, reviewer):
        with pytest.raises(Forbidden):
            _import(actor, path)
    with pytest.raises(ValidationFailed) as err:
        _import(None, path, region="330127999999")
    assert err.value.details["field"] == "region"
    assert LowIncomeEntry.objects.count() == 1


def test_export_masks_ids_and_does_not_import_twice(tmp_path, homes, ids, caseworker, outsider):
    _import(caseworker, register_file(tmp_path / "r.xlsx", good_rows(homes, ids)))
    out = tmp_path / "export.xlsx"
    result = register_export(actor=caseworker, region_code=TOWNSHIP_A, out=out, today=date(2026, 11, 20))
    assert result == {"rows": 4, "valid": 4}
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert sheet[0][:8] == ["序号", "家庭编号", "户主姓名", "户主身份证号(脱敏)", "村(居)区划代码", "村(居)", "类别", "认定日期"]
    text = repr(sheet)
    assert all(ids[k] not in text for k in ids) and "*" in text
    assert {r[6] for r in sheet[1:]} == {"低保边缘", "刚性支出困难", "临时救助"}
    # the export imports back only as duplicates: nothing new
    with pytest.raises(ValidationFailed) as err:
        _import(caseworker, out)
    assert {m["message"][:7] for m in err.value.details["errors"]} == {"该家庭已登记为"}
    with pytest.raises(NotFound):
        register_export(actor=outsider, region_code=TOWNSHIP_A, out=tmp_path / "x.xlsx")
    assert AuditEvent.objects.filter(action="lowincome.export").count() == 1


def _cli(*args) -> str:
    out = StringIO()
    call_command("monitor", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_cli_import_and_export(tmp_path, homes, ids, caseworker):
    path = register_file(tmp_path / "r.xlsx", good_rows(homes, ids))
    text = _cli("register-import", path, "--region", TOWNSHIP_A, "--user", caseworker.username, "--no-progress")
    assert "导入完成：3 条登记" in text and LowIncomeEntry.objects.count() == 4
    out = tmp_path / "out.xlsx"
    assert "已导出" in _cli("register-export", "--region", TOWNSHIP_A, "--out", str(out), "--no-progress")
    assert out.is_file()


@pytest.mark.parametrize("args, words", [
    (["register-import", "{bad}", "--region", TOWNSHIP_A], "第4行【类别】"),
    (["register-import", "{missing}", "--region", TOWNSHIP_A], "文件不存在"),
    (["register-import", "{good}", "--region", "330127999999"], "不存在"),
    (["register-export", "--region", TOWNSHIP_A, "--out", "{nodir}"], "输出目录不存在"),
])
def test_cli_bad_input_exits_2(tmp_path, homes, ids, args, words):
    rows = good_rows(homes, ids)
    good = register_file(tmp_path / "good.xlsx", rows)
    rows[2] = {**rows[2], "类别": "低保"}
    bad = register_file(tmp_path / "bad.xlsx", rows)
    paths = {"{bad}": bad, "{good}": good, "{missing}": str(tmp_path / "none.xlsx"),
             "{nodir}": str(tmp_path / "no" / "x.xlsx")}
    with pytest.raises(CommandError) as err:
        _cli(*[paths.get(a, a) for a in args], "--no-progress")
    assert err.value.returncode == 2 and words in str(err.value)
    assert LowIncomeEntry.objects.count() == 1


def test_headers_documented():
    assert HEADERS[1:] == ("家庭编号", "户主姓名", "户主身份证号", "类别", "认定日期", "有效期至", "说明")
