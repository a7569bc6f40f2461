"""Deadline supervision job: mark passed, unmet supervised deadlines overdue (逾期) in bulk, and hand
cases whose notice period has just ended to whoever acts next (a guard that depends on the date —
``termination_notice_over`` — changes the next actor without any action on the case)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from .engine import refresh_tasks
from .models import Case, CaseDeadline

TASK_FIELDS = ("task_role", "next_step", "next_due", "overdue", "task_waiting")


def cases_mark_overdue(*, today: date) -> dict:
    """Idempotent: running it again the same day changes nothing. Returns counts."""
    with transaction.atomic():
        deadlines = CaseDeadline.objects.filter(status=CaseDeadline.Status.OPEN, supervised=True, due__lt=today)
        marked = deadlines.update(status=CaseDeadline.Status.OVERDUE)
        late_cases = CaseDeadline.objects.filter(status=CaseDeadline.Status.OVERDUE).values("case_id")
        cases = Case.objects.filter(pk__in=late_cases, overdue=False).update(overdue=True)
        handed = _notices_ended(today)
    return {"deadlines": marked, "cases": cases, "handed_over": handed}


def _notices_ended(today: date) -> int:
    """Recompute the task columns of open cases whose notice period (公示期) is over but still open;
    a few cases a day, so one by one. Returns how many changed hands."""
    ended = CaseDeadline.objects.filter(step="notice_period", status=CaseDeadline.Status.OPEN, due__lt=today,
                                        case__is_open=True).values("case_id")
    changed = 0
    for case in Case.objects.filter(pk__in=ended).select_related("household", "applicant").select_for_update(of=("self",)):
        before = tuple(getattr(case, f) for f in TASK_FIELDS)
        refresh_tasks(case, today)
        if tuple(getattr(case, f) for f in TASK_FIELDS) != before:
            case.save(update_fields=TASK_FIELDS)
            changed += 1
    return changed


def mark_overdue_job(job, progress) -> dict:
    """``cases.mark_overdue`` (daily, background job): ``cases_mark_overdue`` on the occurrence's date."""
    counts = cases_mark_overdue(today=date.fromisoformat(job.params["date"]))
    progress(1, 1, f"新标记逾期环节 {counts['deadlines']} 个")
    return counts
