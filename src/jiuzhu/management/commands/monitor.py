"""`jiuzhu monitor scan --region CODE [--as-of D] [--engine duckdb|pyspark] [--json] [--no-progress]`,
`jiuzhu monitor alerts --region CODE [--status S] [--type T]`, `jiuzhu monitor register-import FILE --region CODE`
and `jiuzhu monitor register-export --region CODE --out FILE`: low-income monitoring from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.monitoring.register_export import register_export
from jiuzhu.apps.monitoring.register_import import register_import
from jiuzhu.apps.monitoring.scan import monitor_scan
from jiuzhu.apps.monitoring.selectors import alerts_queue
from jiuzhu.apps.regions.codes import is_valid_code
from jiuzhu.apps.regions.models import Region
from jiuzhu.batch.engines import ENGINES
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.monitoring import ALERT_TYPE_LABELS, CATEGORIES, DISPOSITIONS

from ._bars import Bars, user_named
from ._base import JiuzhuCommand, parse_date

SHOWN_ERRORS = 200


class _System:
    """The operator without --user: 县民政 of the region's county (scans its region only)."""

    role, is_active, is_authenticated, pk, username = "county_staff", True, True, None, "system"

    def __init__(self, region_id: str):
        self.region_id = region_id


class Command(JiuzhuCommand):
    help = ("低收入人口动态监测：scan --region CODE（扫描部门数据生成预警）；alerts --region CODE（列出预警）；"
            "register-import FILE --region CODE（导入低收入人口登记表）；register-export --region CODE --out FILE")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("scan", help="比对最新部门数据快照，为监测对象生成预警（不重复）")
        p.add_argument("--region", required=True, help="区划代码（县或乡镇）")
        p.add_argument("--as-of", help="监测日期（默认今天）")
        p.add_argument("--engine", default="duckdb", help="计算引擎：" + "、".join(ENGINES))
        p.add_argument("--user", help="操作人用户名（默认：系统，按县民政权限）")
        p.add_argument("--json", action="store_true")
        p.add_argument("--no-progress", action="store_true")
        a = sub.add_parser("alerts", help="列出区划内的预警（待处置的在前，按处置期限）")
        a.add_argument("--region", required=True)
        a.add_argument("--status", default="", help="open / in_progress / closed")
        a.add_argument("--type", default="", help="预警类型：" + "、".join(ALERT_TYPE_LABELS))
        a.add_argument("--overdue", action="store_true", help="只列逾期未办结的")
        a.add_argument("--user")
        a.add_argument("--json", action="store_true")
        r = sub.add_parser("register-import", help="导入低收入人口登记表 xlsx（逐行校验，全部正确才导入）")
        r.add_argument("file")
        r.add_argument("--region", required=True, help="导入到的区划代码（各行家庭须在其下）")
        r.add_argument("--dry-run", action="store_true", help="只校验，不导入")
        r.add_argument("--errors", help="有错误时写出错误报告 xlsx（原表加“错误”列）")
        r.add_argument("--user", help="操作人用户名（默认：系统，按县民政权限）")
        r.add_argument("--json", action="store_true")
        r.add_argument("--no-progress", action="store_true")
        e = sub.add_parser("register-export", help="导出低收入人口登记表 xlsx（身份证号脱敏）")
        e.add_argument("--region", required=True)
        e.add_argument("--out", required=True, help="输出文件（.xlsx）")
        e.add_argument("--user")
        e.add_argument("--json", action="store_true")
        e.add_argument("--no-progress", action="store_true")

    def print_domain_error(self, exc):
        items = exc.details.get("errors", [])
        for item in items[:SHOWN_ERRORS]:
            sys.stderr.write(f"  {item.get('text') or item.get('message')}\n")
        if len(items) > SHOWN_ERRORS:
            sys.stderr.write(f"  …另有 {len(items) - SHOWN_ERRORS} 处错误（用 --errors 写出完整错误报告）\n")

    def _actor(self, user, region):
        actor = user_named(user)
        if actor is not None:
            return actor
        if not is_valid_code(region or "") or not Region.objects.filter(pk=region).exists():
            raise CommandError(f"区划“{region}”不存在（参数：--region）", returncode=2)
        return _System(region[:6].ljust(12, "0"))

    def handle(self, *args, action, region, user=None, json=False, **opts):
        actor = self._actor(user, region)
        if action == "scan":
            return self._scan(actor, region, json, **opts)
        if action == "register-import":
            return self._register_import(actor, region, json, **opts)
        if action == "register-export":
            return self._register_export(actor, region, json, **opts)
        return self._alerts(actor, region, json, **opts)

    def _register_import(self, actor, region, json, *, file, dry_run=False, errors=None, no_progress=False, **_):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        try:
            with Bars(not no_progress) as bars:
                result = register_import(actor=actor, path=path, region_code=region, now=timezone.now(),
                                         dry_run=dry_run, error_report=errors, progress=bars)
        except ValidationFailed as exc:
            if errors and exc.code == "monitor.invalid_rows":
                self.stdout.write(f"错误报告已写出：{errors}（原表加“错误”列）")
            raise
        if json:
            self.emit_json(result)
            return
        verb = "校验通过（未导入，--dry-run）" if dry_run else "导入完成"
        self.stdout.write(f"{verb}：{result['rows']} 条登记（{result['households']} 户）：低保边缘 {result['edge']}、"
                          f"刚性支出困难 {result['rigid_expenditure']}、临时救助 {result['temporary']}")

    def _register_export(self, actor, region, json, *, out, no_progress=False, **_):
        if not Path(out).parent.is_dir():
            raise CommandError(f"输出目录不存在：{Path(out).parent}（参数：--out）", returncode=2)
        with Bars(not no_progress) as bars:
            result = register_export(actor=actor, region_code=region, out=Path(out), progress=bars)
        if json:
            self.emit_json({**result, "file": str(out)})
            return
        self.stdout.write(f"已导出 {out}：{result['rows']} 条登记，其中有效 {result['valid']} 条（户主身份证号已脱敏）")

    def _scan(self, actor, region, json, *, as_of=None, engine="duckdb", no_progress=False, **_):
        if engine not in ENGINES:
            raise CommandError(f"计算引擎“{engine}”无效，可选：{'、'.join(ENGINES)}（参数：--engine）", returncode=2)
        day = parse_date(as_of) if as_of else None
        with Bars(not no_progress) as bars:
            scan = monitor_scan(actor=actor, region_code=region, now=timezone.now(), as_of=day, engine=engine,
                                progress=bars)
        data = {"scan": scan.pk, "region": scan.region_id, "as_of": scan.as_of.isoformat(), "engine": scan.engine,
                "population": scan.population, "matched": scan.matched, "candidates": scan.candidates,
                "created": scan.created, "counts": scan.counts, "seconds": scan.seconds, "digest": scan.digest,
                "snapshots": [s["source"] + "@" + s["as_of"] for s in scan.snapshots]}
        if json:
            self.emit_json(data)
            return
        self.stdout.write(f"监测扫描 {scan.pk}：{scan.region_id}，监测日期 {scan.as_of}，监测 {scan.population} 人"
                          f"（可比对 {scan.matched} 人），命中 {scan.candidates} 条，新增预警 {scan.created} 条，"
                          f"耗时 {scan.seconds} 秒")
        for code, n in sorted(scan.counts.items()):
            self.stdout.write(f"  {ALERT_TYPE_LABELS.get(code, code)}：{n}")

    def _alerts(self, actor, region, json, *, status="", type="", overdue=False, **_):
        today = timezone.localdate()
        rows, more = alerts_queue(actor=actor, today=today, type=type, status=status, overdue=overdue,
                                  region_code=region)
        out = [{"id": a.pk, "number": a.number, "type": a.type, "person": a.person.name, "region": a.region_id,
                "category": a.category, "event_date": a.event_date.isoformat(), "due_date": a.due_date.isoformat(),
                "overdue": a.due_date < today and a.status != "closed", "status": a.status,
                "disposition": a.disposition} for a in rows]
        if json:
            self.emit_json({"alerts": out, "more": more})
            return
        for r in out:
            self.stdout.write(f"{r['number']} {ALERT_TYPE_LABELS[r['type']]} {r['person']} {CATEGORIES[r['category']]} "
                              f"期限 {r['due_date']}{'（逾期）' if r['overdue'] else ''} "
                              f"{DISPOSITIONS.get(r['disposition'], '待处置')}")
        if not out:
            self.stdout.write("没有符合条件的预警")
