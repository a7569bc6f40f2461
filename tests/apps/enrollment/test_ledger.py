"""Ledger (台账) import: all rows validated first, all-or-nothing, every error names its row and column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.audit.services import audit_verify
from jiuzhu.apps.enrollment.ledger_import import ledger_import
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from tests.conftest import AS_OF, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_B, bad_check_digit, make_id

from .ledger_helpers import sample_rows, write_xlsx


def run(actor, path, region=TOWNSHIP_A, **kw):
    return ledger_import(actor=actor, path=path, region_code=region, as_of=AS_OF, **kw)


def errors_of(exc) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in exc.value.details["errors"]]


def assert_nothing_imported():
    assert not Person.objects.exists() and not Household.objects.exists()
    assert not Membership.objects.exists() and not Enrollment.objects.exists()


def test_valid_ledger_is_imported(caseworker, tmp_path):
    # given a ledger of three households in township A
    rows = sample_rows()
    path = write_xlsx(tmp_path / "ledger.xlsx", rows)
    # when imported
    result = run(caseworker, path)
    # then households, sealed persons, memberships and enrollments exist
    assert result == {"rows": 5, "households": 3, "persons": 5, "enrollments": 3, "dry_run": False}
    head = Person.objects.get(name="张建国")
    assert pii.open_(head.id_number_enc, purpose="id_number") == rows[0]["户主身份证号"] and head.sex == "M"
    hh = Household.objects.get(head=head)
    assert (hh.member_count, hh.area_type, hh.bank_account_masked) == (2, "rural", "6228***********8901")
    assert pii.open_(hh.bank_account_enc, purpose="bank_account") == "6228480012345678901" and head.phone_masked == "1390***1234"
    dibao = Enrollment.objects.get(household=hh)
    assert (dibao.program, dibao.klass, dibao.amount, dibao.persons, dibao.start_month, dibao.decided_on,
            dibao.next_recheck) == ("dibao", "C", Decimal("2341.80"), 2, date(2026, 1, 1), date(2025, 12, 20),
                                    date(2026, 7, 1))
    assert Person.objects.get(name="李秀英").health == "chronic" and Person.objects.get(name="李秀英").transfer == 100
    single = Enrollment.objects.get(person__name="陈小军")
    assert (single.program, single.amount, single.persons, single.klass) == ("dibao", Decimal("1690.30"), 1, "")
    tekun = Enrollment.objects.get(program="tekun")
    assert tekun.person.name == "王老汉" and tekun.decided_on == AS_OF and tekun.start_month == date(2026, 3, 1)
    assert Membership.objects.filter(note="台账导入").count() == 5
    # and one audit event records the import with its counts; the chain is intact
    event = AuditEvent.objects.get(action="ledger.import")
    assert event.details["households"] == 3 and event.details["persons"] == 5 and event.subject_id == TOWNSHIP_A
    assert audit_verify()[0]


def test_one_bad_row_imports_nothing_and_names_row_and_column(caseworker, tmp_path):
    # given the same ledger with a wrong check digit on row 3 (the first household's second member)
    rows = sample_rows()
    rows[1]["成员身份证号"] = bad_check_digit(rows[1]["成员身份证号"])
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    report = tmp_path / "errors.xlsx"
    # when imported
    with pytest.raises(ValidationFailed) as exc:
        run(caseworker, path, error_report=report)
    # then nothing is imported and the only error names row 3 and the column
    assert exc.value.code == "ledger.invalid_rows"
    assert errors_of(exc) == [(3, "成员身份证号", "身份证号校验位错误，请核对后重新输入")]
    assert "第3行【成员身份证号】" in exc.value.message
    assert_nothing_imported()
    # and the error report is the sheet with an 错误 column on that row
    sheet = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert sheet[0][-1] == "错误" and "校验位错误" in sheet[2][-1] and sheet[1][-1] == "" and len(sheet) == 6


@pytest.mark.parametrize("row, header, value, words", [
    (1, "月保障金(元)", "-5", "不小于0"),
    (1, "月保障金(元)", "12.345", "最多两位小数"),
    (1, "起始月份", "2026-13", "起始月份格式错误"),
    (1, "起始月份", "2026-01-15", "应为某月1日"),
    (1, "分类", "E", "须填分类"),
    (2, "城乡类别", "城镇", "与户主行（第2行）不一致"),
    (2, "保障类别", "低保", "应填在户主本人的行"),
    (1, "村(居)区划代码", VILLAGE_B, "不在本次导入的区划"),
    (1, "村(居)区划代码", "330127100000", "不是村(居)一级"),
    (3, "保障人数", "2", "保障人数为1"),
    (4, "户主姓名", "陈立", "户主姓名应与户主行"),
    (1, "与户主关系", "邻居", "不是有效选项"),
    (1, "共同生活", "也许", "应填“是”或“否”"),
])
def test_bad_cells_are_named(caseworker, tmp_path, row, header, value, words):
    rows = sample_rows()
    rows[row - 1][header] = value
    with pytest.raises(ValidationFailed) as exc:
        run(caseworker, write_xlsx(tmp_path / "bad.xlsx", rows))
    assert any(r == row + 1 and c == header and words in m for r, c, m in errors_of(exc)), errors_of(exc)
    assert_nothing_imported()


def test_duplicates_in_file_and_registry(caseworker, household, tmp_path):
    rows = sample_rows()
    rows[3]["成员身份证号"] = rows[3]["户主身份证号"] = rows[0]["成员身份证号"]  # household 3's head = row 2's person
    rows[4]["户主身份证号"] = rows[0]["成员身份证号"]
    registered = Person.objects.get(pk=household.head_id)
    rows[2]["成员身份证号"] = rows[2]["户主身份证号"] = pii.open_(registered.id_number_enc, purpose="id_number")
    with pytest.raises(ValidationFailed) as exc:
        run(caseworker, write_xlsx(tmp_path / "dup.xlsx", rows))
    found = errors_of(exc)
    assert any(r == 4 and c == "成员身份证号" and "已在登记库中" in m and household.number in m for r, c, m in found), found
    assert Person.objects.count() == 2  # only the fixture's household


def test_numeric_id_cell_is_refused(caseworker, tmp_path):
    rows = sample_rows()
    rows[2]["成员身份证号"] = rows[2]["户主身份证号"] = "330127194402060011"
    with pytest.raises(ValidationFailed) as exc:
        run(caseworker, write_xlsx(tmp_path / "num.xlsx", rows, numeric={"成员身份证号"}))
    assert any(r == 4 and c == "成员身份证号" and "文本格式" in m for r, c, m in errors_of(exc))


def test_missing_column_is_named(caseworker, tmp_path):
    headers = [h for h in sample_rows()[0] if h != "月保障金(元)"]
    with pytest.raises(ValidationFailed) as exc:
        run(caseworker, write_xlsx(tmp_path / "cols.xlsx", sample_rows(), headers=headers))
    assert (1, "月保障金(元)", "缺少此列（列名须与说明文档一致）") in errors_of(exc)


def test_dry_run_writes_nothing(caseworker, tmp_path):
    result = run(caseworker, write_xlsx(tmp_path / "ok.xlsx", sample_rows()), dry_run=True)
    assert result["households"] == 3 and result["dry_run"]
    assert_nothing_imported()


def test_scope_township_user_cannot_import_into_another_township(caseworker, outsider, village_user, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", sample_rows())
    # the region itself out of scope
    with pytest.raises(NotFound):
        run(outsider, path, region=TOWNSHIP_A)
    # rows of township A imported "into" township B by its own caseworker: each village row is named
    with pytest.raises(ValidationFailed) as exc:
        run(outsider, path, region=TOWNSHIP_B)
    assert {(r, c) for r, c, _ in errors_of(exc)} == {(2, "村(居)区划代码"), (4, "村(居)区划代码"), (5, "村(居)区划代码")}
    # a village assistant may not import at all
    with pytest.raises(Forbidden):
        run(village_user, path)
    assert_nothing_imported()


def test_no_enrollment_and_no_head_row(caseworker, tmp_path):
    rows = sample_rows()
    for key in ("保障类别", "月保障金(元)", "起始月份"):
        rows[2][key] = ""
    rows[3]["成员身份证号"] = make_id(date(1971, 1, 1))  # household 3 loses its head row
    with pytest.raises(ValidationFailed) as exc:
        run(caseworker, write_xlsx(tmp_path / "x.xlsx", rows))
    found = {(r, c) for r, c, _ in errors_of(exc)}
    assert (4, "保障类别") in found and (5, "户主身份证号") in found
