"""Reads of 一门受理 and referral tickets, always through the actor's region scope: one intake with its
tickets, the tickets per department (filters), the overdue ones and their count per township."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.regions.codes import is_valid_code, subtree_range
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.apps.regions.selectors import region_names
from jiuzhu.apps.workcalendar.selectors import work_calendar
from jiuzhu.rules.calendar import spans_provisional
from jiuzhu.rules.errors import Forbidden, NotFound
from jiuzhu.rules.monitoring import DEPARTMENTS

from .models import Intake, Referral

PAGE = 100
TOWNSHIP_CODE_LEN = 9


def _reader(actor, *permissions: str):
    if not any(can(actor, p) for p in permissions):
        raise Forbidden("monitor.read_role", "您的角色无权查看转介记录")


def _get(qs, actor, pk, what: str):
    row = None
    if str(pk).isdigit() and int(pk) < 2**63:
        row = qs.filter(pk=pk).first()
    if row is None or not in_scope(actor, row.region_id):
        raise NotFound("not_found", f"{what}不存在或不在您的管辖范围内")
    return row


def intake_get(*, actor, intake_id) -> Intake:
    _reader(actor, "intake.record", "monitoring.read")
    return _get(Intake.objects.select_related("household", "person", "region", "created_by"), actor, intake_id,
                "受理记录")


def flag_provisional(tickets: list[Referral]) -> list[Referral]:
    """Mark each ticket's due date counted across a year whose work calendar is provisional (the State
    Council's notice not imported yet) or no longer loaded: ``due_provisional`` (the pages show 暂定, as
    for a case's deadline). A closed ticket's date no longer matters and is not flagged. No query but the
    calendar's (cached)."""
    cal = work_calendar()
    for t in tickets:
        due = t.due_date
        flag = bool(due and t.sent_on and t.status != Referral.Status.CLOSED and (
            spans_provisional(cal, t.sent_on, due) or due.year not in cal.years))
        t.due_provisional = flag  # type: ignore[attr-defined]
    return tickets


def intake_tickets(intake: Intake) -> list[Referral]:
    return flag_provisional(list(intake.referrals.select_related("feedback_by", "closed_by").order_by("id")))


def referral_get(*, actor, referral_id) -> Referral:
    _reader(actor, "monitoring.read", "intake.record")
    ticket = _get(Referral.objects.select_related("intake", "alert", "region", "sent_by", "feedback_by", "closed_by",
                                                  "intake__household", "alert__household"),
                  actor, referral_id, "转介记录")
    return flag_provisional([ticket])[0]


def _overdue_q(today: date) -> Q:
    """Not answered by its due date (an alert's push has no date of its own: the alert's)."""
    return Q(status=Referral.Status.SENT) & (Q(due_date__lt=today) | Q(due_date__isnull=True,
                                                                         alert__due_date__lt=today))


def referral_list(*, actor, today: date, department: str = "", status: str = "", overdue: bool = False,
                  region_code: str = "", page: int = 1):
    """(tickets of the page, has next page): open ones first by due date, 100 a page."""
    _reader(actor, "monitoring.read")
    qs = scope_filter(Referral.objects.all(), actor)
    if region_code and is_valid_code(region_code) and in_scope(actor, region_code):
        low, high = subtree_range(region_code)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if department in DEPARTMENTS:
        qs = qs.filter(department=department)
    if status in Referral.Status.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(_overdue_q(today))
    page = max(int(page or 1), 1)
    rows = list(qs.select_related("region", "intake__household", "alert__household", "alert")
                .order_by("status", "due_date", "id")[(page - 1) * PAGE: page * PAGE + 1])
    return flag_provisional(rows[:PAGE]), len(rows) > PAGE


def overdue_by_township(*, actor, today: date) -> list[dict]:
    """The county's view: overdue tickets per township and department, most first."""
    _reader(actor, "monitoring.read")
    rows = (scope_filter(Referral.objects.all(), actor).filter(_overdue_q(today))
            .values("region_id", "department").annotate(n=Count("id")).order_by())
    counts: dict[str, dict] = {}
    for r in rows:
        township = r["region_id"][:TOWNSHIP_CODE_LEN] + "000"
        entry = counts.setdefault(township, {"code": township, "total": 0, "by_department": {}})
        entry["total"] += r["n"]
        entry["by_department"][r["department"]] = entry["by_department"].get(r["department"], 0) + r["n"]
    names = region_names(list(counts))
    out = sorted(counts.values(), key=lambda e: (-e["total"], e["code"]))
    for e in out:
        e["name"] = names.get(e["code"], e["code"])
        e["departments"] = "、".join(f"{DEPARTMENTS[d].split('（')[0]} {n}" for d, n in sorted(e["by_department"].items()))
    return out
