"""Three paid payroll months (社会化发放): the county user prepares each month's batch, the second
county user (``county_checker``) approves it, the maker writes the bank file; the oldest month's bank
return file (回盘文件) comes back with one failed line and is reconciled (the failed line is carried
into the next month's batch as 补发). The return file stays under var/demo/ as a sample."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from jiuzhu.apps.payments.services import (
    payroll_approve,
    payroll_export,
    payroll_prepare,
    payroll_reconcile,
)

RESULT_HEADER = ["序号", "银行账号", "收款人", "金额(元)", "处理结果", "返回码", "失败原因"]


def bank_result(bank_file: bytes, *, failed: set[int]) -> bytes:
    """The bank's result for a bank file in the default layout: every line paid except ``failed``."""
    rows = list(csv.DictReader(io.StringIO(bank_file.decode("utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_HEADER)
    for row in rows:
        bad = int(row["序号"]) in failed
        writer.writerow([row["序号"], row["银行账号"], row["收款人"], row["金额(元)"], "失败" if bad else "成功",
                         "E104" if bad else "0000", "账户已冻结" if bad else ""])
    return out.getvalue().encode("utf-8")


def schedule_payroll(world, months: list[date]) -> None:
    """Prepare, approve and export each month's batch on its first working days (never after today);
    reconcile the first month a week later."""
    tl, batches = world.tl, {}
    for i, month in enumerate(months):
        prepare_day = tl.past(tl.nth_workday_of_month(month, 3))
        export_day = tl.past(tl.nth_workday_of_month(month, 4))

        def prepare(at: datetime, month=month):
            batches[month] = payroll_prepare(actor=world.users["county"], region_code=world.county, month=month,
                                             now=at)

        def approve(at: datetime, month=month):
            payroll_approve(actor=world.users["county_checker"], batch_id=batches[month].pk, now=at)

        def export(at: datetime, month=month):
            _, path = payroll_export(actor=world.users["county"], batch_id=batches[month].pk, now=at)
            world.bank_files[month] = path

        tl.add(prepare_day, prepare, f"payroll_prepare:{month}", slot=60)
        tl.add(prepare_day, approve, f"payroll_approve:{month}", slot=61)
        tl.add(export_day, export, f"payroll_export:{month}", slot=62)
        if i == 0:
            def reconcile(at: datetime, month=month):
                content = bank_result(world.bank_files[month].read_bytes(), failed={3})
                path = world.files_dir / f"银行回盘-{batches[month].number}.csv"
                path.write_bytes(content)
                world.result["reconciled"] = payroll_reconcile(
                    actor=world.users["county"], batch_id=batches[month].pk, content=content, filename=path.name,
                    now=at)
            tl.add(tl.past(tl.nth_workday_of_month(month, 9)), reconcile, f"payroll_reconcile:{month}", slot=63)
    world.result["batches"] = batches
