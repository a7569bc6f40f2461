"""The county's xlsx import of the register of staff near relatives (issue 15 §4): preview, all rows or
none, row errors in Chinese naming row and column, bad files (UTF-16, binary, wrong columns, a bad check
digit), scope and role."""

from __future__ import annotations

import re

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.integrity.relatives_import import relatives_import
from jiuzhu.apps.integrity.relatives_models import StaffRelative
from jiuzhu.rules.errors import Forbidden, ValidationFailed
from tests.apps.enrollment.ledger_helpers import write_xlsx
from tests.bad_files import EXPECTED, bad_content
from tests.conftest import bad_check_digit, make_id

from .conftest import T0

pytestmark = pytest.mark.django_db
HEADERS = ("序号", "工作人员账号", "工作人员姓名", "近亲属姓名", "关系", "身份证号")


def rows(caseworker, village_user) -> list[dict]:
    return [
        {"序号": 1, "工作人员账号": caseworker.username, "工作人员姓名": caseworker.display_name, "近亲属姓名": "王芳",
         "关系": "配偶", "身份证号": make_id(male=False)},
        {"序号": 2, "工作人员账号": caseworker.username, "近亲属姓名": "王大山", "关系": "父亲", "身份证号": make_id()},
        {"序号": 3, "工作人员账号": village_user.username, "近亲属姓名": "李小明", "关系": "孙子", "身份证号": make_id()},
    ]


def nothing_written():
    return not StaffRelative.objects.exists() and not AuditEvent.objects.filter(action__startswith="relative.").exists()


def test_preview_then_import_all_rows(tmp_path, county_user, caseworker, village_user):
    path = write_xlsx(tmp_path / "r.xlsx", rows(caseworker, village_user), headers=HEADERS)
    # the preview writes nothing and shows masked names and numbers only
    preview = relatives_import(actor=county_user, path=path, now=T0, dry_run=True)
    assert preview["new"] == 3 and preview["dry_run"] and nothing_written()
    assert preview["preview"][0]["name"] == "王*" and "*" * 10 in preview["preview"][0]["id_number"]
    # the import writes the three entries, each audited, relations mapped
    result = relatives_import(actor=county_user, path=path, now=T0)
    assert result["new"] == 3 and result["staff"] == 2
    assert sorted(StaffRelative.objects.values_list("relation", flat=True)) == ["grandchild", "parent", "spouse"]
    assert set(StaffRelative.objects.values_list("source", flat=True)) == {"imported"}
    assert AuditEvent.objects.filter(action="relative.declare").count() == 3
    assert AuditEvent.objects.filter(action="relative.import").count() == 1
    # the same file again changes nothing
    again = relatives_import(actor=county_user, path=path, now=T0)
    assert again["new"] == 0 and again["unchanged"] == 3 and StaffRelative.objects.count() == 3


def test_row_errors_name_row_and_column_and_nothing_is_written(tmp_path, county_user, caseworker, village_user):
    bad = rows(caseworker, village_user)
    bad[0]["身份证号"] = bad_check_digit(bad[0]["身份证号"])
    bad[1]["工作人员账号"] = "nobody"
    bad[2]["关系"] = "表哥"
    bad.append({**bad[2], "关系": "孙女", "序号": 4, "身份证号": bad[0]["身份证号"][:17]})
    path = write_xlsx(tmp_path / "bad.xlsx", bad, headers=HEADERS)
    with pytest.raises(ValidationFailed) as exc:
        relatives_import(actor=county_user, path=path, now=T0)
    texts = [e["text"] for e in exc.value.details["errors"]]
    assert texts[0] == "第2行【身份证号】身份证号校验位错误，请核对后重新输入"
    assert any(t.startswith("第3行【工作人员账号】") and "nobody" in t for t in texts)
    assert any(t.startswith("第4行【关系】") and "表哥" in t for t in texts)
    assert any(t.startswith("第5行【身份证号】") for t in texts)
    assert "未导入任何数据" in exc.value.message and nothing_written()


def test_wrong_columns_are_refused(tmp_path, county_user, caseworker, village_user):
    path = write_xlsx(tmp_path / "cols.xlsx", [{"姓名": "王芳"}], headers=("序号", "姓名", "证件号码"))
    with pytest.raises(ValidationFailed) as exc:
        relatives_import(actor=county_user, path=path, now=T0)
    texts = [e["text"] for e in exc.value.details["errors"]]
    assert "第1行【工作人员账号】缺少此列（列名须与说明文档一致）" in texts and nothing_written()


def test_a_numeric_id_cell_is_refused(tmp_path, county_user, caseworker, village_user):
    data = rows(caseworker, village_user)[:1]
    data[0]["身份证号"] = "33012719700517001"  # 17 digits written as a number
    path = write_xlsx(tmp_path / "num.xlsx", data, headers=HEADERS, numeric={"身份证号"})
    with pytest.raises(ValidationFailed, match="身份证号"):
        relatives_import(actor=county_user, path=path, now=T0)
    assert nothing_written()


@pytest.mark.parametrize("kind", ["utf16", "binary"])
def test_bad_files_get_a_chinese_error_and_nothing_is_written(tmp_path, county_user, kind):
    path = tmp_path / f"bad_{kind}.xlsx"
    path.write_bytes(bad_content(kind, "xlsx", b"", "工作人员账号,近亲属姓名\nx,王芳\n"))
    with pytest.raises(ValidationFailed) as exc:
        relatives_import(actor=county_user, path=path, now=T0)
    assert EXPECTED[kind].search(exc.value.message) and re.search(r"[\u4e00-\u9fff]", exc.value.message)
    assert nothing_written()


def test_only_the_county_imports(tmp_path, caseworker, village_user, outsider, county_user):
    path = write_xlsx(tmp_path / "r.xlsx", rows(caseworker, village_user), headers=HEADERS)
    with pytest.raises(Forbidden):
        relatives_import(actor=caseworker, path=path, now=T0)
    assert nothing_written()
