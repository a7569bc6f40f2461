from __future__ import annotations

import os
import sys

from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu import gunicorn_conf

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "以生产级服务器（gunicorn + whitenoise）提供服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("JIUZHU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("JIUZHU_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=gunicorn_conf.workers,
                            help="gunicorn 进程数（默认每个 CPU 核 6 个，最多 32；环境变量 JIUZHU_WORKERS）")
        parser.add_argument("--with-worker", action="store_true",
                            help="同时启动一个后台任务进程（jiuzhu worker），随服务停止（jiuzhu demo 默认如此）")

    def handle(self, *args, host, port, workers, with_worker=False, **opts):
        if not 1 <= workers <= 256:
            raise CommandError(f"--workers（gunicorn 进程数）应为 1 至 256，实为 {workers}", returncode=2)
        if not 1 <= port <= 65535:
            raise CommandError(f"--port（端口）应为 1 至 65535，实为 {port}", returncode=2)
        call_command("collectstatic", interactive=False, verbosity=0)
        if with_worker:
            os.environ["JIUZHU_SERVE_WORKER"] = "1"  # gunicorn_conf.on_starting starts `jiuzhu worker`
        self.stdout.write(f"救助平台已启动：http://{host}:{port}  （Ctrl-C 停止）"
                          + ("；后台任务进程随之启动" if with_worker else ""))
        self.stdout.flush()
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        os.execv(gunicorn, [gunicorn, "jiuzhu.wsgi:application", "-c", "python:jiuzhu.gunicorn_conf",  # noqa: S606 — replaces this process with gunicorn
                            "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-"])
