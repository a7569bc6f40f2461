"""``monitor_scan``: scan a region's monitored population against the latest department snapshots
and store the new alerts in bulk, each due within the region's working days (R-SYS-04..06)."""

from __future__ import annotations

import time
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.bulk import allocate_ids, audit_record_many, bulk_insert
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.config import calendar_version, region_config
from jiuzhu.apps.regions.codes import is_valid_code, subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.verification.files import absolute
from jiuzhu.apps.verification.services import latest_snapshots
from jiuzhu.apps.workcalendar.selectors import work_calendar
from jiuzhu.batch import monitoring as batch
from jiuzhu.batch.engines import ENGINES
from jiuzhu.core.crypto import sm3_hex
from jiuzhu.rules.calendar import add_workdays, spans_provisional
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.monitoring import ALERT_TYPES, monitor_terms, suggested_disposition
from jiuzhu.rules.params import load_policy

from .models import Alert, MonitorScan
from .population import known_keys, monitored_population

ALERT_COLUMNS = ("id", "scan_id", "dedup_key", "type", "source", "person_id", "household_id", "region_id", "category",
                 "event_date", "amount", "detail", "breadwinner", "detected_on", "due_date", "calendar_version", "due_provisional",
                 "status", "suggested", "disposition", "result", "version")


def _region(actor, region_code) -> Region:
    code = str(region_code or "").strip()
    if not is_valid_code(code):
        raise ValidationFailed("monitor.region", f"区划代码“{code}”格式错误，应为12位数字（字段：region）", field="region")
    region = Region.objects.filter(pk=code).first()
    if region is None:
        raise ValidationFailed("monitor.region", f"区划“{code}”不存在（字段：region）", field="region")
    if not in_scope(actor, code):
        raise NotFound("not_found", "区划不存在或不在您的管辖范围内")
    return region


def _terms_by_policy(population, as_of: date) -> dict:
    names = sorted(set(population.column("policy").to_pylist()))
    return {n: monitor_terms(load_policy(n), as_of, n) for n in names}


def monitor_scan_check(*, actor, region_code) -> Region:
    """The cheap checks of ``monitor_scan`` (role, region in scope): a web page runs them before it
    queues the scan as a background job."""
    if not can(actor, "monitoring.scan"):
        raise Forbidden("monitor.role", "只有乡镇经办人或县民政可以发起监测扫描")
    return _region(actor, region_code)


def monitor_scan(*, actor, region_code, now: datetime, as_of: date | None = None, engine: str = "duckdb",
                 progress=None) -> MonitorScan:
    """Scan ``region_code`` (the actor's region or below) on ``as_of`` (default: today). Re-running
    on the same snapshots creates nothing new (dedup keys); the scan is recorded either way."""
    if not can(actor, "monitoring.scan"):
        raise Forbidden("monitor.role", "只有乡镇经办人或县民政可以发起监测扫描")
    if engine not in ENGINES:
        raise ValidationFailed("monitor.engine", f"计算引擎“{engine}”无效，可选：{'、'.join(ENGINES)}（字段：engine）",
                               field="engine")
    region = _region(actor, region_code)
    today = timezone.localtime(now).date()
    as_of = as_of or today
    if as_of > today:
        raise ValidationFailed("monitor.as_of", "监测日期不能晚于今天（字段：as_of）", field="as_of")
    step = progress or (lambda *a: None)
    snaps = [s for s in latest_snapshots(as_of) if s.source_id in batch.RULES]
    if not snaps:
        raise ValidationFailed("monitor.no_data", f"{as_of.isoformat()} 及以前没有监测所需的部门数据快照，请先导入数据"
                               "（jiuzhu data ingest）", field="as_of")
    started = time.perf_counter()
    base = monitor_terms(load_policy(region_config(region.code).policy), as_of)
    low, high = subtree_range(region.code)
    step("读取监测对象", 0, 1)
    population = monitored_population(low, high, as_of=as_of, left_since=base.left_since,
                                      temporary_since=base.temporary_since)
    step("读取监测对象", 1, 1)
    terms = _terms_by_policy(population, as_of) or {base.policy: base}
    result = batch.run(population, {s.source_id: absolute(s.path) for s in snaps}, as_of=as_of,
                       terms=batch.terms_table(list(terms.values())), known=known_keys(low, high), engine=engine,
                       progress=progress)
    alerts = result.alerts
    cal = work_calendar()
    due = {name: add_workdays(cal, as_of, t.due_working_days) for name, t in terms.items()}  # names the missing year
    provisional = {name: spans_provisional(cal, as_of, d) for name, d in due.items()}
    version = calendar_version()
    meta = [{"id": s.pk, "source": s.source_id, "as_of": s.as_of.isoformat(), "sha256": s.sha256} for s in snaps]
    counts: dict[str, int] = {}
    for t in alerts.column("type").to_pylist():
        counts[t] = counts.get(t, 0) + 1
    keys = alerts.column("dedup_key").to_pylist()
    # the scan's identity: region, date, snapshots used and the alerts it created (same inputs → same digest)
    digest = sm3_hex("|".join([region.code, as_of.isoformat(), ",".join(m["sha256"] for m in meta),
                               "\n".join(keys)]).encode())
    step("保存预警", 0, len(keys))
    try:
        with transaction.atomic():
            scan = MonitorScan.objects.create(
                region=region, as_of=as_of, engine=engine, snapshots=meta,
                params={n: t.sources for n, t in sorted(terms.items())}, population=population.num_rows,
                matched=result.matched, candidates=result.candidates, created=len(keys), counts=counts,
                calendar_version=version, digest=digest, seconds=0, created_at=now,
                created_by=actor if getattr(actor, "pk", None) else None)
            ids = allocate_ids(Alert, len(keys))
            rows = _rows(alerts, ids, scan.pk, as_of, due, version, provisional)
            bulk_insert(Alert, ALERT_COLUMNS, rows)
            audit_record(actor=actor, action="monitor.scan", subject_type="monitor_scan", subject_id=scan.pk,
                         region_code=region.code, after={"created": len(keys), "digest": digest, "counts": counts},
                         details={"as_of": as_of.isoformat(), "engine": engine, "snapshots": [m["id"] for m in meta]},
                         at=now)
            audit_record_many(actor=actor, at=now, events=(
                {"action": "alert.create", "subject_type": "alert", "subject_id": row[0], "region_code": row[7],
                 "after": {"dedup_key": row[2], "type": row[3], "due_date": row[14].isoformat()},
                 "details": {"scan": scan.pk}} for row in rows))
            scan.seconds = round(time.perf_counter() - started, 3)
            scan.save(update_fields=["seconds"])
    except IntegrityError:
        raise Conflict("monitor.concurrent", "同一区划的另一次监测扫描正在保存预警，请稍后重试") from None
    step("保存预警", len(keys), len(keys))
    return scan


def _rows(alerts, ids, scan_id: int, as_of: date, due: dict, version: str, provisional: dict) -> list[tuple]:
    cols = {name: alerts.column(name).to_pylist() for name in alerts.column_names}
    rows = []
    for i, pk in enumerate(ids):
        kind, category = cols["type"][i], cols["category"][i]
        rows.append((pk, scan_id, cols["dedup_key"][i], kind, ALERT_TYPES[kind].dataset, cols["person_id"][i],
                     cols["household_id"][i], cols["region"][i], category, cols["event_date"][i],
                     Decimal(cols["amount_fen"][i]).scaleb(-2), cols["detail"][i][:200], cols["breadwinner"][i], as_of,
                     due[cols["policy"][i]], version, provisional[cols["policy"][i]], Alert.Status.OPEN, suggested_disposition(kind, category), "", "", 1))
    return rows
