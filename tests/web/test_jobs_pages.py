"""The jobs page (后台任务), one job's page, the status fragment a page polls, retry; scope attacked
from another township; unknown ids get the Chinese 404 page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.jobs import services
from jiuzhu.apps.jobs.models import Job
from jiuzhu.apps.jobs.registry import register_job_kind
from jiuzhu.rules.errors import DomainError
from tests.conftest import TOWNSHIP_A
from tests.jobs_helpers import run_jobs

pytestmark = pytest.mark.django_db


def _refuse(job, progress):
    raise DomainError("test.refused", "测试：输入有误")


register_job_kind("tests.web_refused", _refuse, label="测试任务（输入错误）")


def _job(user, kind="jobs.sleep", **params):
    return services.job_enqueue(kind=kind, params=params or {"seconds": 0}, actor=user, region_code=user.region_id,
                                now=timezone.now())[0]


def test_status_fragment_polls_until_done_then_stops(client, caseworker):
    # given a queued job of the caseworker
    job = _job(caseworker)
    client.force_login(caseworker)
    url = reverse("web:job_status", args=[job.pk])
    # when the page polls its status before it ran: queued, and the fragment polls again
    html = client.get(url).content.decode()
    assert "排队中" in html and "已提交后台任务" in html and f'hx-get="{url}"' in html
    # when it has run: done, 100 %, and no more polling
    run_jobs()
    response = client.get(url)
    html = response.content.decode()
    assert "已完成" in html and 'value="100"' in html and "hx-get" not in html
    assert response["Cache-Control"] == "no-store"


def test_jobs_page_lists_own_jobs_with_errors_and_a_retry_that_is_audited(client, caseworker):
    # given a job that failed with a Chinese message
    job = _job(caseworker, kind="tests.web_refused")
    run_jobs()
    client.force_login(caseworker)
    # when the caseworker opens the jobs page
    html = client.get(reverse("web:job_list")).content.decode()
    # then the job shows its label, status, attempts, error and a retry button
    assert "测试任务（输入错误）" in html and "失败" in html and "1/3" in html and "测试：输入有误" in html
    assert reverse("web:job_retry", args=[job.pk]) in html
    # when they retry it
    response = client.post(reverse("web:job_retry", args=[job.pk]))
    # then it is queued again and the retry is audited
    assert response.status_code == 302 and Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    assert AuditEvent.objects.filter(action="job.retry", subject_id=str(job.pk)).count() == 1
    # and retrying a queued job is refused with a Chinese message, changing nothing
    html = client.post(reverse("web:job_retry", args=[job.pk]), follow=True).content.decode()
    assert "只有失败或已取消的任务可以重试" in html
    assert AuditEvent.objects.filter(action="job.retry").count() == 1


def test_another_townships_user_cannot_read_or_retry_a_job(client, caseworker, outsider, county_user, admin_user):
    # given a failed job of township A's caseworker
    job = _job(caseworker, kind="tests.web_refused")
    run_jobs()
    # when township B's caseworker asks for it in every way
    client.force_login(outsider)
    for name, method in (("job_detail", "get"), ("job_status", "get"), ("job_retry", "post"), ("job_cancel", "post")):
        response = getattr(client, method)(reverse(f"web:{name}", args=[job.pk]))
        # then it is "not found", in Chinese, and nothing about it shows
        assert response.status_code == 404, name
        assert "后台任务不存在或不在您的管辖范围内" in response.content.decode()
        assert "测试：输入有误" not in response.content.decode()
    assert "测试任务（输入错误）" not in client.get(reverse("web:job_list")).content.decode()
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
    # while the county and the administrator see it
    for user in (county_user, admin_user):
        client.force_login(user)
        assert f'id="job-row-{job.pk}"' in client.get(reverse("web:job_list")).content.decode()
        assert client.get(reverse("web:job_detail", args=[job.pk])).status_code == 200


def test_unknown_job_gets_the_chinese_404_page(client, admin_user):
    client.force_login(admin_user)
    # when an administrator asks for a job that does not exist
    for url in (reverse("web:job_detail", args=[999999]), reverse("web:job_status", args=[2**63 + 5])):
        response = client.get(url)
        # then a Chinese 404 page, not a server error
        assert response.status_code == 404 and "后台任务不存在或不在您的管辖范围内" in response.content.decode()
    assert client.get("/jobs/abc/").status_code == 404


def test_a_double_submitted_form_queues_one_job(client, county_user, regions):
    # given the payroll form with its one-time token
    client.force_login(county_user)
    html = client.get(reverse("web:payroll_list")).content.decode()
    token = html.split('name="job_token" value="')[1].split('"')[0]
    month = f"{timezone.localdate():%Y-%m}"
    # when it is submitted twice
    first = client.post(reverse("web:payroll_prepare"), {"region": TOWNSHIP_A, "month": month, "job_token": token})
    second = client.post(reverse("web:payroll_prepare"), {"region": TOWNSHIP_A, "month": month, "job_token": token},
                         follow=True)
    # then one job, and the second submit says so
    assert Job.objects.filter(kind="payroll.prepare").count() == 1
    assert first["Location"] == second.redirect_chain[-1][0]
    assert "该表单已提交过" in second.content.decode()
