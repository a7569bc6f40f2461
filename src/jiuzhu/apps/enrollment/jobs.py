"""``enrollment.graduation_end`` (daily): enrollments whose 渐退 period ended stop — the service of
``jiuzhu review graduation-end``."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from .services import enrollments_graduation_end


def graduation_end_job(job, progress) -> dict:
    count = enrollments_graduation_end(today=date.fromisoformat(job.params["date"]), now=timezone.now())
    progress(1, 1, f"渐退期满停发 {count} 人")
    return {"stopped": count}


def ledger_import_job(job, progress) -> dict:
    """``enrollment.ledger_import``: the enrollment ledger uploaded on the enrollments page — the service
    of ``jiuzhu ledger import``; all rows or none, row errors kept on the job for its page."""
    from jiuzhu.apps.jobs.uploads import upload_discard, upload_path

    from .ledger_import import ledger_import

    p = job.params
    path = upload_path(p)
    try:
        return ledger_import(actor=job.created_by, path=path, region_code=p["region"],
                             dry_run=bool(p.get("dry_run")),
                             progress=lambda stage, done, total: progress(done, total, stage))
    finally:
        upload_discard(p["token"])
