"""Import a year's holidays and make-up workdays (2004–2026 are seeded by migration 0002).

An import is checked against the statutory holidays (rules.holidays), is idempotent (the same
schedule again changes nothing), and reconciles every open deadline that counts over the imported
years: apps that keep deadlines register a reconciler (``register_reconciler``), so this app needs
none of them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.holidays import holiday_laws, schedule_problems

from .models import CalendarDay, CalendarYear
from .selectors import calendar_cache_clear, version_of, work_calendar_stamped

KIND_ALIASES = {"holiday": "holiday", "休": "holiday", "假": "holiday", "放假": "holiday", "节假日": "holiday",
                "workday": "workday", "班": "workday", "上班": "workday", "调休上班": "workday"}


def parse_calendar_file(text: str, filename: str = "") -> tuple[set[int], list[tuple[date, str, str]]]:
    """Parse CSV (``date,kind[,name]``, kind holiday/workday or 休/班) or JSON
    (``{"year": 2027, "holidays": [...], "workdays": [...]}``). Collect every error, then raise."""
    errors: list[dict] = []
    entries: list[tuple[date, str, str]] = []
    years: set[int] = set()
    stripped = text.lstrip("\ufeff").strip()
    if filename.endswith(".json") or stripped.startswith("{"):
        try:
            data = json.loads(stripped)
            years.add(int(data["year"]))
            raw = [(d, "holiday", "") for d in data.get("holidays", [])] + [(d, "workday", "") for d in data.get("workdays", [])]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationFailed("calendar.file", f"JSON 文件格式错误：{exc}", field="file") from None
        rows = [(i + 1, d, k, n) for i, (d, k, n) in enumerate(raw)]
    else:
        rows = []
        for number, cells in enumerate(csv.reader(io.StringIO(stripped)), start=1):
            if not cells or not "".join(cells).strip() or cells[0].strip().lower() in ("date", "日期"):
                continue
            cells += ["", ""]
            rows.append((number, cells[0].strip(), cells[1].strip(), cells[2].strip()))
    seen: set[date] = set()
    for number, raw_date, raw_kind, name in rows:
        try:
            d = date.fromisoformat(str(raw_date))
        except ValueError:
            errors.append({"row": number, "field": "date", "message": f"第{number}行：日期“{raw_date}”应为 YYYY-MM-DD"})
            continue
        kind = KIND_ALIASES.get(str(raw_kind).lower())
        if kind is None:
            errors.append({"row": number, "field": "kind", "message": f"第{number}行：类型“{raw_kind}”应为 holiday/休 或 workday/班"})
            continue
        if kind == "workday" and d.weekday() < 5:
            errors.append({"row": number, "field": "kind", "message": f"第{number}行：{d} 是工作日，不能再设为调休上班日"})
            continue
        if d in seen:
            errors.append({"row": number, "field": "date", "message": f"第{number}行：日期 {d} 重复"})
            continue
        seen.add(d)
        entries.append((d, kind, name))
    if not rows:
        errors.append({"row": 0, "field": "file", "message": "文件中没有任何日期"})
    if errors:
        raise ValidationFailed("calendar.invalid_rows", f"导入失败：{len(errors)}处错误，未导入任何数据", field="file", errors=errors)
    years |= {d.year for d, _, _ in entries}
    return years, entries


@dataclass
class ImportResult:
    """What an import did: the years, whether anything changed, and each moved deadline."""

    years: list[int]
    changed: bool = True
    moved: list[dict] = field(default_factory=list)  # {"kind", "id", "number", "region", "step", "from", "to"}
    counts: dict[str, int] = field(default_factory=dict)


# (years, calendar, version, today, actor) -> list of moved items; registered by apps with deadlines.
Reconciler = Callable[..., list[dict]]
_RECONCILERS: dict[str, Reconciler] = {}


def register_reconciler(name: str, fn: Reconciler) -> None:
    _RECONCILERS[name] = fn


def _check_statutory(years: set[int], entries) -> None:
    first_law = holiday_laws()[0].start.year
    errors = []
    for year in sorted(y for y in years if y >= first_law):
        holidays = {d for d, k, _ in entries if k == "holiday" and d.year == year}
        workdays = {d for d, k, _ in entries if k == "workday" and d.year == year}
        errors += schedule_problems(year, holidays, workdays)
    if errors:
        raise ValidationFailed("calendar.statutory", f"导入失败：{len(errors)}处与法定节假日不符（{errors[0]['message']}），"
                               "未导入任何数据", field="file", errors=errors)


def _same_as_loaded(years: set[int], entries) -> bool:
    loaded = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    if loaded != years:
        return False
    have = set(CalendarDay.objects.filter(year_id__in=years).values_list("date", "kind"))
    return have == {(d, k) for d, k, _ in entries}


def calendar_import(*, actor, text: str, filename: str = "", replace: bool = False,
                    now: datetime | None = None) -> ImportResult:
    """Import (or replace) official schedules; recompute the open deadlines counted over them."""
    from django.utils import timezone

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    years, entries = parse_calendar_file(text, filename)
    _check_statutory(years, entries)
    if _same_as_loaded(years, entries):
        return ImportResult(sorted(years), changed=False)
    existing = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    if existing and not replace:
        raise ValidationFailed(
            "calendar.year_exists", f"{'、'.join(map(str, sorted(existing)))} 年的日历已存在且内容不同；如需替换请加 --replace",
            field="file", years=sorted(existing),
        )
    result = ImportResult(sorted(years))
    old_calendar = work_calendar_stamped()[0]
    with transaction.atomic():
        CalendarYear.objects.filter(year__in=years).delete()
        CalendarYear.objects.bulk_create([CalendarYear(year=y, source=filename or "import") for y in sorted(years)])
        CalendarDay.objects.bulk_create([CalendarDay(date=d, year_id=d.year, kind=k, name=n) for d, k, n in entries])
        calendar_cache_clear()
        cal, stamp = work_calendar_stamped()
        version = version_of(stamp)
        for name, reconcile in sorted(_RECONCILERS.items()):
            moved = reconcile(years=years, calendar=cal, old_calendar=old_calendar, version=version, today=today,
                              actor=actor, now=now)
            result.counts[name] = len(moved)
            result.moved += moved
        audit_record(actor=actor, action="calendar.import", subject_type="calendar", subject_id=",".join(map(str, sorted(years))),
                     after={"days": len(entries), "moved": result.counts},
                     details={"moved": [f"{m['number']}:{m['step']}:{m['from']}→{m['to']}" for m in result.moved[:500]]})
    calendar_cache_clear()
    return result
