"""The monitoring scan (监测扫描) as a background job ``monitoring.scan``; ``jiuzhu monitor scan`` runs
the same service in the foreground."""

from __future__ import annotations

from django.utils import timezone

from .scan import monitor_scan


def scan_job(job, progress) -> dict:
    scan = monitor_scan(actor=job.created_by, region_code=job.params["region"], now=timezone.now(),
                        progress=lambda stage, done, total: progress(done, total, stage))
    return {"scan_id": scan.pk, "population": scan.population, "created": scan.created}
