"""Everything the demo shows beyond the county, the users and the registry households, loaded once
relative to today's date through the services (so audit events, deadlines, payroll files and documents
are genuine, never written behind the services' back):

* applications of both programs in every state (some overdue, one in notice, one awaiting confirmation,
  one denied with its denial letter delivered) — demo_cases.py;
* about 200 enrollments: a ledger imported by the county plus the applications approved — demo_ledger.py;
* three paid payroll months (maker ``county``, checker ``county_checker``), one reconciled — demo_payroll.py;
* department data for 核对 and 预警, one verification run, one monitoring scan with open alerts — demo_data.py;
* a running annual review (年审) with some rechecks decided, one half-way, the rest scheduled — demo_review.py;
* the township 临时救助备用金: allocations, emergencies paid first from it, a replenishment approved and one
  pending, a month confirmed as reconciled — demo_reserve.py;
* finished background jobs (statistics, exports, the audit-chain check), a low-income register entry, an API
  token and a proposed standard awaiting approval, so every page shows data — demo_extras.py.

All of it in one transaction: loaded whole or not at all. The audit event ``demo.load`` marks it loaded."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.jobs import cases_mark_overdue
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.models import Region

from .demo import DEMO_COUNTY, DEMO_USERS
from .demo_blocked import schedule_blocked
from .demo_cases import plan_cases
from .demo_data import schedule_data
from .demo_extras import extras_load
from .demo_intake import demo_intake_load
from .demo_integrity import demo_integrity_load
from .demo_ledger import schedule_ledger
from .demo_payroll import schedule_payroll
from .demo_people import People
from .demo_pilot_report import demo_pilot_report_load
from .demo_relatives import demo_relatives_load
from .demo_reserve import demo_reserve_load
from .demo_review import schedule_review
from .demo_selfcheck import demo_selfcheck_load
from .demo_timeline import Timeline

LEDGER_HOUSEHOLDS = 192
MARKER = "demo.load"


@dataclass
class World:
    tl: Timeline
    users: dict[str, User]
    people: People
    region_names: dict[str, str]
    villages: list[str]
    files_dir: Path
    county: str = DEMO_COUNTY
    result: dict = field(default_factory=dict)
    bank_files: dict = field(default_factory=dict)


def _month(day: date, back: int) -> date:
    m = day.year * 12 + day.month - 1 - back
    return date(m // 12, m % 12 + 1, 1)


def demo_world_is_loaded() -> bool:
    return AuditEvent.objects.filter(action=MARKER).exists()


def demo_world_load(*, now: datetime | None = None, progress=None) -> dict | None:
    """Load the demo's cases, enrollments, payroll, data, alerts and annual review once (after
    ``demo_load``). Returns a summary, or None when it was loaded before."""
    if demo_world_is_loaded():
        return None
    started = time.perf_counter()
    now = now or timezone.now()
    low, high = subtree_range(DEMO_COUNTY)
    with transaction.atomic():
        tl = Timeline(now)
        world = World(
            tl=tl, users={u.username: u for u in User.objects.filter(username__in=[u for u, *_ in DEMO_USERS])},
            people=People(seed=2026, today=tl.today), region_names=dict(Region.objects.values_list("code", "name")),
            villages=list(Region.objects.filter(level=5, code__gte=low, code__lte=high).order_by("code")
                          .values_list("code", flat=True)),
            files_dir=Path(settings.VAR_DIR) / "demo")
        months = [_month(tl.today, 2), _month(tl.today, 1), _month(tl.today, 0)]
        schedule_ledger(world, households=LEDGER_HOUSEHOLDS, import_day=tl.nth_workday_of_month(_month(tl.today, 3), 5),
                        latest_start=months[0])
        scripts = plan_cases(world) + [schedule_blocked(world)]
        schedule_payroll(world, months)
        schedule_review(world, start_day=tl.back(15))
        verifying = next(s for s in scripts if s.program == "dibao" and s.target == "verifying")
        schedule_data(world, data_day=tl.back(2), verify_case=lambda: verifying.case)
        steps = tl.run(progress=(lambda done, total: progress("载入演示数据", done, total)) if progress else None)
        overdue = cases_mark_overdue(today=tl.today)
        extras_load(world, at=now)
        demo_intake_load(world)
        demo_integrity_load(at=now)
        demo_pilot_report_load(at=now)
        demo_relatives_load(at=now)
        demo_reserve_load(world, at=now)
        demo_selfcheck_load(at=now)
        summary = _summary(world, scripts, steps, overdue)
        audit_record(actor=None, action=MARKER, subject_type="region", subject_id=DEMO_COUNTY,
                     region_code=DEMO_COUNTY, details=summary, at=now)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary


def _summary(world: World, scripts, steps: int, overdue: dict) -> dict:
    r = world.result
    return {
        "today": world.tl.today.isoformat(), "steps": steps, "cases": len(scripts),
        "overdue_cases": overdue["cases"], "ledger": r["ledger"],
        "batches": {m.strftime("%Y-%m"): b.number for m, b in r["batches"].items()},
        "reconciled": r["reconciled"]["number"], "snapshots": len(r["snapshots"]),
        "alerts": r["scan"].created, "campaign": r["campaign"].pk,
        "verification_report": r["verification"].pk,
    }
