"""Reads for the recognition, through the actor's region scope: the households to discover (主动发现,
年审 plan 四(三)2), the 台账 of recognized households, the 年审 recheck tasks."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.monitoring.models import LowIncomeEntry
from jiuzhu.apps.regions.scope import scope_filter
from jiuzhu.rules.errors import Forbidden
from jiuzhu.rules.workflow.lowincome import LOWINC

from .models import LowIncomeRecheck

LOOKBACK_DAYS = 2 * 365  # "近年来": the last two years (R-LI-08 reads the same span)
LIMIT = 200


def _reader(actor):
    if not can(actor, "lowincome.read"):
        raise Forbidden("lowinc.read_role", "您的角色无权查看低收入家庭认定")


def _taken(households: set[int], today: date) -> set[int]:
    """Households already recognized (a live entry), in an open recognition, or enrolled in dibao/特困."""
    live = LowIncomeEntry.objects.filter(household_id__in=households, removed_on__isnull=True,
                                         category__in=("edge", "rigid_expenditure")) \
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)).values_list("household_id", flat=True)
    open_cases = Case.objects.filter(household_id__in=households, program=LOWINC, is_open=True) \
        .values_list("household_id", flat=True)
    enrolled = Enrollment.objects.filter(household_id__in=households, status__in=Enrollment.LIVE) \
        .exclude(status="graduating").values_list("household_id", flat=True)
    return set(live) | set(open_cases) | set(enrolled)


def discovery(*, actor, today: date) -> list[dict]:
    """主动发现: households of the last two years that left dibao (停保 or in 渐退), whose dibao or 特困
    application was refused or found ineligible, or who received 临时救助 — not yet recognized, in no
    open recognition, not enrolled. Each row names its source and what it came from."""
    _reader(actor)
    since = today - timedelta(days=LOOKBACK_DAYS)
    rows: dict[int, dict] = {}

    def add(household, source: str, ref: str, person_id=None):
        if household.pk not in rows:
            rows[household.pk] = {"household": household, "source": source, "ref": ref,
                                  "applicant_id": person_id or household.head_id}

    enr = scope_filter(Enrollment.objects.filter(program="dibao"), actor).filter(
        Q(status="graduating") | Q(status="stopped", stopped_month__gte=since))
    for e in enr.select_related("household").order_by("-id")[:LIMIT]:
        add(e.household, "graduation", f"低保{e.get_status_display()}（在保编号 {e.pk}）")
    cases = scope_filter(Case.objects.filter(program__in=["dibao", "tekun"], kind="application",
                                             state__in=["rejected", "closed_ineligible"],
                                             submitted_at__date__gte=since), actor)
    for c in cases.select_related("household").order_by("-id")[:LIMIT]:
        add(c.household, "denied_dibao", f"{c.program_label}申请{c.state_label}（{c.number}）", c.applicant_id)
    temps = scope_filter(LowIncomeEntry.objects.filter(category="temporary", recognized_on__gte=since), actor)
    for t in temps.select_related("household").order_by("-id")[:LIMIT]:
        add(t.household, "temporary", f"{t.recognized_on} 享受临时救助")
    taken = _taken(set(rows), today)
    return [r for hid, r in rows.items() if hid not in taken]


def ledger_rows(*, actor, today: date, include_removed: bool = True):
    """The 台账: recognized households (edge, rigid) of the actor's region, newest first."""
    _reader(actor)
    qs = scope_filter(LowIncomeEntry.objects.filter(category__in=("edge", "rigid_expenditure")), actor)
    if not include_removed:
        qs = qs.filter(removed_on__isnull=True).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return qs.select_related("household", "household__head", "region", "source_case").order_by("region_id", "-id")


def rechecks(*, actor, campaign=None, status: str = ""):
    _reader(actor)
    qs = scope_filter(LowIncomeRecheck.objects.all(), actor)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if status in dict(LowIncomeRecheck.Status.choices):
        qs = qs.filter(status=status)
    return qs.select_related("entry", "entry__household", "region", "campaign").order_by("status", "due", "id")
