"""``jiuzhu jobs list | show ID | enqueue KIND | retry ID | kinds`` — background jobs at the console.

``enqueue`` queues a job of a registered kind (``--params`` JSON, ``--key`` idempotency key) for
``jiuzhu worker``; ``show --json`` prints one job (status, progress, attempts, error, result)."""

from __future__ import annotations

import json

from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.jobs import services
from jiuzhu.apps.jobs.models import Job
from jiuzhu.apps.jobs.registry import job_kinds, kind_label
from jiuzhu.apps.jobs.schedule import schedules

from ._bars import user_named
from ._base import JiuzhuCommand


def job_out(job: Job) -> dict:
    return {"id": job.pk, "kind": job.kind, "label": kind_label(job.kind), "key": job.key, "status": job.status,
            "status_label": job.get_status_display(), "attempts": job.attempts, "max_attempts": job.max_attempts,
            "claimed_by": job.claimed_by, "progress": {"done": job.progress_done, "total": job.progress_total,
                                                       "message": job.progress_message},
            "error": job.error, "error_code": job.error_code, "result": job.result, "params": job.params,
            "created_at": job.created_at.isoformat(), "run_after": job.run_after.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


def _job(value) -> Job:
    job = Job.objects.filter(pk=int(value)).first() if str(value).isdigit() and int(value) < 2**63 else None
    if job is None:
        raise CommandError(f"后台任务“{value}”不存在", returncode=2)
    return job


class Command(JiuzhuCommand):
    help = "后台任务：list 最近的任务 | show 查看 | enqueue 提交 | retry 重试失败的任务 | kinds 任务类型与定时计划"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("list", help="最近的后台任务")
        p.add_argument("--status", choices=Job.Status.values)
        p.add_argument("--limit", type=int, default=30)
        p = sub.add_parser("show", help="查看一个后台任务")
        p.add_argument("id")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("enqueue", help="提交一个后台任务（由 jiuzhu worker 执行）")
        p.add_argument("kind")
        p.add_argument("--params", default="{}", help="任务参数（JSON 对象）")
        p.add_argument("--key", help="幂等键：同类任务同一键只提交一次")
        p.add_argument("--user", help="以此用户的身份执行（默认：系统）")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("retry", help="重新排队一个失败的任务")
        p.add_argument("id")
        p.add_argument("--user", required=True, help="操作人（记入审计日志）")
        sub.add_parser("kinds", help="已注册的任务类型与定时计划")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _list(self, *, status, limit, **_):
        qs = Job.objects.order_by("-id")
        if status:
            qs = qs.filter(status=status)
        for job in qs[:max(1, min(limit, 1000))]:
            self.stdout.write(f"{job.pk:>6}  {job.get_status_display():<4}  {kind_label(job.kind):<12}  "
                              f"{job.attempts}/{job.max_attempts}  {job.created_at:%Y-%m-%d %H:%M}  {job.error}")

    def _show(self, *, id, json: bool, **_):  # noqa: A002
        out = job_out(_job(id))
        self.emit_json(out) if json else self.stdout.write("\n".join(f"{k}: {v}" for k, v in out.items()))

    def _enqueue(self, *, kind, params, key, user, json: bool, **_):
        try:
            data = _loads(params)
        except ValueError:
            raise CommandError("--params 应为 JSON 对象，如 {\"seconds\": 5}", returncode=2) from None
        job, created = services.job_enqueue(kind=kind, params=data, key=key, actor=user_named(user),
                                            now=timezone.now())
        if json:
            self.emit_json({**job_out(job), "created": created})
        else:
            self.stdout.write(f"{'已提交' if created else '已存在（同一幂等键）'}后台任务 {job.pk}：{kind_label(kind)}")

    def _retry(self, *, id, user, **_):  # noqa: A002
        job = services.job_retry(actor=_admin(user), job_id=_job(id).pk, now=timezone.now())
        self.stdout.write(f"任务 {job.pk} 已重新排队")

    def _kinds(self, **_):
        plans = schedules()
        for kind, entry in sorted(job_kinds().items()):
            plan = f"  定时：{plans[kind].label()}" if kind in plans else ""
            self.stdout.write(f"{kind:<28} {entry.label}（最多尝试 {entry.max_attempts} 次）{plan}")


def _loads(text: str) -> dict:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data


def _admin(name):
    return user_named(name, required=True)
