"""``jiuzhu bench dashboard --enrollments N --json``: the county dashboard at N enrollments on PostgreSQL.

Its own database (default ``postgresql://postgres@127.0.0.1:5432/jiuzhu_bench_dashboard``, or
``JIUZHU_BENCH_DASHBOARD_DATABASE_URL``): the payroll bench's population (N payable enrollments,
generated columnar with COPY) plus a year of activity (dashboard_data). Measured in one run:

* ``stats compute`` for the last full month over the county (``stats_seconds``), and for each of the
  12 months the dashboard shows (their median, ``stats_month_median_seconds``);
* the page: ``--repeat`` renders of ``/dashboard/`` through the Django test client as the county
  user (p95 and median, after 3 warm-up renders), and the xlsx export (median);
* the naive baseline: the same figures computed per request by ORM aggregate queries over the raw
  tables (:func:`orm_figures`), a few requests, median.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date

from django.core.management import call_command
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Concat, Substr, TruncMonth
from django.test import Client
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.cases.models import Case, CaseDeadline
from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange
from jiuzhu.apps.monitoring.models import Alert, LowIncomeEntry
from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.stats.models import StatFact
from jiuzhu.apps.stats.services import months_between, stats_compute
from jiuzhu.batch.stats import month_end

from .common import peak_rss_mb
from .dashboard_data import _month_add, ensure_activity
from .payroll_data import bench_config, ensure_population, use_bench_database

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jiuzhu_bench_dashboard"
BASELINE_REQUESTS = 3


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def orm_figures(region_code: str, month: date) -> dict:
    """The dashboard's figures the naive way: ORM aggregates over the raw tables, grouped by township
    (and by month for the 12-month panels), at request time. Enrolled per month ignores later
    changes (the ORM has no cheap "terms in force"): it is cheaper than the real figure, not dearer."""
    low, high = subtree_range(region_code)
    town = Concat(Substr("region_id", 1, 9), Value("000"))
    months = months_between(_month_add(month, -11), month)
    out: dict[str, list] = {}
    enr = Enrollment.objects.filter(region_id__gte=low, region_id__lte=high)
    for m in months:
        live = enr.filter(start_month__lte=m, status__in=Enrollment.LIVE).filter(
            Q(stopped_month__isnull=True) | Q(stopped_month__gt=m))
        out[f"enrolled:{m}"] = list(live.annotate(town=town).values("town", "program", "household__area_type")
                                    .annotate(h=Count("household_id", distinct=True), p=Sum("persons")))
    lines = PaymentLine.objects.filter(region_id__gte=low, region_id__lte=high, month__gte=months[0], month__lte=month,
                                       batch__status__in=["approved", "reconciled"]).exclude(status="failed")
    out["paid"] = list(lines.annotate(town=town).values("town", "program", "month")
                       .annotate(a=Sum("amount"), p=Sum("persons"), h=Count("household_id", distinct=True)))
    out["new"] = list(enr.filter(start_month__gte=months[0], start_month__lte=month).values("start_month", "program")
                      .annotate(n=Count("id")))
    changes = EnrollmentChange.objects.filter(enrollment__region_id__gte=low, enrollment__region_id__lte=high,
                                              effective_month__gte=months[0], effective_month__lte=month)
    out["changes"] = list(changes.values("effective_month", "kind", "new_status").annotate(n=Count("enrollment_id", distinct=True)))
    cases = Case.objects.filter(region_id__gte=low, region_id__lte=high)
    start = timezone.make_aware(timezone.datetime(months[0].year, months[0].month, 1))
    out["submitted"] = list(cases.filter(submitted_at__gte=start).annotate(m=TruncMonth("submitted_at"))
                            .values("m", "kind").annotate(n=Count("id")))
    out["closed"] = list(cases.filter(closed_at__gte=start).annotate(m=TruncMonth("closed_at"))
                         .values("m", "kind", "overall_started_on", "closed_at"))  # timed in Python below
    end = min(month_end(month), timezone.localdate())
    late = CaseDeadline.objects.filter(supervised=True, due__lt=end, starts_on__lte=end).filter(
        Q(met_on__isnull=True) | Q(met_on__gt=end)).values("case_id")
    out["overdue"] = list(cases.filter(is_open=True, pk__in=late).annotate(town=town).values("town", "program")
                          .annotate(n=Count("id")))
    alerts = Alert.objects.filter(region_id__gte=low, region_id__lte=high, detected_on__gte=month, detected_on__lte=month_end(month))
    out["alerts"] = list(alerts.values("type", "disposition").annotate(n=Count("id")))
    out["review"] = list(cases.filter(campaign__year=month.year).annotate(town=town).values("town", "state")
                         .annotate(n=Count("id")))
    out["register"] = list(LowIncomeEntry.objects.filter(region_id__gte=low, region_id__lte=high)
                           .annotate(town=town).values("town", "category").annotate(n=Count("id")))
    return out


def run(*, enrollments: int, repeat: int = 50, database_url: str | None = None) -> dict:
    cfg = bench_config(database_url or os.environ.get("JIUZHU_BENCH_DASHBOARD_DATABASE_URL") or DEFAULT_URL)
    use_bench_database(cfg)
    population = ensure_population(enrollments, progress=_say)
    county = population["county"]
    today = timezone.localdate()
    month = _month_add(today.replace(day=1), -1)  # the last full month
    activity = ensure_activity(county, enrollments, month=month, progress=_say)
    _say(f"基准县 {county}：{population['enrollments']} 个在保记录；{activity}")

    months = months_between(_month_add(month, -11), month)
    seconds = {}
    for m in months:
        started = time.perf_counter()
        result = stats_compute(month=m, region_code=county, actor=None, now=timezone.now())
        seconds[m] = time.perf_counter() - started
        _say(f"stats compute {m:%Y-%m}: {result['rows']} 条，{seconds[m]:.2f} 秒")
    facts = StatFact.objects.filter(region__gte=county[:6] + "000000", region__lte=county[:6] + "999999").count()

    call_command("collectstatic", interactive=False, verbosity=0)  # as `jiuzhu serve` does (manifest storage)
    user = User.objects.get(username=f"bench_maker_{county[:6]}")
    client = Client()
    client.force_login(user)
    url = f"/dashboard/?month={month:%Y-%m}"
    for _ in range(3):
        assert client.get(url, secure=True).status_code == 200
    renders = []
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        renders.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"dashboard answered {response.status_code}")
    exports = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(url + "&format=xlsx", secure=True)
        exports.append(time.perf_counter() - started)
    baseline = []
    for _ in range(BASELINE_REQUESTS):
        started = time.perf_counter()
        orm_figures(county, month)
        baseline.append(time.perf_counter() - started)
        _say(f"ORM 基线一次：{baseline[-1]:.2f} 秒")

    p95, median = _percentile(renders, 0.95), statistics.median(renders)
    baseline_median = statistics.median(baseline)
    return {
        "bench": "dashboard", "enrollments": population["enrollments"], "households": population["payable"],
        "seconds": round(p95, 4), "p95_ms": round(p95 * 1000, 1), "median_ms": round(median * 1000, 1),
        "renders": len(renders), "xlsx_median_ms": round(statistics.median(exports) * 1000, 1),
        "target_p95_ms": 300, "ok": p95 <= 0.3,
        "stats_seconds": round(seconds[month], 2),
        "stats_month_median_seconds": round(statistics.median(seconds.values()), 2), "facts": facts,
        "baseline": "django-orm-aggregates-per-request", "baseline_seconds": round(baseline_median, 2),
        "ratio": round(baseline_median / median, 1) if median else None,
        "peak_rss_mb": peak_rss_mb(), "engine": "duckdb", "database": "postgresql",
        "activity": {k: v for k, v in activity.items() if k != "reused"},
        "notes": (f"page = GET /dashboard/?month={month:%Y-%m} as the county user through the Django test client "
                  f"(no network), {len(renders)} renders after 3 warm-ups, {facts} facts (12 months, county {county}); "
                  f"stats_seconds = stats_compute for {month:%Y-%m} over the whole county (read with COPY, DuckDB, "
                  f"facts replaced and audited); baseline = ORM aggregate queries over the raw tables per request "
                  f"(median of {BASELINE_REQUESTS}), without rendering; data "
                  f"{'reused' if population['reused'] else 'built in ' + str(population['build_seconds']) + ' s'}"),
    }
