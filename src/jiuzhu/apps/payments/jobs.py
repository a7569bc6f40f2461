"""Payroll as background jobs: ``payroll.prepare`` (the web page's 生成批次; ``jiuzhu payroll run``
calls the same service in the foreground) and the monthly ``payments.payroll_reminder``."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record

from .services import month_label, payroll_prepare


def prepare_job(job, progress) -> dict:
    p = job.params
    batch = payroll_prepare(actor=job.created_by, region_code=p["region"], month=p["month"], now=timezone.now(),
                            progress=lambda stage, done, total: progress(done, total, stage))
    return {"batch_id": batch.pk, "number": batch.number, "households": batch.households,
            "total_amount": f"{batch.total_amount:.2f}"}


def payroll_reminder_job(job, progress) -> dict:
    """Remind that next month's batches are due: an audit event and the job's row on the jobs page."""
    day = date.fromisoformat(job.params["date"])
    month = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    message = f"请于本月内生成并审核{month_label(month)}的社会化发放批次"
    audit_record(actor=None, action="payroll.reminder", subject_type="job", subject_id=job.pk, reason=message,
                 details={"month": month.isoformat(), "period": job.params.get("period", "")}, at=timezone.now())
    progress(1, 1, message)
    return {"month": month.isoformat(), "message": message}
