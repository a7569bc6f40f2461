"""``jiuzhu check``: what is not production-ready, one Chinese line each; exit 1 when any item blocks.

Replaces Django's ``check`` command under ``jiuzhu`` (Django's system checks still run first, as for
every command). Under ``jiuzhu`` the production settings list their refused secrets here instead of
stopping (cli.py sets JIUZHU_CHECK_ONLY)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from jiuzhu.core.readiness import readiness

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "检查生产环境就绪情况（密钥、HTTPS、数据库、备份、工作日历……）；有阻断项时退出码为 1"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, json=False, **opts):
        now = timezone.now()
        items = readiness(settings, now=now, next_year_calendar=self._calendar_status(now))
        blocking = [i for i in items if i.blocking]
        if json:
            self.emit_json({"ready": not blocking, "items": [
                {"code": i.code, "message": i.message, "blocking": i.blocking} for i in items]})
        elif not items:
            self.stdout.write("生产环境检查通过：没有未就绪项")
        else:
            for item in items:
                self.stdout.write(item.line())
            self.stdout.write(f"共 {len(items)} 项未就绪，其中阻断项 {len(blocking)} 项（✗ 阻断，! 建议）")
        if blocking:
            raise SystemExit(1)

    @staticmethod
    def _calendar_status(now) -> str | None:
        from jiuzhu.apps.workcalendar.selectors import year_status

        try:
            return year_status(timezone.localtime(now).year + 1)
        except Exception:  # noqa: BLE001 — a readiness report never fails on one item (e.g. no tables yet)
            return None
