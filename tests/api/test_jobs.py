"""``GET /api/v1/jobs/{id}``: a job's status, progress and result for those who may see it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jiuzhu.apps.jobs import services
from tests.jobs_helpers import run_jobs

pytestmark = pytest.mark.django_db


def test_owner_reads_the_job_and_another_township_gets_404(client, bearer, caseworker, outsider):
    # given a finished job of township A's caseworker
    job, _ = services.job_enqueue(kind="jobs.sleep", params={"seconds": 0}, actor=caseworker,
                                  region_code=caseworker.region_id, now=timezone.now())
    run_jobs()
    # when the caseworker reads it
    body = client.get(f"/api/v1/jobs/{job.pk}", **bearer(caseworker)).json()
    # then status, progress and result
    assert body["id"] == str(job.pk) and body["status"] == "succeeded" and body["status_label"] == "已完成"
    assert body["kind_label"] == "诊断任务（等待）" and body["attempts"] == 1 and body["progress"]["percent"] == 100
    assert body["result"] == {"seconds": 0, "attempt": 1}
    # when township B's caseworker reads it: 404 in the error format
    response = client.get(f"/api/v1/jobs/{job.pk}", **bearer(outsider))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert "后台任务不存在" in response.json()["message"]


def test_bad_job_ids(client, bearer, caseworker):
    assert client.get("/api/v1/jobs/0", **bearer(caseworker)).status_code == 422
    assert client.get("/api/v1/jobs/abc", **bearer(caseworker)).status_code == 422
    assert client.get("/api/v1/jobs/424242", **bearer(caseworker)).status_code == 404
    assert client.get("/api/v1/jobs/1").status_code == 401
