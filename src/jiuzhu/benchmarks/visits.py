"""``jiuzhu bench visits --persons N --json``: next month's 探视巡访 schedule and the overdue list for
N dispersed 特困 persons, on PostgreSQL (issue 16; target ≤ 3 s for 200 000).

Its own database (default ``postgresql://postgres@127.0.0.1:5432/jiuzhu_bench_visits``, or
``JIUZHU_BENCH_VISITS_DATABASE_URL`` / ``--database-url``), built once per size with ``INSERT …
SELECT generate_series`` (persons, households, tekun enrollments, care profiles — 90 % dispersed —
and 0–4 visits each over the last five months). Built once per size, then reused.

Measured in one run, as a county officer:

* ``seconds``: the set-based selector (``care.selectors.schedule_rows``: one query for both lists,
  the last visit a correlated subquery on the (profile, -visited_on) index, the interval a region
  parameter), rows materialised — median of ``--repeat`` runs;
* ``baseline_seconds``: the per-person way — iterate the dispersed persons and ask each one's last
  visit with its own query, compute the due date in Python (one run), and whether both give the
  same schedule and overdue list (``baseline_agrees``).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.care import selectors
from jiuzhu.apps.care.models import CareProfile, Visit
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.models import Household, Person

from .common import peak_rss_mb
from .payroll_data import _regions, bench_config, meta_get, meta_set, use_bench_database

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jiuzhu_bench_visits"
TARGET_SECONDS = 3.0
COUNTY = "330199000000"


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cur:
        if params:
            cur.execute(statement, params)
        else:
            cur.execute(statement)


def ensure_population(n: int, today, progress=_say) -> dict:
    """N tekun persons in the bench county with profiles and visits (built once per size)."""
    key = f"visits_population:{n}:{today.isoformat()}"
    found = meta_get(key)
    if found and CareProfile.objects.filter(region__code__startswith=COUNTY[:6]).count() == n:
        return {**found, "reused": True}
    started = time.perf_counter()
    villages = _regions(COUNTY, 99)
    for model in (Visit, CareProfile):
        model.objects.filter(region__code__startswith=COUNTY[:6]).delete()
    Enrollment.objects.filter(region__code__startswith=COUNTY[:6]).delete()
    Household.objects.filter(region__code__startswith=COUNTY[:6]).delete()
    Person.objects.filter(hukou_region__code__startswith=COUNTY[:6]).delete()
    v = "ARRAY[" + ",".join(f"'{c}'" for c in villages) + "]"
    now = timezone.now()
    p, h, e = Person._meta.db_table, Household._meta.db_table, Enrollment._meta.db_table
    progress(f"基准数据：{n} 名特困人员")
    _sql(f"""INSERT INTO {p} (name, id_number_enc, id_number_bidx, id_number_masked, birth_date, sex, phone_enc,
             phone_masked, hukou_region_id, disability_kind, disability_grade, health, employment, wage, business,
             property_income, transfer, created_at, updated_at)
             SELECT '基准' || i, 'bench', 'visits-bench-' || i, '3301**********' || lpad((i %% 10000)::text, 4, '0'),
                    DATE '1940-01-01' + (i %% 7000), 'M', '', '', ({v})[1 + i %% 100], 'none', 0, 'healthy', 'none',
                    0, 0, 0, 0, %s, %s FROM generate_series(1, %s) AS i""", (now, now, n))  # noqa: S608
    _sql(f"""INSERT INTO {h} (region_id, residence_region_id, area_type, address, head_id, head_name, member_count,
             bank_account_enc, bank_account_masked, bank_name, financial_assets, vehicle_count, max_vehicle_value,
             residential_properties, business_capital, version, created_at, updated_at)
             SELECT hukou_region_id, hukou_region_id, 'rural', '', id, name, 1, '', '', '', 0, 0, 0, 1, 0, 1, %s, %s
             FROM {p} WHERE id_number_bidx LIKE 'visits-bench-%%'""", (now, now))  # noqa: S608
    _sql(f"""INSERT INTO {e} (program, household_id, person_id, region_id, klass, amount, persons, start_month,
             status, graduating_until, next_recheck, decided_on, stopped_month, version, created_at, updated_at)
             SELECT 'tekun', id, head_id, region_id, '', 1200, 1,
                    DATE '2020-01-01' + ((id %% 72) || ' month')::interval, 'active', NULL, DATE '2099-01-01',
                    DATE '2019-12-20', NULL, 1, %s, %s
             FROM {h} WHERE region_id LIKE %s""", (now, now, COUNTY[:6] + "%"))  # noqa: S608
    _sql(f"""INSERT INTO {CareProfile._meta.db_table} (enrollment_id, person_id, region_id, placement, capacity,
             capacity_basis, capacity_detail, institution_kind, institution, caregiver, caregiver_phone,
             caregiver_duties, care_class, consent_guardian, entrusted_signed_path, entrusted_signed_sha256,
             entrusted_signed_type, version, updated_at)
             SELECT id, person_id, region_id, CASE WHEN id %% 10 = 0 THEN 'centralized' ELSE 'dispersed' END,
                    '', '', '', '', '', '', '', '', '', '', '', '', '', 1, %s
             FROM {e} WHERE region_id LIKE %s""", (now, COUNTY[:6] + "%"))  # noqa: S608
    progress("基准数据：探访记录")
    _sql(f"""INSERT INTO {Visit._meta.db_table} (profile_id, region_id, visited_on, visitor_id, visitor_name,
             findings, notes, needs, alert_id, created_at)
             SELECT c.id, c.region_id, %s - (k * 30 + (c.id * 7 + k) %% 29)::int, NULL, '协理员', '{{}}'::jsonb, '', '',
                    NULL, %s
             FROM {CareProfile._meta.db_table} c CROSS JOIN generate_series(0, 4) AS k
             WHERE c.region_id LIKE %s AND c.placement = 'dispersed' AND k < (c.id %% 5)""",  # noqa: S608
         (today, now, COUNTY[:6] + "%"))
    _sql(f"VACUUM (ANALYZE) {p}, {h}, {e}, {CareProfile._meta.db_table}, {Visit._meta.db_table}")
    info = {"persons": n, "visits": Visit.objects.filter(region__code__startswith=COUNTY[:6]).count(),
            "build_seconds": round(time.perf_counter() - started, 1)}
    meta_set(key, info)
    return {**info, "reused": False}


def set_based(actor, today) -> tuple[list, list]:
    schedule, overdue, _first, _last = selectors.schedule_rows(actor, today)
    return schedule, overdue


def per_person(actor, today) -> tuple[list, list]:
    """The naive way: each dispersed person's last visit with its own query, the due date in Python."""
    interval = timedelta(days=selectors.interval_days(COUNTY, today))
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    last_day = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    schedule, overdue = [], []
    for e in selectors.dispersed(actor).order_by("id").iterator(chunk_size=5000):
        last = Visit.objects.filter(profile__enrollment_id=e.pk).aggregate(m=Max("visited_on"))["m"]
        due = (last or e.start_month) + interval
        row = (e.pk, e.person.name, e.region_id, due)
        if due <= last_day:
            schedule.append(row)
        if due < today:
            overdue.append(row)
    return schedule, overdue


def run(*, persons: int, repeat: int = 3, database_url: str | None = None) -> dict:
    cfg = bench_config(database_url or os.environ.get("JIUZHU_BENCH_VISITS_DATABASE_URL") or DEFAULT_URL)
    use_bench_database(cfg)
    today = timezone.localdate()
    population = ensure_population(persons, today)
    actor, _ = User.objects.get_or_create(username="bench_care_county",
                                          defaults={"role": Role.COUNTY, "region_id": COUNTY, "display_name": "基准"})
    runs: list[float] = []
    result: tuple[list, list] = ([], [])
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        result = set_based(actor, today)
        runs.append(time.perf_counter() - started)
        _say(f"下月探访计划 {len(result[0])} 人、逾期 {len(result[1])} 人：{runs[-1]:.2f} 秒")
    started = time.perf_counter()
    naive = per_person(actor, today)
    baseline = time.perf_counter() - started
    _say(f"逐人基线：{baseline:.2f} 秒")
    agrees = sorted(result[0]) == sorted(naive[0]) and sorted(result[1]) == sorted(naive[1])
    seconds = statistics.median(runs)
    return {"bench": "visits", "persons": persons, "visits": population["visits"],
            "schedule_rows": len(result[0]), "overdue_rows": len(result[1]), "seconds": round(seconds, 3),
            "first_seconds": round(runs[0], 3), "runs": len(runs), "target_seconds": TARGET_SECONDS,
            "ok": seconds <= TARGET_SECONDS and agrees, "baseline": "one-query-per-person",
            "baseline_seconds": round(baseline, 2), "baseline_agrees": agrees,
            "ratio": round(baseline / seconds, 1) if seconds else None, "peak_rss_mb": peak_rss_mb(),
            "database": "postgresql", "population_reused": population["reused"],
            "build_seconds": population["build_seconds"]}
