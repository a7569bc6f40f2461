"""``jiuzhu bench temporary --townships T --draws D --json``: the month-end reconciliation of the township
临时救助备用金 (issue 14 §2) for T townships with D draws each in the month, on PostgreSQL (target ≤ 2 s
for 100 × 2 000).

Its own database (default ``postgresql://postgres@127.0.0.1:5432/jiuzhu_bench_temporary``, or
``JIUZHU_BENCH_TEMPORARY_DATABASE_URL`` / ``--database-url``; the name must start with ``jiuzhu_bench``),
built once per size and reused: a bench county of T townships, each with a fund, 急难型 cases (ten draws
each), an allocation before the month (the opening balance), an allocation, D draws and an approved
replenishment in the month, and a few draws after it. ``run(in_place=True)`` builds a small ledger in
the current database instead (the test suite, SQLite or PostgreSQL).

Measured in one run, as a county officer:

* ``seconds``: ``reserve.reconciliation.month_rows`` — every township's opening, allocations,
  replenishments, draws and closing, checked against the ledger's running balance and the fund's
  balance, in one aggregation query — median of ``--repeat`` runs;
* ``baseline_seconds``: the per-draw way — each fund's entries read as model objects and added up in
  Python (one run), and whether both give the same figures to the fen (``baseline_agrees``).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import scope_q
from jiuzhu.apps.registry.models import Household, Person
from jiuzhu.apps.reserve.models import ReserveEntry, ReserveFund, ReserveReconciliation, ReserveReplenishment
from jiuzhu.apps.reserve.reconciliation import month_bounds, month_rows, next_month

from .common import peak_rss_mb

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jiuzhu_bench_temporary"
TARGET_SECONDS = 2.0
COUNTY = "330198000000"
MONTH = date(2026, 11, 1)
DRAWS_PER_CASE = 10
PERSONS_PER_TOWNSHIP = 20
AFTER_DRAWS = 5  # draws of each township in the month after
BATCH = 10_000


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def township_codes(n: int) -> list[str]:
    return [f"{COUNTY[:6]}{100 + t:03d}000" for t in range(n)]


def _regions(n: int) -> None:
    rows = [("330000000000", "浙江省", 1, None), ("330100000000", "杭州市", 2, "330000000000"),
            (COUNTY, "备用金基准县", 3, "330100000000")]
    for t, code in enumerate(township_codes(n)):
        rows += [(code, f"基准{t}镇", 4, COUNTY), (code[:9] + "201", f"基准{t}镇一村", 5, code)]
    existing = set(Region.objects.filter(code__in=[r[0] for r in rows]).values_list("code", flat=True))
    Region.objects.bulk_create([Region(code=c, name=name, level=level, parent_id=p, full_name=name)
                                for c, name, level, p in rows if c not in existing])


def _clear() -> None:
    low, high = COUNTY[:6], COUNTY[:6] + "\uffff"
    ReserveEntry.objects.filter(fund_id__gte=low, fund_id__lt=high).delete()
    ReserveReconciliation.objects.filter(fund_id__gte=low, fund_id__lt=high).delete()
    ReserveReplenishment.objects.filter(fund_id__gte=low, fund_id__lt=high).delete()
    ReserveFund.objects.filter(pk__gte=low, pk__lt=high).delete()
    Case.objects.filter(region_id__gte=low, region_id__lt=high).delete()
    Household.objects.filter(region_id__gte=low, region_id__lt=high).delete()
    Person.objects.filter(id_number_bidx__startswith="reserve-bench-").delete()


def _at(day: date, seconds: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone()) + timedelta(seconds=seconds)


def build_ledger(townships: int, draws: int, actor, progress=_say) -> dict:
    """The bench county's funds, cases and entries (everything through bulk inserts; not timed)."""
    started = time.perf_counter()
    rng = np.random.default_rng(14)
    _regions(townships)
    _clear()
    now = timezone.now()
    start, end = month_bounds(MONTH)
    month_seconds = int((end - start).total_seconds()) - 1
    cases_per = -(-(draws + AFTER_DRAWS) // DRAWS_PER_CASE)
    entries = 0
    for t, code in enumerate(township_codes(townships)):
        if t % 10 == 0:
            progress(f"基准数据：第 {t + 1}–{min(t + 10, townships)} 个乡镇（每镇 {draws} 笔支出）")
        village = code[:9] + "201"
        persons = Person.objects.bulk_create([
            Person(name=f"基准{t}-{i}", id_number_enc="bench", id_number_bidx=f"reserve-bench-{t}-{i}",
                   id_number_masked="3301**********0000", birth_date=date(1960, 1, 1), sex="M", hukou_region_id=village)
            for i in range(PERSONS_PER_TOWNSHIP)])
        homes = Household.objects.bulk_create([
            Household(region_id=village, residence_region_id=village, area_type="rural", head=p, head_name=p.name,
                      member_count=1) for p in persons])
        cases = Case.objects.bulk_create([
            Case(program="temporary", kind="emergency", household=homes[i % len(homes)],
                 applicant=persons[i % len(persons)], region_id=village, channel="window", state="accepted",
                 submitted_at=start, created_by=actor) for i in range(cases_per)], batch_size=BATCH)
        fund = ReserveFund.objects.create(region_id=code, balance=0, updated_at=now)
        amounts = rng.integers(5_000, 200_000, draws + AFTER_DRAWS)  # fen
        covered = int(amounts[: draws // 2].sum())
        request = ReserveReplenishment.objects.create(
            fund=fund, status="approved", amount=Decimal(covered) / 100 if covered else Decimal("0.01"),
            draw_count=draws // 2, requested_by=actor, requested_at=start, decided_by=actor, decided_at=start)
        moments = np.sort(rng.integers(3600, month_seconds, draws))
        plan: list[tuple] = [("allocation", int(amounts.sum()) + 1_000_000, _at(MONTH - timedelta(days=15), 0), None, "", None),
                ("allocation", 500_000, _at(MONTH, 60), None, "", None)]
        plan += [("draw", int(a), _at(MONTH, int(s)), cases[i // DRAWS_PER_CASE], f"stage-{i % DRAWS_PER_CASE + 1}",
                  request if i < draws // 2 else None) for i, (a, s) in enumerate(zip(amounts[:draws], moments))]
        if covered:
            plan.insert(2 + draws // 2, ("replenishment", covered, plan[1 + draws // 2][2], None, "", request))
        plan += [("draw", int(a), _at(next_month(MONTH), 3600 * (k + 1)), cases[(draws + k) // DRAWS_PER_CASE],
                  f"stage-{(draws + k) % DRAWS_PER_CASE + 1}", None) for k, a in enumerate(amounts[draws:])]
        balance, rows = 0, []
        for kind, fen, at, case, reference, replenishment in plan:
            balance += -fen if kind == "draw" else fen
            rows.append(ReserveEntry(fund=fund, kind=kind, amount=Decimal(fen) / 100, balance_after=Decimal(balance) / 100,
                                     case=case, reference=reference, replenishment=replenishment, at=at, actor=actor))
        ReserveEntry.objects.bulk_create(rows, batch_size=BATCH)
        ReserveFund.objects.filter(pk=code).update(balance=Decimal(balance) / 100)
        entries += len(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {ReserveEntry._meta.db_table}, {ReserveFund._meta.db_table}")
    return {"entries": entries, "build_seconds": round(time.perf_counter() - started, 1)}


def ensure_ledger(townships: int, draws: int, actor, *, reuse: bool) -> dict:
    if reuse:
        from .payroll_data import meta_get

        key = f"temporary_ledger:{townships}:{draws}:{MONTH:%Y-%m}"
        found = meta_get(key)
        low, high = COUNTY[:6], COUNTY[:6] + "\uffff"
        if found and ReserveFund.objects.filter(pk__gte=low, pk__lt=high).count() == townships \
                and ReserveFund.objects.filter(pk__in=township_codes(townships)).count() == townships:
            return {**found, "reused": True}
    with transaction.atomic():
        info = build_ledger(townships, draws, actor)
    if reuse:
        from .payroll_data import meta_set

        meta_set(f"temporary_ledger:{townships}:{draws}:{MONTH:%Y-%m}", info)
    return {**info, "reused": False}


def set_based(actor) -> dict:
    return {r.code: (r.opening, r.allocated, r.replenished, r.drawn, r.draws, r.closing, r.matched)
            for r in month_rows(actor=actor, month=MONTH) if r.has_fund}


def per_draw(actor) -> dict:
    """The naive way: every entry of every fund as a model object, the figures added up in Python."""
    start, end = month_bounds(MONTH)
    out = {}
    for fund in ReserveFund.objects.filter(scope_q(actor, "region")).order_by("pk"):
        opening = allocated = replenished = drawn = after = ledger = Decimal(0)
        count = 0
        for e in ReserveEntry.objects.filter(fund=fund).order_by("id"):
            signed = -e.amount if e.kind == "draw" else e.amount
            if e.at < start:
                opening += signed
            elif e.at >= end:
                after += signed
            elif e.kind == "draw":
                drawn, count = drawn + e.amount, count + 1
            elif e.kind == "replenishment":
                replenished += e.amount
            else:
                allocated += e.amount
            if e.at < end:
                ledger = e.balance_after
        closing = opening + allocated + replenished - drawn
        out[fund.pk] = (opening, allocated, replenished, drawn, count, closing,
                        closing == ledger and closing + after == fund.balance)
    return out


def run(*, townships: int = 100, draws: int = 2000, repeat: int = 3, database_url: str | None = None,
        in_place: bool = False) -> dict:
    if not in_place:
        from .payroll_data import bench_config, use_bench_database

        use_bench_database(bench_config(database_url or os.environ.get("JIUZHU_BENCH_TEMPORARY_DATABASE_URL")
                                        or DEFAULT_URL))
    _regions(townships)
    actor, _ = User.objects.get_or_create(username="bench_reserve_county",
                                          defaults={"role": Role.COUNTY, "region_id": COUNTY, "display_name": "基准"})
    ledger = ensure_ledger(townships, draws, actor, reuse=not in_place)
    runs: list[float] = []
    result: dict = {}
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        result = set_based(actor)
        runs.append(time.perf_counter() - started)
        _say(f"{len(result)} 个乡镇月末对账：{runs[-1]:.3f} 秒")
    started = time.perf_counter()
    naive = per_draw(actor)
    baseline = time.perf_counter() - started
    _say(f"逐笔基线：{baseline:.2f} 秒")
    seconds = statistics.median(runs)
    agrees = result == naive
    reconciled = all(v[-1] for v in result.values()) and len(result) == townships
    return {"bench": "temporary", "townships": townships, "draws_per_township": draws,
            "draws": sum(v[4] for v in result.values()), "entries": ledger["entries"], "month": f"{MONTH:%Y-%m}",
            "seconds": round(seconds, 3), "first_seconds": round(runs[0], 3), "runs": len(runs),
            "target_seconds": TARGET_SECONDS, "ok": seconds <= TARGET_SECONDS and agrees and reconciled,
            "reconciled": reconciled, "closing_total": str(sum((v[5] for v in result.values()), Decimal(0))),
            "baseline": "per-draw-orm", "baseline_seconds": round(baseline, 3), "baseline_agrees": agrees,
            "ratio": round(baseline / seconds, 1) if seconds else None, "peak_rss_mb": peak_rss_mb(),
            "database": connection.vendor, "population_reused": ledger["reused"],
            "build_seconds": ledger["build_seconds"]}
