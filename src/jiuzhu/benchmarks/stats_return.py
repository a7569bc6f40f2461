"""``jiuzhu bench stats --enrollments N --json``: the monthly statistical return over N enrollments and
12 × N payroll lines, on PostgreSQL.

Its own database (default ``postgresql://postgres@127.0.0.1:5432/jiuzhu_bench_stats``, or
``JIUZHU_BENCH_STATS_DATABASE_URL`` / ``--database-url``): the payroll bench's population (N payable
enrollments, COPY), the dashboard bench's year of activity (last month's payroll prepared and
approved through the services, enrollment changes, cases, alerts), and the 11 months before it paid
too: each a batch whose lines are last month's copied by one ``INSERT … SELECT`` — 12 × N lines in
all. Built once per size, then reused.

Measured in one run, for the last full month over the whole county:

* the return (``seconds``): ``monthly_return`` (read with COPY, facts with DuckDB, the independent
  ledger check by SQL aggregate, the five tables) plus the xlsx — ``--repeat`` runs, median (the
  first run, which also compiles the facts' SQL once for the process, is ``first_seconds``; the
  Ibis DuckDB backend's modules are imported before the clock starts); ``cpu_seconds``: the median
  CPU time of this process over those runs (all its threads; PostgreSQL's own CPU not included), a
  check on a shared machine where the wall time depends on the load; the PDF once (``pdf_seconds``);
* the naive baseline (``baseline_seconds``): the same enrolled and paid figures by iterating Django
  model rows and summing in Python (one run), and whether its paid totals equal the return's to the
  fen (``baseline_agrees``).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.stats.return_export import monthly_return, return_pdf, return_xlsx
from jiuzhu.batch.engines import duckdb_connection

from .common import peak_rss_mb
from .dashboard_data import _month_add, _reset, ensure_activity
from .payroll_data import bench_config, ensure_population, meta_get, meta_set, use_bench_database

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jiuzhu_bench_stats"
TARGET_SECONDS = 5.0
MONTHS = 12


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def ensure_year_of_payroll(county: str, month: date, progress=_say) -> dict:
    """The 11 months before ``month`` paid as ``month`` was (one approved batch each, lines copied)."""
    key = f"stats_payroll_year:{county}:{month:%Y-%m}"
    found = meta_get(key)
    if found:
        return {**found, "reused": True}
    started = time.perf_counter()
    source = PayrollBatch.objects.get(region_id=county, month=month, kind="regular")
    line = PaymentLine._meta.db_table
    _reset(line)
    columns = [f.column for f in PaymentLine._meta.concrete_fields if f.column not in ("id", "batch_id", "month")]
    cols = ", ".join(columns)
    for i in range(1, MONTHS):
        m = _month_add(month, -i)
        if PayrollBatch.objects.filter(region_id=county, month=m, kind="regular").exists():
            continue
        progress(f"基准数据：{m:%Y-%m} 发放批次（复制 {month:%Y-%m} 的明细）")
        with transaction.atomic():
            batch = PayrollBatch.objects.create(
                region_id=county, month=m, kind="regular", status="approved", households=source.households,
                persons=source.persons, total_amount=source.total_amount, prepared_by=source.prepared_by,
                prepared_at=source.prepared_at, approved_by=source.approved_by, approved_at=source.approved_at,
                totals={k: v for k, v in (source.totals or {}).items() if k != "building"})
            with connection.cursor() as cur:
                cur.execute(f"INSERT INTO {line} (batch_id, month, {cols}) "  # noqa: S608 — model columns
                            f"SELECT %s, %s, {cols} FROM {line} WHERE batch_id = %s AND status <> 'failed'",
                            (batch.pk, m, source.pk))
    with connection.cursor() as cur:
        cur.execute(f"VACUUM (ANALYZE) {line}, {PayrollBatch._meta.db_table}")
    lines = PaymentLine.objects.filter(batch__region_id=county).count()
    info = {"payroll_lines": lines, "months": MONTHS, "build_seconds": round(time.perf_counter() - started, 1)}
    meta_set(key, info)
    return {**info, "reused": False}


def naive_return(county: str, month: date) -> dict:
    """Enrolled households/persons and amounts paid by township and program, the row-by-row way:
    model instances through the ORM, sums in Python (terms in force from a dict of later changes)."""
    low, high = subtree_range(county)
    later: dict[int, EnrollmentChange] = {}
    for c in (EnrollmentChange.objects.filter(effective_month__gt=month, enrollment__region_id__gte=low,
                                              enrollment__region_id__lte=high).order_by("-effective_month", "-id")):
        later[c.enrollment_id] = c  # the earliest one wins (iterated last)
    households: dict[tuple, set] = defaultdict(set)
    persons: dict[tuple, int] = defaultdict(int)
    live = Enrollment.objects.filter(region_id__gte=low, region_id__lte=high, start_month__lte=month).filter(
        Q(stopped_month__isnull=True) | Q(stopped_month__gt=month)).select_related("household")
    for e in live.iterator(chunk_size=5000):
        change = later.get(e.pk)
        status = change.old_status if change else e.status
        if status not in Enrollment.LIVE:
            continue
        key = (e.region_id[:9] + "000", e.program, e.household.area_type)
        households[key].add(e.household_id)
        persons[key] += e.persons
    paid: dict[tuple, Decimal] = defaultdict(Decimal)
    lines = PaymentLine.objects.filter(month=month, region_id__gte=low, region_id__lte=high,
                                       batch__status__in=["approved", "reconciled"]).exclude(status="failed")
    for line in lines.iterator(chunk_size=5000):
        paid[(line.region_id[:9] + "000", line.program)] += line.amount
    return {"households": {k: len(v) for k, v in households.items()}, "persons": dict(persons), "paid": dict(paid)}


def run(*, enrollments: int, repeat: int = 3, database_url: str | None = None) -> dict:
    cfg = bench_config(database_url or os.environ.get("JIUZHU_BENCH_STATS_DATABASE_URL") or DEFAULT_URL)
    use_bench_database(cfg)
    population = ensure_population(enrollments, progress=_say)
    county = population["county"]
    today = timezone.localdate()
    month = _month_add(today.replace(day=1), -1)  # the last full month
    activity = ensure_activity(county, enrollments, month=month, progress=_say)
    year = ensure_year_of_payroll(county, month)
    _say(f"基准县 {county}：{population['enrollments']} 个在保记录，{year['payroll_lines']} 条发放明细")

    duckdb_connection()  # load the Ibis DuckDB backend modules (a process start-up cost, ~2 s), not timed
    runs, cpu, data = [], [], None
    for _ in range(max(repeat, 1)):
        started, cpu_started = time.perf_counter(), time.process_time()
        data = monthly_return(actor=None, month=month, region_code=county, today=today)
        xlsx = return_xlsx(data)
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        _say(f"月度统计报表（含 xlsx）：{runs[-1]:.2f} 秒（本进程 CPU {cpu[-1]:.2f} 秒）")
    assert data is not None
    load = [round(x, 2) for x in os.getloadavg()]  # the machine may be shared: 1, 5, 15-minute averages
    started = time.perf_counter()
    pdf = return_pdf(data, today=today)
    pdf_seconds = time.perf_counter() - started

    started = time.perf_counter()
    naive = naive_return(county, month)
    baseline = time.perf_counter() - started
    _say(f"朴素基线（逐行 ORM）：{baseline:.2f} 秒")
    paid_table = {row[0]: row for row in data.tables[1].rows}
    names = dict(data.towns)
    agrees = all(
        paid_table[name][3] == naive["paid"].get((code, "dibao"), Decimal(0)).quantize(Decimal("0.01"))
        and paid_table[name][6] == naive["paid"].get((code, "tekun"), Decimal(0)).quantize(Decimal("0.01"))
        for code, name in names.items())
    total = paid_table["合计"][8]
    seconds = statistics.median(runs)
    return {
        "bench": "stats", "enrollments": population["enrollments"], "payroll_lines": year["payroll_lines"],
        "month": f"{month:%Y-%m}", "seconds": round(seconds, 3), "runs": len(runs),
        "first_seconds": round(runs[0], 3),
        "cpu_seconds": round(statistics.median(cpu), 3),
        "target_seconds": TARGET_SECONDS, "ok": seconds <= TARGET_SECONDS and data.balanced and agrees,
        "ledger_balanced": data.balanced, "paid_total": str(total), "xlsx_bytes": len(xlsx),
        "pdf_seconds": round(pdf_seconds, 2), "pdf_bytes": len(pdf),
        "baseline": "django-orm-rows-summed-in-python", "baseline_seconds": round(baseline, 2),
        "baseline_agrees": agrees, "ratio": round(baseline / seconds, 1) if seconds else None,
        "peak_rss_mb": peak_rss_mb(), "load_average": load, "engine": "duckdb", "database": "postgresql",
        "activity": {k: v for k, v in activity.items() if k != "reused"},
        "notes": (f"seconds = median of {len(runs)} × (monthly_return for {month:%Y-%m} over county {county}: "
                  f"read with COPY (the lines on a second connection), facts with DuckDB in memory, ledger check by SQL SUM, five tables; plus the "
                  f"xlsx); baseline = enrolled and paid by iterating ORM rows (one run); "
                  f"{year['payroll_lines']} lines over {MONTHS} months; data "
                  f"{'reused' if population['reused'] and year['reused'] else 'built'}"),
    }
