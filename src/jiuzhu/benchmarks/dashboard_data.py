"""The dashboard bench's month of activity on top of the payroll bench's population (payroll_data):
last month's payroll prepared and approved through the services, and — written with COPY —
enrollment changes over the last 12 months, applications (closed and open, with their overall
deadline), annual-review rechecks and alerts. Built once per population size, then reused."""

from __future__ import annotations

import time
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.cases.models import Case, CaseDeadline
from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange
from jiuzhu.apps.monitoring.models import Alert, MonitorScan
from jiuzhu.apps.payments.models import PayrollBatch
from jiuzhu.apps.payments.services import payroll_approve, payroll_prepare
from jiuzhu.apps.payments.snapshot import fen_to_decimal_array
from jiuzhu.apps.registry.models import Person
from jiuzhu.apps.reviews.models import ReviewCampaign
from jiuzhu.rules.monitoring import ALERT_TYPES, DISPOSITIONS

from .api_data import _copy, _with_defaults
from .payroll_data import meta_get, meta_set

TZ = ZoneInfo("Asia/Shanghai")
EPOCH = date(1970, 1, 1)


def _ts(days: np.ndarray, hour: int = 10, mask=None) -> pa.Array:
    """Local day ordinals (days since 1970) at ``hour`` → UTC timestamps."""
    us = (days.astype(np.int64) * 86400 + (hour - 8) * 3600) * 1_000_000
    return pa.array(us, pa.timestamp("us", tz="UTC"), mask=mask)


def _month_add(month: date, n: int) -> date:
    i = month.year * 12 + month.month - 1 + n
    return date(i // 12, i % 12 + 1, 1)


def _ids(table: str) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return cur.fetchone()[0] + 1


def _reset(table: str) -> None:
    with connection.cursor() as cur:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT GREATEST(MAX(id), 1) FROM {table}))")


def ensure_activity(county: str, n: int, *, month: date, progress=print) -> dict:
    key = f"dashboard_activity:{county}:{month:%Y-%m}"
    found = meta_get(key)
    if found:
        return {**found, "reused": True}
    started = time.perf_counter()
    rng = np.random.default_rng(n + 17)
    low, high = county[:6] + "000000", county[:6] + "999999"
    maker = User.objects.get(username=f"bench_maker_{county[:6]}")
    checker = User.objects.get(username=f"bench_checker_{county[:6]}")
    progress(f"基准数据：{month:%Y-%m} 发放批次（生成并审核）")
    t0 = time.perf_counter()
    batch = PayrollBatch.objects.filter(region_id=county, month=month, kind="regular").first()
    if batch is None:
        batch = payroll_prepare(actor=maker, region_code=county, month=month, now=timezone.now())
    if batch.status == PayrollBatch.Status.PREPARED:
        batch = payroll_approve(actor=checker, batch_id=batch.pk, now=timezone.now())
    payroll_seconds = time.perf_counter() - t0
    rows = list(Enrollment.objects.filter(region_id__gte=low, region_id__lte=high, status="active")
                .values_list("id", "household_id", "region_id", "amount", "klass"))
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    households = np.array([r[1] for r in rows], dtype=np.int64)
    regions = np.array([r[2] for r in rows])
    persons = np.array(list(Person.objects.filter(hukou_region_id__gte=low, hukou_region_id__lte=high)
                            .values_list("id", flat=True)[:200_000]), dtype=np.int64)

    with transaction.atomic():
        info = _generate(rng, county, ids, households, regions, persons, month, maker, progress)
    info.update(payroll_lines=batch.totals.get("lines"), payroll_seconds=round(payroll_seconds, 1),
                build_seconds=round(time.perf_counter() - started, 1))
    for table in (EnrollmentChange._meta.db_table, Case._meta.db_table, CaseDeadline._meta.db_table,
                  Alert._meta.db_table):
        _reset(table)
    with connection.cursor() as cur:
        cur.execute(f"VACUUM (ANALYZE) {EnrollmentChange._meta.db_table}, {Case._meta.db_table}, "
                    f"{CaseDeadline._meta.db_table}, {Alert._meta.db_table}")
    meta_set(key, info)
    return {**info, "reused": False}


def _generate(rng, county, ids, households, regions, persons, month, maker, progress) -> dict:
    now = timezone.now()
    months = [_month_add(month, -i) for i in range(12)]
    # enrollment changes: 2 % of the active enrollments adjusted in each of the last 12 months
    progress("基准数据：在保变更")
    k = max(1, len(ids) // 50)
    pick = np.concatenate([rng.choice(len(ids), k, replace=False) for _ in months])
    eff = np.repeat([(m - EPOCH).days for m in months], k).astype(np.int32)
    old = rng.integers(20_000, 150_000, len(pick))
    with connection.cursor() as cur:
        first_id = _ids(EnrollmentChange._meta.db_table)
        _copy(cur.cursor, EnrollmentChange._meta.db_table, _with_defaults(EnrollmentChange, {
            "id": np.arange(first_id, first_id + len(pick), dtype=np.int64), "enrollment_id": ids[pick], "kind": pa.repeat("adjust", len(pick)),
            "old_amount": fen_to_decimal_array(old), "new_amount": fen_to_decimal_array(old + 5000),
            "old_status": pa.repeat("active", len(pick)), "new_status": pa.repeat("active", len(pick)),
            "old_class": pa.repeat("A", len(pick)), "new_class": pa.repeat("A", len(pick)),
            "effective_month": pa.array(eff).cast(pa.date32()), "reason": pa.repeat("基准", len(pick)),
            "legal_ground": pa.repeat("基准", len(pick)), "source": pa.repeat("bench", len(pick)),
            "at": pa.repeat(now, len(pick))}))

    # applications: n / 20 over the last 12 months, 85 % closed after 5–30 days, open ones with a deadline
    progress("基准数据：案件与时限")
    n = len(ids)
    c = max(10, n // 20)
    first_day = (months[-1] - EPOCH).days
    last_day = (timezone.localdate() - EPOCH).days
    submitted = rng.integers(first_day, last_day + 1, c)
    closed = rng.random(c) < 0.85
    closed_day = np.minimum(submitted + rng.integers(5, 31, c), last_day)
    who = rng.choice(len(ids), c, replace=False)  # one open application per household and program
    case0 = _ids(Case._meta.db_table)
    case_ids = np.arange(case0, case0 + c, dtype=np.int64)
    campaign = ReviewCampaign.objects.get_or_create(
        region_id=county, year=month.year, defaults={"due": date(month.year, 12, 31), "policy": "reference",
                                                     "created_by": maker, "started_at": now})[0]
    rechecks = rng.random(c) < 0.3
    with connection.cursor() as cur:
        _copy(cur.cursor, Case._meta.db_table, _with_defaults(Case, {
            "id": case_ids, "program": pa.repeat("dibao", c),
            "kind": np.where(rechecks, "recheck", "application"),
            "campaign_id": pa.array(np.full(c, campaign.pk), mask=~rechecks),
            "settings": pa.repeat("{}", c), "proposal": pa.repeat("{}", c),
            "household_id": households[who], "applicant_id": persons[rng.integers(0, len(persons), c)],
            "region_id": regions[who], "channel": pa.repeat("window", c),
            "state": np.where(closed, "approved", "accepted"), "is_open": ~closed,
            "submitted_at": _ts(submitted, 9), "closed_at": _ts(closed_day, 16, mask=~closed),
            "overall_started_on": pa.array(submitted + 1, pa.int32()).cast(pa.date32()),
            "created_by_id": pa.repeat(maker.pk, c)}))
        opened = ~closed
        m = int(opened.sum())
        due = submitted[opened] + 28
        first_id = _ids(CaseDeadline._meta.db_table)
        _copy(cur.cursor, CaseDeadline._meta.db_table, _with_defaults(CaseDeadline, {
            "id": np.arange(first_id, first_id + m, dtype=np.int64), "case_id": case_ids[opened], "step": pa.repeat("overall", m), "rule_id": pa.repeat("WF-总时限", m),
            "amount": pa.repeat(20, m), "unit": pa.repeat("wd", m), "supervised": pa.repeat(True, m),
            "starts_on": pa.array(submitted[opened] + 1, pa.int32()).cast(pa.date32()),
            "due": pa.array(due, pa.int32()).cast(pa.date32()),
            "status": np.where(due < last_day, "overdue", "open"), "provisional": pa.repeat(False, m)}))

    # alerts: n / 100 over the last 12 months, two thirds disposed
    progress("基准数据：预警")
    a = max(10, n // 100)
    scan = MonitorScan.objects.create(region_id=county, as_of=timezone.localdate(), created_at=now)
    detected = rng.integers(first_day, last_day + 1, a)
    disposed = rng.random(a) < 0.66
    types, outcomes = np.array(list(ALERT_TYPES)), np.array(list(DISPOSITIONS))
    who = rng.integers(0, len(ids), a)
    alert_types = types[rng.integers(0, len(types), a)]
    with connection.cursor() as cur:
        first_id = _ids(Alert._meta.db_table)
        _copy(cur.cursor, Alert._meta.db_table, _with_defaults(Alert, {
            "id": np.arange(first_id, first_id + a, dtype=np.int64), "scan_id": pa.repeat(scan.pk, a), "dedup_key": [f"bench:{scan.pk}:{i}" for i in range(a)],
            "type": alert_types, "source": pa.repeat("bench", a),
            "person_id": persons[rng.integers(0, len(persons), a)], "household_id": households[who],
            "region_id": regions[who], "category": pa.repeat("dibao", a),
            "event_date": pa.array(detected, pa.int32()).cast(pa.date32()),
            "detected_on": pa.array(detected, pa.int32()).cast(pa.date32()),
            "due_date": pa.array(detected + 10, pa.int32()).cast(pa.date32()),
            "status": np.where(disposed, "closed", "open"), "suggested": pa.repeat("implement", a),
            "disposition": np.where(disposed, outcomes[rng.integers(0, len(outcomes), a)], ""),
            "disposed_on": pa.array(np.minimum(detected + 5, last_day), pa.int32(), mask=~disposed).cast(pa.date32()),
            "due_provisional": pa.repeat(False, a)}))
    return {"changes": int(len(pick)), "cases": int(c), "alerts": int(a)}
