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


def standard_preview_job(job, progress) -> dict:
    """``enrollment.standard_preview``: the columnar preview of a proposed standard (``jiuzhu standard
    preview``); its summary is the job's result, the detail stays in the change's preview file."""
    from .standard_preview import standard_preview

    preview = standard_preview(actor=job.created_by, change_id=int(job.params["change_id"]), now=timezone.now(),
                               progress=lambda stage, done, total: progress(done, total, stage))
    return {"change_id": preview.change.pk, **preview.summary}


def standard_apply_job(job, progress) -> dict:
    """``enrollment.standard_apply``: the approved preview applied to the enrollments (``jiuzhu standard
    apply``); applying twice changes nothing the second time."""
    from .standard_apply import standard_apply

    result = standard_apply(actor=job.created_by, change_id=int(job.params["change_id"]), now=timezone.now(),
                            progress=lambda stage, done, total: progress(done, total, stage))
    return {"change_id": int(job.params["change_id"]), **result}


def notice_batch_job(job, progress) -> dict:
    """``documents.notice_batch``: every 附件9 notice of an applied standard change, one ZIP per township
    and a merged PDF per village (see notice_batch)."""
    from .notice_batch import notice_batch

    return notice_batch(actor=job.created_by, standard_change_id=int(job.params["standard_change_id"]),
                        now=timezone.now(), progress=lambda stage, done, total: progress(done, total, stage))


def standard_simulate_job(job, progress) -> dict:
    """``enrollment.standard_simulate``: a policy simulation over the region's registry households (``jiuzhu
    standard simulate``); its summary is the job's result, the affected households a Parquet file under
    ``JIUZHU_FILES_DIR/simulation/job-<id>/``. Nothing in the database changes."""
    from .simulation import keep_affected, run_simulation

    p = job.params
    sim = run_simulation(actor=job.created_by, region_code=p.get("region"), start_date=p.get("start_date"),
                         changes=p.get("changes") or {},
                         progress=lambda stage, done, total: progress(done, total, stage))
    folder = f"job-{job.pk}"
    keep_affected(sim, folder)
    return {**sim.summary, "simulation_folder": folder}
