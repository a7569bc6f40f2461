"""The baseline the payroll benchmark compares against: the same batch done per row with the Django
ORM — for each enrollment check the rules, look for an existing line, create the line; approve;
then for each line load the household, decrypt the account one by one and write the CSV row.

Run on a sample of enrollments and scaled linearly (the per-row cost does not depend on N)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

from django.db import transaction

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.payments.layouts import summary_text
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.registry import pii


def payable(e: Enrollment, month: date) -> bool:
    if e.status not in ("active", "graduating") or e.start_month > month or e.amount <= 0:
        return False
    if e.status == "graduating" and (e.graduating_until is None or e.graduating_until < month):
        return False
    return e.stopped_month is None or e.stopped_month > month


def orm_payroll(*, region_code: str, month: date, enrollment_ids: list[int], maker, checker, now, out_path) -> int:
    """Prepare, approve and export one batch for ``enrollment_ids`` per row. Returns the line count."""
    with transaction.atomic():
        batch = PayrollBatch.objects.create(region_id=region_code, month=month, kind="supplementary", seq=99,
                                            prepared_by=maker, prepared_at=now)
        households, persons, total, count = set(), 0, Decimal(0), 0
        for e in Enrollment.objects.filter(pk__in=enrollment_ids).order_by("pk"):
            if not payable(e, month) or not e.household.bank_account_enc:
                continue
            if PaymentLine.objects.filter(enrollment=e, month=month).exclude(status="failed").exists():
                continue
            PaymentLine.objects.create(batch=batch, enrollment=e, household_id=e.household_id, region_id=e.region_id,
                                       month=month, program=e.program, klass=e.klass, persons=e.persons,
                                       amount=e.amount)
            households.add(e.household_id)
            persons += e.persons
            total += e.amount
            count += 1
        batch.households, batch.persons, batch.total_amount = len(households), persons, total
        batch.save()
        audit_record(actor=maker, action="payroll.prepare", subject_type="payroll_batch", subject_id=batch.pk)
    with transaction.atomic():
        batch = PayrollBatch.objects.select_for_update().get(pk=batch.pk)
        batch.status, batch.approved_by, batch.approved_at = "approved", checker, now
        batch.save()
        audit_record(actor=checker, action="payroll.approve", subject_type="payroll_batch", subject_id=batch.pk)
    with transaction.atomic(), open(out_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["序号", "收款人", "银行账号", "开户行", "金额(元)", "区划", "摘要"])
        for seq, line in enumerate(PaymentLine.objects.filter(batch=batch).order_by("pk"), start=1):
            household = line.household
            person = line.enrollment.person if line.enrollment is not None else None
            writer.writerow([seq, person.name if person else household.head_name, pii.open_(household.bank_account_enc, purpose="bank_account"),
                             household.bank_name, line.amount, line.region_id,
                             summary_text(line.month, line.program, line.carried_from_id is not None)])
        audit_record(actor=maker, action="payroll.export", subject_type="payroll_batch", subject_id=batch.pk)
    return count
