from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from jiuzhu.apps.workcalendar import selectors
from jiuzhu.apps.workcalendar.services import calendar_import

from ._base import JiuzhuCommand
from ._base import parse_date as _date


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
        sub.add_parser("years", help="列出日历年份及其状态（official 官方 / provisional 暂定）")

    def handle(self, *args, action, **opts):
        if action == "is-workday":
            day = _date(opts["date"])
            self.stdout.write("true" if selectors.is_workday(day) else "false")
            self._provisional_note(day, day)
        elif action == "add-workdays":
            if opts["n"] < 1:
                raise CommandError("N 必须为正整数（≥1）", returncode=2)
            start = _date(opts["date"])
            due = selectors.add_workdays(start, opts["n"])
            self.stdout.write(due.isoformat())
            self._provisional_note(start, due)
        elif action == "years":
            for row in selectors.calendar_years():
                self.stdout.write(f"{row['year']} {row['status']} {row['source']}")
        else:
            path = Path(opts["file"])
            if not path.is_file():
                raise CommandError(f"文件不存在：{path}", returncode=2)
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                raise CommandError(f"文件 {path.name} 不是 UTF-8 编码的文本文件（CSV 或 JSON），未导入任何数据", returncode=2) from None
            result = calendar_import(actor=None, text=text, filename=path.name, replace=opts["replace"])
            years = "、".join(map(str, result.years))
            if not result.changed:
                self.stdout.write(f"{years} 年工作日历与已导入的相同，未作改动")
                return
            self.stdout.write(f"已导入 {years} 年工作日历；因放假安排调整时限 {len(result.moved)} 项")
            for m in result.moved:
                self.stdout.write(f"  {m['number']} {m['step']} {m['from']} → {m['to']}")

    def _provisional_note(self, start, end):
        cal = selectors.work_calendar()
        years = sorted(y for y in range(start.year, end.year + 1) if cal.is_provisional(y))
        if years:
            self.stderr.write(f"注意：{'、'.join(map(str, years))} 年尚未导入官方放假安排，按法定节假日暂定计算")
