from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from jiuzhu.apps.regions.services import regions_import_file

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "行政区划：import FILE（CSV：区划代码,名称,上级代码），全部校验通过才导入"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import")
        p.add_argument("file")

    def handle(self, *args, action, **opts):
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        result = regions_import_file(actor=None, path=path)
        self.stdout.write(f"导入完成：新增 {result['created']} 个，更新 {result['updated']} 个")
