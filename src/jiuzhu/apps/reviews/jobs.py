"""Starting the annual review (年审) as a background job ``reviews.start``; ``jiuzhu review start``
runs the same service in the foreground."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from .services import review_start


def start_job(job, progress) -> dict:
    p = job.params
    campaign, created = review_start(actor=job.created_by, region_code=p["region"], year=p["year"],
                                     now=timezone.now(), due=date.fromisoformat(p["due"]) if p.get("due") else None,
                                     progress=lambda stage, done, total: progress(done, total, stage))
    return {"campaign_id": campaign.pk, "year": campaign.year, "created": created,
            "cases_created": campaign.cases_created}
