"""Computing the monthly statistics facts: ``stats_compute`` reads the region's raw rows for one month
(readers.py), runs the columnar job (jiuzhu.batch.stats) and replaces that month × region's facts in
one transaction, audited. Idempotent: the same data gives the same rows."""

from __future__ import annotations

import time as clock
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.codes import is_valid_code, level_of, subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.batch import stats
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed

from . import readers
from .models import StatFact

FIRST_MONTH = date(2000, 1, 1)


def parse_month(value, *, field: str = "month") -> date:
    """``2026-11`` (or a date) → 2026-11-01; anything else → a Chinese error naming ``field``."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    text = str(value or "").strip()
    parts = text.split("-")
    if len(parts) == 2 and len(parts[0]) == 4 and parts[0].isdigit() and parts[1].isdigit() and len(parts[1]) <= 2:
        year, month = int(parts[0]), int(parts[1])
        if 1 <= month <= 12 and year >= FIRST_MONTH.year:
            return date(year, month, 1)
    raise ValidationFailed("stats.month", f"月份（{field}）“{text[:20]}”格式错误，应为 YYYY-MM（如 2026-11）", field=field)


def months_between(first: date, last: date) -> list[date]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def check_region(actor, region_code: str) -> str:
    code = str(region_code or "").strip()
    if not is_valid_code(code) or level_of(code) > 4 or not Region.objects.filter(code=code).exists():
        raise ValidationFailed("stats.region", f"区划“{code[:20]}”不存在或不是县、乡镇级区划", field="region")
    if actor is not None:
        if not can(actor, "stats.compute"):
            raise Forbidden("forbidden", "只有县民政工作人员可以重新计算统计")
        if not in_scope(actor, code):
            raise NotFound("not_found", "区划不存在或不在您的管辖范围内", field="region")
    return code


def _value(value: int, scale: int) -> Decimal:
    return Decimal(int(value)).scaleb(-int(scale)).quantize(Decimal("0.01"))


def stats_compute(*, month, region_code: str, actor, now: datetime, progress=None) -> dict:
    """Recompute ``month``'s facts for every township of ``region_code`` (a county or a township).
    ``actor`` None: the system (scheduler, console). Returns {"month", "region", "rows", "seconds"}."""
    month = parse_month(month)
    today = timezone.localtime(now).date()
    if month > today.replace(day=1):
        raise ValidationFailed("stats.month", f"月份 {month:%Y-%m} 尚未开始，不能统计", field="month")
    code = check_region(actor, region_code)
    low, high = subtree_range(code)
    started = clock.perf_counter()
    inputs = readers.read_inputs(low, high, month, stats.cutoff(month, today), progress)
    facts = stats.stat_facts(inputs, month=month, today=today)
    cols = {name: facts.column(name).to_pylist() for name in stats.FACTS_SCHEMA.names}
    rows = [StatFact(month=month, region=r, program=p, metric=m, category=c, value=_value(v, s), computed_at=now)
            for r, p, m, c, v, s in zip(cols["region"], cols["program"], cols["metric"], cols["category"],
                                        cols["value"], cols["scale"])]
    with transaction.atomic():
        removed, _ = StatFact.objects.filter(month=month, region__gte=low, region__lte=high).delete()
        StatFact.objects.bulk_create(rows, batch_size=2000)
        audit_record(actor=actor, action="stats.compute", subject_type="region", subject_id=code,
                     region_code=code, details={"month": f"{month:%Y-%m}", "rows": len(rows), "replaced": removed},
                     at=now)
    if progress:
        progress(readers.STEPS[-1], len(readers.STEPS), len(readers.STEPS))
    return {"month": f"{month:%Y-%m}", "region": code, "rows": len(rows),
            "seconds": round(clock.perf_counter() - started, 3)}
