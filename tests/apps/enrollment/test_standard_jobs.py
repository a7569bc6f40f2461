"""Standard preview and apply as background jobs (issue 18 §1): the same services as ``jiuzhu standard
preview`` / ``apply``, run by the worker for the user who queued them, with their result on the job; a
refusal (apply before approval) fails the job with the service's Chinese reason and changes nothing."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange, StandardChange
from jiuzhu.apps.enrollment.standard import standard_approve
from jiuzhu.apps.jobs.models import Job
from jiuzhu.apps.jobs.services import job_enqueue
from tests.jobs_helpers import run_jobs

from .standard_helpers import COUNTY, county_checker, hh_factory  # noqa: F401
from .test_standard import enrolled, propose  # noqa: F401


def _queue(kind: str, actor, change: StandardChange) -> Job:
    job, _ = job_enqueue(kind=kind, params={"change_id": change.pk}, key=None, actor=actor, region_code=COUNTY,
                         now=timezone.now())
    run_jobs()
    job.refresh_from_db()
    return job


def test_preview_and_apply_run_as_jobs(county_user, county_checker, enrolled):  # noqa: F811
    # given a proposed rural standard of 1350
    change = propose(county_user)
    # when its preview runs as a job
    job = _queue("enrollment.standard_preview", county_user, change)
    # then the job carries the preview's summary and the change its file
    assert job.status == Job.Status.SUCCEEDED and job.result["counts"]["adjust"] == 5 and job.result["diff"] == "284.60"
    change.refresh_from_db()
    assert change.preview_sha256 == job.result["sha256"]
    # when apply is queued before approval: the job fails with the reason and nothing changes
    job = _queue("enrollment.standard_apply", county_user, change)
    assert job.status == Job.Status.FAILED and "尚未审批" in job.error and not EnrollmentChange.objects.exists()
    # when another county user approves and applies through a job
    standard_approve(actor=county_checker, change_id=change.pk)
    job = _queue("enrollment.standard_apply", county_checker, change)
    assert job.status == Job.Status.SUCCEEDED and job.result["adjusted"] == 5
    assert Enrollment.objects.get(pk=enrolled["tier1"].pk).amount == Decimal("2430.00")
