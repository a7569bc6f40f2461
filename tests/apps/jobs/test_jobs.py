"""Background jobs: idempotency keys, claiming, retries with backoff, recovery of a dead worker's job,
scheduled jobs once per period, and the scope of who sees a job."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.jobs import services
from jiuzhu.apps.jobs.models import Job
from jiuzhu.apps.jobs.registry import register_job_kind
from jiuzhu.apps.jobs.schedule import schedules, schedules_enqueue_due
from jiuzhu.apps.jobs.selectors import job_get, jobs_visible
from jiuzhu.apps.jobs.worker import Worker
from jiuzhu.rules.errors import Conflict, NotFound, ValidationFailed
from tests.conftest import TOWNSHIP_A

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLS: list[int] = []


def _flaky(job, progress):
    CALLS.append(job.pk)
    progress(1, 2, "执行中")
    raise RuntimeError("secret internals /etc/passwd")


def _refused(job, progress):
    from jiuzhu.rules.errors import DomainError

    raise DomainError("test.refused", "输入有误：区划不存在")


register_job_kind("tests.flaky", _flaky, label="测试（总是出错）", max_attempts=3)
register_job_kind("tests.refused", _refused, label="测试（输入错误）", max_attempts=3)


@pytest.fixture(autouse=True)
def _backoff(settings):
    settings.JIUZHU_JOB_BACKOFF_SECONDS = 30
    settings.JIUZHU_JOB_TIMEOUT_SECONDS = 60
    settings.JIUZHU_JOB_HEARTBEAT_SECONDS = 0.2


def test_same_idempotency_key_queues_one_job(db):
    # given a job queued with a key
    now = timezone.now()
    first, created = services.job_enqueue(kind="jobs.sleep", params={"seconds": 0}, key="k-1", now=now)
    # when the same kind and key are queued again (and once more after it finished)
    again, created_again = services.job_enqueue(kind="jobs.sleep", params={"seconds": 9}, key="k-1", now=now)
    Worker("w1", schedule=False).tick()
    after, created_after = services.job_enqueue(kind="jobs.sleep", key="k-1", now=now)
    # then there is one job, run once; another key is another job
    assert created and not created_again and not created_after
    assert again.pk == first.pk == after.pk and after.status == Job.Status.SUCCEEDED
    other, created_other = services.job_enqueue(kind="jobs.sleep", key="k-2", now=now)
    assert created_other and other.pk != first.pk and Job.objects.count() == 2


def test_unknown_kind_and_bad_key_are_refused_in_chinese(db):
    # when a job of an unregistered kind, or with an empty key, is queued
    with pytest.raises(ValidationFailed) as unknown:
        services.job_enqueue(kind="nope.nothing", now=timezone.now())
    with pytest.raises(ValidationFailed) as bad_key:
        services.job_enqueue(kind="jobs.sleep", key="", now=timezone.now())
    # then nothing is queued and the message names the problem
    assert unknown.value.code == "jobs.kind" and "任务类型“nope.nothing”不存在" in unknown.value.message
    assert bad_key.value.details["field"] == "key"
    assert not Job.objects.exists()


def test_a_claimed_job_is_not_claimed_again(db):
    # given one queued job
    job, _ = services.job_enqueue(kind="jobs.sleep", params={"seconds": 0}, now=timezone.now())
    # when two workers claim
    first = services.job_claim(worker_id="w1", now=timezone.now())
    second = services.job_claim(worker_id="w2", now=timezone.now())
    # then only the first gets it, as running with one attempt
    assert first.pk == job.pk and second is None
    first.refresh_from_db()
    assert first.status == Job.Status.RUNNING and first.claimed_by == "w1" and first.attempts == 1


def test_a_job_not_yet_due_waits(db):
    # given a job to run in an hour
    services.job_enqueue(kind="jobs.sleep", now=timezone.now(), run_after=timezone.now() + timedelta(hours=1))
    # when a worker looks for work: there is none yet
    assert services.job_claim(worker_id="w1", now=timezone.now()) is None


def test_a_failing_job_is_retried_with_exponential_backoff_then_failed(db):
    # given a job whose handler always raises
    CALLS.clear()
    job, _ = services.job_enqueue(kind="tests.flaky", now=timezone.now())
    worker = Worker("w1", schedule=False)
    # when the worker runs it
    worker.tick()
    job.refresh_from_db()
    # then it is queued again 30 s later (the first backoff), with a Chinese error and no internals
    assert job.status == Job.Status.QUEUED and job.attempts == 1
    first_wait = job.run_after - timezone.now()
    assert timedelta(seconds=25) < first_wait <= timedelta(seconds=30)
    assert "第 1 次执行失败" in job.error and "内部错误" in job.error
    assert "secret" not in job.error and "Traceback" not in job.error and "RuntimeError" not in job.error
    # and not run again before then
    assert worker.tick() is None
    # when the backoff has passed: the second wait doubles (60 s)
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    worker.tick()
    job.refresh_from_db()
    assert job.attempts == 2 and timedelta(seconds=55) < job.run_after - timezone.now() <= timedelta(seconds=60)
    # when the last attempt fails too: failed for good, after exactly max_attempts runs
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    worker.tick()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 3 == len(CALLS)
    assert job.error == services.INTERNAL_ERROR and job.finished_at is not None


def test_a_domain_error_fails_the_job_at_once_with_its_message(db):
    # given a job whose input is wrong
    job, _ = services.job_enqueue(kind="tests.refused", now=timezone.now())
    # when it runs
    Worker("w1", schedule=False).tick()
    job.refresh_from_db()
    # then it failed on the first attempt with the Chinese message (retrying would not help)
    assert job.status == Job.Status.FAILED and job.attempts == 1
    assert job.error == "输入有误：区划不存在" and job.error_code == "test.refused"


def test_a_job_whose_worker_stopped_beating_is_queued_again_then_failed(db):
    # given a job claimed by a worker that then died (no more heartbeats)
    job, _ = services.job_enqueue(kind="jobs.sleep", params={"seconds": 0}, now=timezone.now(), max_attempts=2)
    services.job_claim(worker_id="dead-1", now=timezone.now())
    # when another worker looks before the timeout: nothing is recovered
    assert services.jobs_recover(now=timezone.now() + timedelta(seconds=30)) == 0
    # when it looks after the timeout: the job is queued again, naming the dead worker
    assert services.jobs_recover(now=timezone.now() + timedelta(seconds=61)) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.claimed_by == "" and "dead-1" in job.error
    # and when the second (last) attempt's worker dies too, the job fails
    later = timezone.now() + timedelta(seconds=62)
    assert services.job_claim(worker_id="dead-2", now=later).pk == job.pk
    assert services.jobs_recover(now=later + timedelta(seconds=61)) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "已达最大尝试次数 2" in job.error


def test_a_late_result_of_a_recovered_job_is_not_recorded(db):
    # given a job taken back from a worker that was only slow, and claimed by another
    job, _ = services.job_enqueue(kind="jobs.sleep", now=timezone.now())
    slow = services.job_claim(worker_id="slow", now=timezone.now())
    later = timezone.now() + timedelta(seconds=61)
    services.jobs_recover(now=later)
    services.job_claim(worker_id="fast", now=later)
    # when the slow worker finishes after all
    recorded = services.job_succeed(slow, worker_id="slow", result={"x": 1}, now=timezone.now())
    # then its result is ignored: the job belongs to the other worker
    job.refresh_from_db()
    assert not recorded and job.status == Job.Status.RUNNING and job.claimed_by == "fast"


def test_schedules_enqueue_each_period_once(db):
    # given the registered schedules (overdue marking and graduation ends daily, payroll reminder monthly)
    assert {"cases.mark_overdue", "enrollment.graduation_end", "payments.payroll_reminder"} <= set(schedules())
    morning = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)
    # when the workers look twice on the same morning
    first = schedules_enqueue_due(now=morning)
    second = schedules_enqueue_due(now=morning + timedelta(minutes=5))
    # then each schedule's period is queued once, keyed by its period
    keys = set(Job.objects.values_list("key", flat=True))
    assert second == [] and len(first) == len(keys)
    assert {"cases.mark_overdue:2026-12-07", "enrollment.graduation_end:2026-12-07",
            "payments.payroll_reminder:2026-11"} <= keys
    # when the next day comes (before the 20th: the reminder's period is still November)
    schedules_enqueue_due(now=morning + timedelta(days=1))
    assert Job.objects.filter(key="cases.mark_overdue:2026-12-08").count() == 1
    assert Job.objects.filter(kind="payments.payroll_reminder").count() == 1
    # and on the 20th at 08:00 December's reminder is queued
    schedules_enqueue_due(now=datetime(2026, 12, 20, 8, 0, tzinfo=SHANGHAI))
    assert Job.objects.filter(key="payments.payroll_reminder:2026-12").count() == 1


def test_scheduled_jobs_run_their_services(db):
    # given today's scheduled jobs
    schedules_enqueue_due(now=datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI))
    Job.objects.update(run_after=timezone.now() - timedelta(minutes=1))  # due for this (frozen) clock
    # when a worker runs them
    worker = Worker("w1", schedule=False)
    while worker.tick():
        pass
    # then each succeeded with its service's counts; the reminder left an audit event
    jobs = {j.kind: j for j in Job.objects.all()}
    assert {j.status for j in jobs.values()} == {Job.Status.SUCCEEDED}
    assert set(jobs["cases.mark_overdue"].result) == {"deadlines", "cases", "handed_over"}
    assert jobs["enrollment.graduation_end"].result == {"stopped": 0}
    assert jobs["payments.payroll_reminder"].result["month"] == "2027-01-01"
    event = AuditEvent.objects.get(action="payroll.reminder")
    assert "2027年1月" in event.reason


def test_who_sees_which_job(caseworker, outsider, county_user, admin_user):
    # given a job of township A's caseworker, and a scheduled job of nobody
    now = timezone.now()
    own, _ = services.job_enqueue(kind="jobs.sleep", actor=caseworker, region_code=TOWNSHIP_A, now=now)
    system, _ = services.job_enqueue(kind="jobs.sleep", key="system", now=now)
    # then the caseworker and the county see it, the administrator sees both, township B's caseworker neither
    assert [j.pk for j in jobs_visible(actor=caseworker)] == [own.pk]
    assert [j.pk for j in jobs_visible(actor=county_user)] == [own.pk]
    assert {j.pk for j in jobs_visible(actor=admin_user)} == {own.pk, system.pk}
    assert jobs_visible(actor=outsider) == []
    with pytest.raises(NotFound) as exc:
        job_get(actor=outsider, job_id=own.pk)
    assert exc.value.message == "后台任务不存在或不在您的管辖范围内"
    with pytest.raises(NotFound):
        job_get(actor=caseworker, job_id="abc")


def test_retry_requeues_a_failed_job_and_is_audited(caseworker, outsider):
    # given a failed job of the caseworker
    job, _ = services.job_enqueue(kind="tests.refused", actor=caseworker, region_code=TOWNSHIP_A, now=timezone.now())
    Worker("w1", schedule=False).tick()
    # when township B's caseworker tries to retry it: not found
    with pytest.raises(NotFound):
        services.job_retry(actor=outsider, job_id=job.pk, now=timezone.now())
    # when the caseworker retries it
    job = services.job_retry(actor=caseworker, job_id=job.pk, now=timezone.now())
    # then it is queued from zero attempts, and the retry is in the audit log
    assert job.status == Job.Status.QUEUED and job.attempts == 0 and job.error == ""
    event = AuditEvent.objects.get(action="job.retry")
    assert event.subject_id == str(job.pk) and event.details["from_status"] == "failed"
    # and a queued job cannot be retried (only cancelled, also audited)
    with pytest.raises(Conflict):
        services.job_retry(actor=caseworker, job_id=job.pk, now=timezone.now())
    services.job_cancel(actor=caseworker, job_id=job.pk, now=timezone.now())
    assert Job.objects.get(pk=job.pk).status == Job.Status.CANCELLED
    assert AuditEvent.objects.filter(action="job.cancel").count() == 1
