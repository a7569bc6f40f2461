"""``jiuzhu worker [--once] [--concurrency N]`` — run background jobs (后台任务) from the job table.

Each round a worker puts back jobs whose worker died (heartbeat older than JIUZHU_JOB_TIMEOUT_SECONDS),
enqueues due scheduled jobs (daily overdue marking, graduation ends, the monthly payroll reminder),
claims one job and runs it. SIGTERM or Ctrl-C: the running jobs finish, then the worker exits (a
second signal exits at once; the job is then recovered by another worker after the timeout).
``--once`` runs the due jobs once and exits (for a test or a manual run)."""

from __future__ import annotations

import logging
import os
import signal
import threading

from django.conf import settings
from django.core.management.base import CommandError

from jiuzhu.apps.jobs.worker import Worker, worker_name

from ._base import JiuzhuCommand

log = logging.getLogger("jiuzhu.jobs")


class Command(JiuzhuCommand):
    help = "运行后台任务（发放批次生成、监测扫描、部门数据导入、年审启动、定时任务）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="执行当前到期的任务后退出")
        parser.add_argument("--concurrency", type=int, default=1, help="并行执行的任务数（线程，默认 1）")
        parser.add_argument("--no-schedule", action="store_true", help="不登记定时任务（只执行已排队的任务）")
        parser.add_argument("--poll", type=float, default=None,
                            help="无任务时的轮询间隔（秒，默认 JIUZHU_JOB_POLL_SECONDS=2）")

    def handle(self, *args, once, concurrency, no_schedule, poll, **opts):
        if not 1 <= concurrency <= 32:
            raise CommandError(f"--concurrency（并行任务数）应为 1 至 32，实为 {concurrency}", returncode=2)
        if poll is not None and not 0.05 <= poll <= 600:
            raise CommandError(f"--poll（轮询间隔）应为 0.05 至 600 秒，实为 {poll}", returncode=2)
        beat, timeout = settings.JIUZHU_JOB_HEARTBEAT_SECONDS, settings.JIUZHU_JOB_TIMEOUT_SECONDS
        if not 0 < beat * 2 <= timeout:
            raise CommandError(f"JIUZHU_JOB_TIMEOUT_SECONDS（{timeout}）应至少为心跳间隔 JIUZHU_JOB_HEARTBEAT_SECONDS"
                               f"（{beat}）的 2 倍", returncode=2)
        workers = [Worker(worker_name(i), schedule=not no_schedule and i == 0) for i in range(concurrency)]
        if once:
            ran = self._once(workers[0])
            self.stdout.write(f"已执行后台任务 {ran} 个")
            return
        stop = threading.Event()
        self._signals(stop)
        parent = int(os.environ.get("JIUZHU_WORKER_PARENT_PID", "0") or 0) or None
        self.stdout.write(f"后台任务进程已启动：{concurrency} 个执行线程（{workers[0].worker_id}），SIGTERM 或 Ctrl-C 停止")
        self.stdout.flush()
        threads = [threading.Thread(target=w.loop, args=(stop,), kwargs={"poll": poll, "parent_pid": parent},
                                    name=w.worker_id, daemon=True) for w in workers]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(timeout=0.5)
        self.stdout.write("后台任务进程已停止")

    @staticmethod
    def _once(worker: Worker) -> int:
        ran = 0
        while worker.tick() is not None:
            ran += 1
        return ran

    def _signals(self, stop: threading.Event) -> None:
        def handler(signum, frame):  # noqa: ARG001
            if stop.is_set():
                os._exit(1)
            log.warning("worker: signal %s, finishing the running jobs", signum)
            stop.set()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
