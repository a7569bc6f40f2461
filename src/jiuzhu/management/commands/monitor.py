"""`jiuzhu monitor scan --region CODE [--as-of D] [--engine duckdb|pyspark] [--json] [--no-progress]` and
`jiuzhu monitor alerts --region CODE [--status S] [--type T]`: low-income monitoring from the command line."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.monitoring.scan import monitor_scan
from jiuzhu.apps.monitoring.selectors import alerts_queue
from jiuzhu.apps.regions.codes import is_valid_code
from jiuzhu.apps.regions.models import Region
from jiuzhu.batch.engines import ENGINES
from jiuzhu.rules.monitoring import ALERT_TYPE_LABELS, CATEGORIES, DISPOSITIONS

from ._bars import Bars, user_named
from ._base import JiuzhuCommand, parse_date


class _System:
    """The operator without --user: 县民政 of the region's county (scans its region only)."""

    role, is_active, is_authenticated, pk, username = "county_staff", True, True, None, "system"

    def __init__(self, region_id: str):
        self.region_id = region_id


class Command(JiuzhuCommand):
    help = "低收入人口动态监测：scan --region CODE（扫描部门数据生成预警）；alerts --region CODE（列出预警）"

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
        return self._alerts(actor, region, json, **opts)

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
