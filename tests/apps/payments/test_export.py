"""Bank files: decrypted accounts only in the bank file, masked everywhere else; layouts (GBK, fen,
delimiter and 合计 row, xlsx); only approved batches; a second export changes nothing."""

from __future__ import annotations

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments.selectors import batch_lines
from jiuzhu.apps.payments.services import payroll_approve, payroll_export, payroll_prepare, payroll_preview
from jiuzhu.apps.registry import pii
from jiuzhu.rules.errors import Conflict, ValidationFailed
from tests.conftest import COUNTY

from .conftest import MONTH, NOW, enroll, make_household


@pytest.fixture
def approved(world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    return payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)


def accounts(world):
    return {name: pii.open_(getattr(world.households, name).bank_account_enc, purpose="bank_account") for name in ("a1", "a2", "a3", "b1")}


def rows_of(path, encoding="utf-8", delimiter=","):
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=delimiter))


def test_default_layout_carries_the_decrypted_account(world, approved):
    batch, path = payroll_export(actor=world.maker, batch_id=approved.pk, now=NOW)
    rows = rows_of(path)
    assert rows[0] == ["序号", "收款人", "银行账号", "开户行", "金额(元)", "区划", "摘要"]
    body = {r[1]: r for r in rows[1:]}
    acc = accounts(world)
    assert body["张建国"] == ["1", "张建国", acc["a1"], "中国农业银行淳安支行", "650.00", "330127100201",
                           "2026年12月最低生活保障金"]
    assert body["王秀兰"][4] == "1200.50"
    assert body["周桂英"][2] == acc["a3"]  # single-person enrollment: paid to the person, household account
    assert body["周桂英"][6] == "2026年12月特困人员救助供养金"
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    assert path.stat().st_mode & 0o777 == 0o600
    assert batch.bank_file.endswith("330127000000-202612-ZC01-default.csv") and len(batch.bank_file_sha256) == 64


def test_accounts_are_masked_everywhere_else(world, approved):
    acc = accounts(world)
    _, path = payroll_export(actor=world.maker, batch_id=approved.pk, now=NOW)
    preview = payroll_preview(actor=world.maker, batch_id=approved.pk)
    index = path.with_name("330127000000-202612-ZC01-index.csv").read_text()
    audit = " ".join(str(e.details) + str(e.after_digest) for e in AuditEvent.objects.all())
    lines = batch_lines(batch=approved)
    for full in acc.values():
        assert full not in preview.read_text()
        assert full not in index
        assert full not in audit
        assert all(full != line.account_masked for line in lines)
    assert world.households.a1.bank_account_masked in preview.read_text()
    assert {line.account_masked for line in lines} == {getattr(world.households, n).bank_account_masked
                                                       for n in acc}


def test_gbk_layout_is_encoded_in_gbk(world, approved):
    _, path = payroll_export(actor=world.maker, batch_id=approved.pk, layout="default_gbk", now=NOW)
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "张建国".encode("gbk") in raw
    assert rows_of(path, "gbk")[0][1] == "收款人"


def test_fen_layout_and_pipe_layout_with_total_row(world, approved):
    _, path = payroll_export(actor=world.maker, batch_id=approved.pk, layout="psbc_fen", now=NOW)
    rows = rows_of(path, "gbk")
    assert rows[0] == ["序号", "收款账号", "收款人姓名", "金额(分)", "附言", "业务编号"]
    assert sorted(int(r[3]) for r in rows[1:]) == [65000, 80000, 99999, 120050]
    _, path = payroll_export(actor=world.maker, batch_id=approved.pk, layout="zjrcb", now=NOW)
    rows = rows_of(path, "gbk", "|")
    assert rows[-1] == ["合计", "4", "", "3650.49", ""]
    assert len(rows) == 6


def test_xlsx_keeps_accounts_as_text(world, approved):
    _, path = payroll_export(actor=world.maker, batch_id=approved.pk, fmt="xlsx", now=NOW)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert sheet[0][:3] == ["序号", "收款人", "银行账号"]
    assert {r[2] for r in sheet[1:]} == set(accounts(world).values())
    assert sorted(r[4] for r in sheet[1:]) == [650.0, 800.0, 999.99, 1200.5]


def test_only_approved_batches_are_exported_and_a_second_export_changes_nothing(world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    with pytest.raises(Conflict) as exc:
        payroll_export(actor=world.maker, batch_id=batch.pk, now=NOW)
    assert exc.value.code == "payroll.not_approved"
    payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)
    _, path = payroll_export(actor=world.maker, batch_id=batch.pk, now=NOW)
    stat = path.stat()
    _, again = payroll_export(actor=world.maker, batch_id=batch.pk, now=NOW)
    assert again == path and again.stat().st_mtime_ns == stat.st_mtime_ns
    assert AuditEvent.objects.filter(action="payroll.export").count() == 1


def test_name_not_in_gbk_is_listed_and_no_file_is_written(world):
    enroll(make_household(head="王𬌗"))  # a rare character outside GBK
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)
    with pytest.raises(ValidationFailed) as exc:
        payroll_export(actor=world.maker, batch_id=batch.pk, layout="default_gbk", now=NOW)
    assert exc.value.details["errors"][0]["row"] == 5
    assert "GBK" in exc.value.details["errors"][0]["message"]
    batch.refresh_from_db()
    assert batch.bank_file == ""
    # GB18030 or UTF-8 layouts can carry it
    _, path = payroll_export(actor=world.maker, batch_id=batch.pk, now=NOW)
    assert "王𬌗" in path.read_text()


def test_unknown_layout_or_format_is_refused(world, approved):
    with pytest.raises(ValidationFailed) as exc:
        payroll_export(actor=world.maker, batch_id=approved.pk, layout="nope", now=NOW)
    assert exc.value.details["field"] == "layout"
    with pytest.raises(ValidationFailed) as exc:
        payroll_export(actor=world.maker, batch_id=approved.pk, fmt="pdf", now=NOW)
    assert exc.value.details["field"] == "format"


def test_a_bank_layout_from_the_configured_file(world, approved, settings, tmp_path):
    import json

    from jiuzhu.apps.payments import layouts

    spec = {"ccb_county": {"label": "建设银行县支行", "encoding": "gb18030", "amount_unit": "fen",
                           "columns": [["seq", "序号"], ["account", "卡号"], ["payee", "姓名"], ["amount", "金额"]]}}
    (tmp_path / "layouts.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    settings.JIUZHU_PAYROLL_LAYOUTS_FILE = str(tmp_path / "layouts.json")
    layouts._configured.cache_clear()
    _, path = payroll_export(actor=world.maker, batch_id=approved.pk, layout="ccb_county", now=NOW)
    rows = rows_of(path, "gb18030")
    assert rows[0] == ["序号", "卡号", "姓名", "金额"]
    assert rows[1] == ["1", accounts(world)["a1"], "张建国", "65000"]
    settings.JIUZHU_PAYROLL_LAYOUTS_FILE = ""
    with pytest.raises(ValidationFailed):
        payroll_export(actor=world.maker, batch_id=approved.pk, layout="ccb_county", now=NOW)
