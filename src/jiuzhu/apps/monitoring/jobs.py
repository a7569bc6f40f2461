"""The monitoring scan (监测扫描) as a background job ``monitoring.scan``; ``jiuzhu monitor scan`` runs
the same service in the foreground."""

from __future__ import annotations

from django.utils import timezone

from .scan import monitor_scan


def scan_job(job, progress) -> dict:
    scan = monitor_scan(actor=job.created_by, region_code=job.params["region"], now=timezone.now(),
                        progress=lambda stage, done, total: progress(done, total, stage))
    return {"scan_id": scan.pk, "population": scan.population, "created": scan.created}


def register_import_job(job, progress) -> dict:
    """``monitoring.register_import``: the low-income register list uploaded on the register page — the
    service of ``jiuzhu monitor register-import``; all rows or none, row errors kept on the job."""
    from jiuzhu.apps.jobs.uploads import upload_discard, upload_path

    from .register_import import register_import

    p = job.params
    path = upload_path(p)
    try:
        return register_import(actor=job.created_by, path=path, region_code=p["region"], now=timezone.now(),
                               progress=lambda stage, done, total: progress(done, total, stage))
    finally:
        upload_discard(p["token"])
