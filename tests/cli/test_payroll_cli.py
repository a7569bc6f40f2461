"""`jiuzhu payroll run | approve | export | reconcile | show`: batch id and file path; running again
changes nothing; errors exit 2 in Chinese naming the field or row."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.registry import pii
from tests.apps.payments.conftest import (  # noqa: F401
    checker,
    maker,
    world,  # noqa: F401
)
from tests.conftest import COUNTY

MONTH = f"{timezone.localdate():%Y-%m}"


def payroll(*args) -> str:
    out = io.StringIO()
    call_command("payroll", *args, stdout=out, verbosity=0)
    return out.getvalue()


def fails(*args) -> CommandError:
    with pytest.raises(CommandError) as exc:
        payroll(*args)
    assert exc.value.returncode == 2
    return exc.value


def state():
    return (list(PayrollBatch.objects.order_by("pk").values()), list(PaymentLine.objects.order_by("pk").values()),
            AuditEvent.objects.count())


def ran(out: str) -> tuple[int, Path]:
    return int(re.search(r"^批次 (\d+) ", out, re.M).group(1)), Path(re.search(r"^文件 (\S+)$", out, re.M).group(1))


def test_run_prints_batch_id_and_file_and_running_again_changes_nothing(world):
    out = payroll("run", "--region", COUNTY, "--month", MONTH)
    batch_id, path = ran(out)
    batch = PayrollBatch.objects.get(pk=batch_id)
    assert f"{batch.number}（已生成待审核）：4 户，10 人，4 笔，金额 3650.49 元" in out
    assert path.exists() and path.name.endswith("-preview.csv")
    assert pii.open_(world.households.a1.bank_account_enc, purpose="bank_account") not in path.read_text()  # preview: masked
    before, mtime = state(), path.stat().st_mtime_ns
    again = payroll("run", "--region", COUNTY, "--month", MONTH)
    assert again == out
    assert state() == before and path.stat().st_mtime_ns == mtime


def test_approve_export_reconcile_show(world, capsys):
    batch_id, _ = ran(payroll("run", "--region", COUNTY, "--month", MONTH, "--user", "county_maker"))
    err = fails("approve", "--batch", str(batch_id), "--user", "county_maker")
    assert "不能审核自己生成的批次" in str(err)
    assert "已审核锁定" in payroll("approve", "--batch", str(batch_id), "--user", "county_checker")
    # the approved month is refused, naming the batch
    err = fails("run", "--region", COUNTY, "--month", MONTH)
    assert f"（ID {batch_id}）" in str(err) and "已审核的批次" in str(err)
    # the bank file carries the real accounts
    _, path = ran(payroll("export", "--batch", str(batch_id)))
    text = path.read_text()
    assert pii.open_(world.households.b1.bank_account_enc, purpose="bank_account") in text
    # a result file with a wrong total: listed on stderr, nothing applied
    rows = list(csv.reader(io.StringIO(text)))[1:]
    result = path.with_name("result.csv")
    body = [["序号", "银行账号", "收款人", "金额(元)", "处理结果", "返回码", "失败原因"]]
    body += [[r[0], r[2], r[1], r[4], "失败" if r[0] == "2" else "成功", "", "户名不符"] for r in rows]
    result.write_text("\n".join(",".join(r) for r in body + [["合计", "", "", "1.00", "", "", ""]]))
    before = state()
    err = fails("reconcile", "--batch", str(batch_id), str(result))
    assert "未做任何处理" in str(err)
    assert "合计金额不符：文件合计 1.00 元" in capsys.readouterr().err
    assert state() == before
    result.write_text("\n".join(",".join(r) for r in body))
    out = payroll("reconcile", "--batch", str(batch_id), str(result))
    assert "对账完成：成功 3 笔，失败 1 笔" in out
    shown = payroll("show", "--batch", str(batch_id))
    assert "已对账" in shown and "千岛湖镇\tA\t2\t3\t2\t1450.00" in shown
    assert "失败 1 笔" in shown


@pytest.mark.parametrize("args, words", [
    (("run", "--region", COUNTY, "--month", "2026/12"), "发放月份"),
    (("run", "--region", "330127999000", "--month", MONTH), "发放区划"),
    (("run", "--region", COUNTY, "--month", MONTH, "--user", "nobody"), "--user"),
    (("approve", "--batch", "x1", "--user", "county_checker"), "--batch"),
    (("approve", "--batch", "999999", "--user", "county_checker"), "发放批次不存在"),
    (("export", "--batch", "999999", "--layout", "nope"), "未知的银行文件格式"),
    (("reconcile", "--batch", "1", "/nonexistent/result.csv"), "回盘文件不存在"),
])
def test_bad_input_exits_2_in_chinese(world, args, words):
    before = state()
    assert words in str(fails(*args))
    assert state() == before


def test_payroll_run_refuses_a_month_before_the_regions_data(world):
    """Issue 12 §3.7: `jiuzhu payroll run --month 0001-01` created a batch; a payroll month must lie
    within the enrollment period of the region's data. Refused naming 发放月份 (month), nothing written."""
    # given the world's enrollments (from 2026-01)
    before = state()
    # when the console runs the payroll for year 1
    err = fails("run", "--region", COUNTY, "--month", "0001-01")
    # then exit 2, the Chinese message names the month, nothing changes
    assert "发放月份" in str(err) and "最早在保对象的起始月份" in str(err)
    assert state() == before


def test_layouts_are_listed(db):
    out = payroll("layouts")
    assert out.splitlines()[0].startswith("default\t通用格式")
    assert "gbk" in out
