"""`jiuzhu ledger import FILE --region CODE [--dry-run]` / `jiuzhu ledger export --region CODE FILE`:
the enrollment ledger (在保对象台账) as xlsx, layout in docs/ledger-xlsx.md."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from jiuzhu.apps.enrollment.ledger_export import ledger_export
from jiuzhu.apps.enrollment.ledger_import import ledger_import
from jiuzhu.rules.errors import ValidationFailed

from ._bars import Bars, user_named
from ._base import JiuzhuCommand

SHOWN_ERRORS = 200


class Command(JiuzhuCommand):
    help = "在保对象台账：import 导入（逐行校验，全部正确才导入）；export 导出当前台账（默认脱敏）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import", help="导入台账 xlsx（每名成员一行）")
        p.add_argument("file")
        p.add_argument("--region", required=True, help="导入到的区划代码（各行村(居)须在其下）")
        p.add_argument("--dry-run", action="store_true", help="只校验，不导入")
        p.add_argument("--errors", help="有错误时写出错误报告 xlsx（原表加“错误”列）")
        p.add_argument("--user", help="操作人用户名（按其角色和管辖范围校验）")
        p.add_argument("--no-progress", action="store_true")
        p = sub.add_parser("export", help="导出当前在保对象台账 xlsx")
        p.add_argument("--region", required=True)
        p.add_argument("file")
        p.add_argument("--full", action="store_true", help="导出完整身份证号、银行账号和电话（记入审计日志）")
        p.add_argument("--user")
        p.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def print_domain_error(self, exc):
        items = exc.details.get("errors", [])
        for item in items[:SHOWN_ERRORS]:
            sys.stderr.write(f"  {item.get('text') or item.get('message')}\n")
        if len(items) > SHOWN_ERRORS:
            sys.stderr.write(f"  …另有 {len(items) - SHOWN_ERRORS} 处错误（用 --errors 写出完整错误报告）\n")

    def _import(self, *, file, region, dry_run, errors, user, no_progress, **_):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        try:
            with Bars(not no_progress) as bars:
                result = ledger_import(actor=user_named(user), path=path, region_code=region, dry_run=dry_run,
                                       error_report=errors, progress=bars)
        except ValidationFailed as exc:
            if errors and exc.code == "ledger.invalid_rows":
                self.stdout.write(f"错误报告已写出：{errors}（原表加“错误”列）")
            raise
        verb = "校验通过（未导入，--dry-run）" if dry_run else "导入完成"
        self.stdout.write(f"{verb}：{result['rows']} 行，{result['households']} 户、{result['persons']} 人、"
                          f"在保对象 {result['enrollments']} 个")

    def _export(self, *, region, file, full, user, no_progress, **_):
        with Bars(not no_progress) as bars:
            result = ledger_export(actor=user_named(user), region_code=region, path=Path(file), full=full,
                                   progress=bars)
        masked = "完整号码（已记入审计日志）" if full else "身份证号、银行账号、电话已脱敏"
        self.stdout.write(f"已导出 {file}：{result['households']} 户、{result['rows']} 行、在保对象 "
                          f"{result['enrollments']} 个（{masked}）")
        if result["skipped"]:
            self.stdout.write(f"注意：{len(result['skipped'])} 户有在保记录无法按台账格式导出（保障对象已不在户内，"
                              "或户主同时有两项保障），请在系统中核实")
