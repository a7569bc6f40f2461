from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from jiuzhu.apps.backup.services import backup_restore
from jiuzhu.core.crypto import KeyError_

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = ("从备份目录恢复到空数据库：先核对清单签名和 SHA-256，恢复后核对各表行数、审计链头并校验审计日志；"
            "全部相符返回 0")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="jiuzhu backup 生成的备份目录（含 manifest.json）")

    def handle(self, *args, directory, **opts):
        try:
            report = backup_restore(directory=directory)
        except KeyError_ as exc:
            raise CommandError(str(exc), returncode=2) from None
        manifest = report.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"已从 {directory} 恢复（备份于 {manifest['created_at']}，{len(manifest['tables'])} 张表 {rows} 行）")
        if report.problems:
            for problem in report.problems:
                self.stdout.write(f"  恢复后校验不符：{problem}")
            sys.stdout.flush()
            sys.exit(1)
        self.stdout.write(f"恢复后校验通过：各表行数与清单一致，审计日志完整（{report.events_checked} 条事件）")
        if report.needs_migrate:
            self.stdout.write("备份的数据库结构早于当前程序：请运行 jiuzhu migrate")
