from __future__ import annotations

from django.utils import timezone

from jiuzhu.apps.cases import jobs

from ._base import JiuzhuCommand
from ._base import parse_date as _date


class Command(JiuzhuCommand):
    help = "审核确认案件：mark-overdue [--date YYYY-MM-DD] 标记逾期（督办）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("mark-overdue", help="将已过截止日仍未办理的环节标记为逾期，并列入督办")
        p.add_argument("--date", help="按此日期判断（默认今天），格式 YYYY-MM-DD")

    def handle(self, *args, action, **opts):
        if action == "mark-overdue":
            today = _date(opts["date"]) if opts.get("date") else timezone.localdate()
            counts = jobs.cases_mark_overdue(today=today)
            self.stdout.write(f"{today.isoformat()} 逾期检查完成：新标记逾期环节 {counts['deadlines']} 个，"
                              f"新增逾期案件 {counts['cases']} 件；公示期满转下一环节 {counts['handed_over']} 件")
