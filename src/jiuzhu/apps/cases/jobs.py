"""Deadline supervision job: mark passed, unmet supervised deadlines overdue (逾期) in bulk."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from .models import Case, CaseDeadline


def cases_mark_overdue(*, today: date) -> dict:
    """Idempotent: running it again the same day changes nothing. Returns counts."""
    with transaction.atomic():
        deadlines = CaseDeadline.objects.filter(status=CaseDeadline.Status.OPEN, supervised=True, due__lt=today)
        marked = deadlines.update(status=CaseDeadline.Status.OVERDUE)
        late_cases = CaseDeadline.objects.filter(status=CaseDeadline.Status.OVERDUE).values("case_id")
        cases = Case.objects.filter(pk__in=late_cases, overdue=False).update(overdue=True)
    return {"deadlines": marked, "cases": cases}
