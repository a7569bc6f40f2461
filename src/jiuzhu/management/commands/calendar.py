from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from jiuzhu.apps.workcalendar import selectors
from jiuzhu.apps.workcalendar.services import calendar_import

from ._base import JiuzhuCommand, parse_date as _date

class Command(JiuzhuCommand):
    help = "工作日历：is-workday DATE | add-workdays DATE N | import FILE"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("is-workday", help="该日期是否为工作日")
        p.add_argument("date")
        p = sub.add_parser("add-workdays", help="DATE 之后第 N 个工作日")
        p.add_argument("date")
        p.add_argument("n", type=int)
        p = sub.add_parser("import", help="导入一年的放假和调休安排（CSV: date,kind[,name] 或 JSON）")
        p.add_argument("file")
        p.add_argument("--replace", action="store_true", help="替换已有年份")
        sub.add_parser("years", help="列出已有日历的年份")

    def handle(self, *args, action, **opts):
        if action == "is-workday":
            self.stdout.write("true" if selectors.is_workday(_date(opts["date"])) else "false")
        elif action == "add-workdays":
            if opts["n"] < 1:
                raise CommandError("N 必须为正整数（≥1）", returncode=2)
            self.stdout.write(selectors.add_workdays(_date(opts["date"]), opts["n"]).isoformat())
        elif action == "years":
            self.stdout.write(" ".join(map(str, sorted(selectors.work_calendar().years))))
        else:
            path = Path(opts["file"])
            if not path.exists():
                raise CommandError(f"文件不存在：{path}", returncode=2)
            years = calendar_import(actor=None, text=path.read_text(encoding="utf-8-sig"), filename=path.name,
                                    replace=opts["replace"])
            self.stdout.write(f"已导入 {'、'.join(map(str, years))} 年工作日历")
