"""``jiuzhu stats compute --region CODE --month YYYY-MM [--from YYYY-MM] [--user NAME] [--json]``:
recompute the monthly statistics facts of a county or township for one month, or for every month
from ``--from`` to ``--month``. Each month replaces its facts (running it again changes nothing but
the computation time). Progress bars on stderr; one summary line (or JSON) per month on stdout.

``jiuzhu stats return --month YYYY-MM --out FILE [--region CODE] [--user NAME]``: the monthly
statistical return as xlsx or PDF (by the file's suffix), computed afresh; refused (exit 1, nothing
written) when the amounts differ from the payroll ledger. Without ``--region``: the only county."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.stats.return_export import monthly_return, return_export
from jiuzhu.apps.stats.services import months_between, parse_month, stats_compute
from jiuzhu.rules.errors import DomainError

from ._bars import Bars, user_named
from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "月度统计：compute 重新计算某县或乡镇某月（或一段月份）的统计数据；return 生成月度统计报表（xlsx 或 PDF）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("compute", help="重新计算月度统计")
        p.add_argument("--region", required=True, help="县或乡镇区划代码（12 位）")
        p.add_argument("--month", required=True, help="统计月份 YYYY-MM（与 --from 同用时为最后一个月）")
        p.add_argument("--from", dest="first", default=None, help="起始月份 YYYY-MM（含）")
        p.add_argument("--user", default=None, help="操作人（县民政）；不填为系统")
        p.add_argument("--json", action="store_true", help="每月输出一行 JSON")
        p.add_argument("--no-progress", action="store_true", help="不显示进度条")

        r = sub.add_parser("return", help="生成月度统计报表（与发放台账核对一致才生成）")
        r.add_argument("--month", required=True, help="统计月份 YYYY-MM")
        r.add_argument("--out", required=True, help="输出文件，.xlsx 或 .pdf")
        r.add_argument("--region", default=None, help="县或乡镇区划代码；不填为本系统唯一的县")
        r.add_argument("--user", default=None, help="操作人；不填为系统")

    def handle(self, *args, action, **opts):
        if action == "return":
            return self.handle_return(**opts)
        return self.handle_compute(**opts)

    def handle_return(self, *, month, out, region, user, **opts):
        path = Path(out)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "pdf"):
            raise CommandError(f"--out 文件“{out}”应以 .xlsx 或 .pdf 结尾", returncode=2)
        if not region:
            counties = list(Region.objects.filter(level=3).values_list("code", flat=True)[:2])
            if len(counties) != 1:
                raise CommandError("系统中有多个县或没有县，请用 --region 指定区划代码", returncode=2)
            region = counties[0]
        actor = user_named(user)
        try:
            data = monthly_return(actor=actor, month=month, region_code=region, today=timezone.localdate())
            content = return_export(actor=actor, data=data, fmt=fmt, now=timezone.now(), today=timezone.localdate())
        except DomainError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        path.write_bytes(content)
        paid = data.tables[1].rows[-1][-1]
        self.stdout.write(f"{data.region_name} {data.month:%Y-%m} 月度统计报表已写入 {path}（发放合计 {paid} 元，与发放台账一致）")

    def handle_compute(self, *, region, month, first, user, json: bool, no_progress: bool, **opts):
        last = parse_month(month, field="month")
        start = parse_month(first, field="from") if first else last
        if start > last:
            raise CommandError(f"--from {start:%Y-%m} 晚于 --month {last:%Y-%m}", returncode=2)
        months = months_between(start, last)
        if len(months) > 240:
            raise CommandError("一次最多计算 240 个月", returncode=2)
        actor = user_named(user)
        for m in months:
            with Bars(enabled=not no_progress) as bars:
                result = stats_compute(month=m, region_code=region, actor=actor, now=timezone.now(),
                                       progress=lambda label, done, total, m=m: bars(f"{m:%Y-%m} {label}", done, total))
            if json:
                self.stdout.write(_dumps(result))
            else:
                self.stdout.write(f"{result['month']} {result['region']}：{result['rows']} 条统计，"
                                  f"用时 {result['seconds']} 秒")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
