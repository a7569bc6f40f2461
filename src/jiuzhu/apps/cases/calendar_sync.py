"""When an official holiday schedule is imported, move the open case deadlines counted over it.

Set-based: one read of the affected deadlines, one due date computed per distinct (start, length),
one bulk update of the deadlines, one UPDATE of the cases' task columns, one bulk audit.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from jiuzhu.apps.audit.bulk import audit_record_many
from jiuzhu.rules.calendar import WorkCalendar
from jiuzhu.rules.workflow import DeadlineRule
from jiuzhu.rules.workflow.deadlines import due_date_provisional

from .models import Case, CaseDeadline

LIVE = (CaseDeadline.Status.OPEN, CaseDeadline.Status.OVERDUE)
MOVED_NOTE = "时限因放假安排调整"


def case_deadlines_reconcile(*, years, calendar: WorkCalendar, version: str, today: date, actor, now,
                             **_) -> list[dict]:
    """Recompute every live working-day deadline whose counted days touch one of ``years``."""
    lo, hi = date(min(years), 1, 1), date(max(years), 12, 31)
    rows = list(CaseDeadline.objects.filter(status__in=LIVE, unit="wd", starts_on__lte=hi, due__gte=lo)
                .values_list("id", "case_id", "step", "starts_on", "amount", "due", "provisional", "status",
                             "supervised", "case__region_id"))
    memo: dict[tuple[date, int], tuple[date, bool]] = {}
    changed, moved = [], []
    for pk, case_id, step, starts_on, amount, due, provisional, status, supervised, region in rows:
        key = (starts_on, amount)
        if key not in memo:
            memo[key] = due_date_provisional(calendar, DeadlineRule(step, amount, "wd"), starts_on)
        new_due, new_provisional = memo[key]
        if (new_due, new_provisional) == (due, provisional):
            continue
        new_status = status
        if status == CaseDeadline.Status.OVERDUE and new_due >= today:
            new_status = CaseDeadline.Status.OPEN
        elif status == CaseDeadline.Status.OPEN and supervised and new_due < today:
            new_status = CaseDeadline.Status.OVERDUE
        changed.append(CaseDeadline(pk=pk, due=new_due, provisional=new_provisional, status=new_status,
                                    calendar_version=version))
        if new_due != due:
            moved.append({"kind": "case", "id": case_id, "region": region, "step": step,
                          "from": due.isoformat(), "to": new_due.isoformat()})
    if not changed:
        return []
    CaseDeadline.objects.bulk_update(changed, ["due", "provisional", "status", "calendar_version"], batch_size=1000)
    changed_ids = {c.pk for c in changed}
    case_ids = {r[1] for r in rows if r[0] in changed_ids}
    _refresh_task_columns(case_ids, moved_ids={d["id"] for d in moved}, today=today)
    numbers = dict((c.pk, c.number) for c in Case.objects.filter(pk__in={d["id"] for d in moved})
                   .only("id", "kind", "program", "submitted_at"))
    for item in moved:
        item["number"] = numbers.get(item["id"], str(item["id"]))
    audit_record_many(actor=actor, at=now, events=[
        {"action": "case.deadline_moved", "subject_type": "case", "subject_id": item["id"], "region_code": item["region"],
         "before": {"due": item["from"]}, "after": {"due": item["to"]}, "reason": MOVED_NOTE,
         "details": {"step": item["step"], "from": item["from"], "to": item["to"], "calendar_version": version}} for item in moved])
    return moved


def _refresh_task_columns(case_ids, *, moved_ids, today: date) -> None:
    """next_step / next_due / overdue from the live deadlines, in one UPDATE per group of cases."""
    live = CaseDeadline.objects.filter(case_id=OuterRef("pk"), status__in=LIVE).exclude(step="overall") \
        .order_by("due", "id")
    fields = {
        "next_due": Subquery(live.values("due")[:1]),
        "next_step": Coalesce(Subquery(live.values("step")[:1]), Value("")),
        "overdue": Exists(CaseDeadline.objects.filter(case_id=OuterRef("pk"), status=CaseDeadline.Status.OVERDUE)),
    }
    ids = list(case_ids)
    for i in range(0, len(ids), 5000):
        chunk = ids[i:i + 5000]
        Case.objects.filter(pk__in=chunk, is_open=True).exclude(task_role="").update(**fields)
        Case.objects.filter(pk__in=[c for c in chunk if c in moved_ids]).update(deadline_moved_on=today)
