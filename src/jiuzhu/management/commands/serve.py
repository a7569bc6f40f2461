from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu import gunicorn_conf

from ._base import JiuzhuCommand

STAMP = ".jiuzhu-static-stamp"


def static_stamp() -> str:
    """A fingerprint of the static source files (path, size, modification time): collectstatic with
    compression takes seconds on every start, so ``serve`` runs it only when this changes."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def static_collect() -> bool:
    """collectstatic unless the collected files are there and the sources unchanged; True when it ran."""
    root = Path(settings.STATIC_ROOT)
    stamp = static_stamp()
    marker = root / STAMP
    if (root / "staticfiles.json").is_file() and marker.is_file() and marker.read_text() == stamp:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(stamp)
    return True


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
        static_collect()
        if with_worker:
            os.environ["JIUZHU_SERVE_WORKER"] = "1"  # gunicorn_conf.on_starting starts `jiuzhu worker`
        self.stdout.write(f"救助平台已启动：http://{host}:{port}  （Ctrl-C 停止）"
                          + ("；后台任务进程随之启动" if with_worker else ""))
        self.stdout.flush()
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        os.execv(gunicorn, [gunicorn, "jiuzhu.wsgi:application", "-c", "python:jiuzhu.gunicorn_conf",  # noqa: S606 — replaces this process with gunicorn
                            "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-"])
