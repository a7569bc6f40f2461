"""Reconciliation: the bank's result file is checked whole (unknown account, wrong amount or total,
duplicates, missing lines → listed, nothing applied); failed lines are carried into the next batch
and paid there — never lost, never twice."""

from __future__ import annotations

import csv
import io

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.payments.services import (
    payroll_approve,
    payroll_export,
    payroll_prepare,
    payroll_reconcile,
)
from jiuzhu.rules.errors import Conflict, ValidationFailed
from tests.conftest import COUNTY

from .conftest import LATER, MONTH, NEXT, NOW

HEADER = ["序号", "银行账号", "收款人", "金额(元)", "处理结果", "返回码", "失败原因"]


def bank_rows(path):
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return [{"seq": r[0], "payee": r[1], "account": r[2], "amount": r[4]} for r in rows[1:]]


def result_file(rows, failed=(), total=None, encoding="utf-8") -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    for r in rows:
        bad = r["seq"] in {str(s) for s in failed}
        w.writerow([r["seq"], r["account"], r["payee"], r["amount"], "失败" if bad else "成功",
                    "E101" if bad else "0000", "账户已销户" if bad else ""])
    if total is not None:
        w.writerow(["合计", "", "", total, "", "", ""])
    return out.getvalue().encode(encoding)


def prepared_and_exported(world, month=MONTH, now=NOW):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=month, now=now)
    payroll_approve(actor=world.checker, batch_id=batch.pk, now=now)
    _, path = payroll_export(actor=world.maker, batch_id=batch.pk, now=now)
    return batch, bank_rows(path)


def snapshot():
    return (list(PaymentLine.objects.order_by("pk").values("pk", "status", "result_code")),
            list(PayrollBatch.objects.order_by("pk").values("pk", "status")),
            AuditEvent.objects.filter(action="payroll.reconcile").count())


def reconcile(world, batch, content, name="result.csv"):
    return payroll_reconcile(actor=world.maker, batch_id=batch.pk, content=content, filename=name, now=NOW)


def test_all_paid(world):
    batch, rows = prepared_and_exported(world)
    result = reconcile(world, batch, result_file(rows, total="3650.49"))
    assert (result["paid"], result["failed"], result["changed"]) == (4, 0, True)
    assert set(batch.lines.values_list("status", flat=True)) == {"paid"}
    assert PayrollBatch.objects.get(pk=batch.pk).status == "reconciled"
    assert AuditEvent.objects.filter(action="payroll.reconcile").count() == 1
    # the same file again changes nothing; a different outcome is refused
    assert reconcile(world, batch, result_file(rows))["changed"] is False
    with pytest.raises(Conflict):
        reconcile(world, batch, result_file(rows, failed=[1]))
    assert AuditEvent.objects.filter(action="payroll.reconcile").count() == 1


def _refused(world, batch, content, name="result.csv"):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        reconcile(world, batch, content, name)
    assert exc.value.code == "payroll.result_invalid"
    assert "未做任何处理" in exc.value.message
    assert snapshot() == before
    return [e["message"] for e in exc.value.details["errors"]]


def test_unknown_account_is_listed_and_nothing_applied(world):
    batch, rows = prepared_and_exported(world)
    rows[1]["account"] = "6222000000000000999"
    messages = _refused(world, batch, result_file(rows, failed=[3]))
    assert messages == ["第 3 行：银行账号与本批次第 2 行不符（未知账号）"]


def test_wrong_total_is_listed_and_nothing_applied(world):
    batch, rows = prepared_and_exported(world)
    messages = _refused(world, batch, result_file(rows, total="3650.50"))
    assert messages == ["合计金额不符：文件合计 3650.50 元，明细合计 3650.49 元"]
    rows[0]["amount"] = "651.00"
    messages = _refused(world, batch, result_file(rows))
    assert messages[0] == "第 2 行：金额不符：文件 651.00 元，批次 650.00 元"
    assert messages[1] == "合计金额不符：文件明细合计 3651.49 元，批次合计 3650.49 元"


def test_duplicate_unknown_and_missing_lines_are_listed(world):
    batch, rows = prepared_and_exported(world)
    broken = [rows[0], rows[0], {**rows[1], "seq": "99"}, rows[2]]
    messages = _refused(world, batch, result_file(broken))
    assert "第 3 行：序号 1 重复（第 2 行已出现）" in messages
    assert "第 4 行：序号 99 不在本批次中（未知明细）" in messages
    assert any("批次中有 2 行在结果文件中缺失（序号 2、4）" in m for m in messages)


def test_bad_header_or_result_value_is_listed(world):
    batch, rows = prepared_and_exported(world)
    assert "表头缺少列" in _refused(world, batch, b"a,b,c\n1,2,3\n")[0]
    content = result_file(rows).decode().replace("成功", "OK", 1).encode()
    assert _refused(world, batch, content)[0].startswith("第 2 行：处理结果“OK”无法识别")


def test_prepared_or_unexported_batch_cannot_be_reconciled(world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    with pytest.raises(Conflict):
        reconcile(world, batch, b"")
    payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)
    with pytest.raises(Conflict) as exc:
        reconcile(world, batch, b"")
    assert exc.value.code == "payroll.not_exported"


def test_failed_line_is_carried_to_the_next_batch_paid_there_never_lost_never_twice(world):
    # given: December, the bank fails 王秀兰's line
    dec, rows = prepared_and_exported(world)
    failed_seq = next(r["seq"] for r in rows if r["payee"] == "王秀兰")
    result = reconcile(world, dec, result_file(rows, failed=[failed_seq]))
    assert (result["paid"], result["failed"], result["failed_amount"]) == (3, 1, "1200.50")
    failed = PaymentLine.objects.get(batch=dec, status="failed")
    assert (failed.result_code, failed.result_message) == ("E101", "账户已销户")
    # when: January's batch is prepared
    jan = payroll_prepare(actor=world.maker, region_code=COUNTY, month=NEXT, now=LATER)
    # then: it pays January for everyone plus the carried December line
    carried = jan.lines.get(carried_from=failed)
    assert (carried.enrollment_id, carried.month, carried.amount) == (world.e.a2.pk, MONTH, failed.amount)
    assert jan.lines.filter(month=NEXT).count() == 4
    assert jan.totals["carried"] == 1
    assert jan.persons == 10  # persons once per enrollment, even with two lines
    payroll_approve(actor=world.checker, batch_id=jan.pk, now=LATER)
    _, path = payroll_export(actor=world.maker, batch_id=jan.pk, now=LATER)
    jan_rows = bank_rows(path)
    assert sum(r["amount"] == "1200.50" for r in jan_rows) == 2
    assert any(line[6] == "2026年12月最低生活保障金（补发）" for line in csv.reader(io.StringIO(path.read_text())))
    reconcile(world, jan, result_file(jan_rows))
    # December for 王秀兰: one failed line, one paid line — paid exactly once
    dec_lines = PaymentLine.objects.filter(enrollment=world.e.a2, month=MONTH)
    assert sorted(dec_lines.values_list("status", flat=True)) == ["failed", "paid"]
    # nothing left to carry: February pays February only
    payroll_prepare(actor=world.maker, region_code=COUNTY, month="2027-02", now=LATER.replace(month=1, day=20))
    assert not PaymentLine.objects.filter(month=MONTH, batch__month__gt=NEXT).exists()


def test_failed_line_can_be_repaid_in_a_supplementary_batch_of_the_same_month(world):
    dec, rows = prepared_and_exported(world)
    reconcile(world, dec, result_file(rows, failed=["1"]))
    supp = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert supp.kind == "supplementary"
    line = supp.lines.get()
    assert line.carried_from.batch_id == dec.pk and line.month == MONTH
    # and it is not carried again into January while the supplementary line is live
    payroll_approve(actor=world.checker, batch_id=supp.pk, now=NOW)
    jan = payroll_prepare(actor=world.maker, region_code=COUNTY, month=NEXT, now=LATER)
    assert not jan.lines.filter(month=MONTH).exists()


def test_xlsx_result_file_in_gbk_layout_month(world):
    dec, rows = prepared_and_exported(world)
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for i, r in enumerate(rows, start=1):
        sheet.write_row(i, 0, [int(r["seq"]), r["account"], r["payee"], float(r["amount"]), "成功", "0000", ""])
    book.close()
    result = reconcile(world, dec, buf.getvalue(), "回盘.xlsx")
    assert result["paid"] == 4
