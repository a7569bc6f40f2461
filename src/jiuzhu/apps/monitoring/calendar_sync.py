"""When an official holiday schedule is imported, move the due dates of open alerts counted over it."""

from __future__ import annotations

from datetime import date

from jiuzhu.apps.audit.bulk import audit_record_many
from jiuzhu.rules.calendar import (
    WorkCalendar,
    add_workdays,
    count_workdays,
    spans_provisional,
)

from .models import Alert

LIVE = (Alert.Status.OPEN, Alert.Status.IN_PROGRESS)


def alert_deadlines_reconcile(*, years, calendar: WorkCalendar, old_calendar: WorkCalendar, version: str,
                              today: date, actor, now, **_) -> list[dict]:
    """An alert keeps its length in working days (counted on the calendar it was computed with)."""
    lo, hi = date(min(years), 1, 1), date(max(years), 12, 31)
    rows = list(Alert.objects.filter(status__in=LIVE, detected_on__lte=hi, due_date__gte=lo)
                .values_list("id", "detected_on", "due_date", "due_provisional", "region_id"))
    memo: dict[tuple[date, date], tuple[date, bool]] = {}
    changed, moved = [], []
    for pk, start, due, provisional, region in rows:
        if (start, due) not in memo:
            n = count_workdays(old_calendar, start, due)
            new_due = add_workdays(calendar, start, n) if n else due
            memo[(start, due)] = (new_due, spans_provisional(calendar, start, new_due))
        new_due, new_provisional = memo[(start, due)]
        if (new_due, new_provisional) == (due, provisional):
            continue
        changed.append(Alert(pk=pk, due_date=new_due, due_provisional=new_provisional, calendar_version=version))
        if new_due != due:
            moved.append({"kind": "alert", "id": pk, "number": f"YJ{start:%Y%m%d}-{pk:06d}", "region": region, "step": "alert",
                          "from": due.isoformat(), "to": new_due.isoformat()})
    if changed:
        Alert.objects.bulk_update(changed, ["due_date", "due_provisional", "calendar_version"], batch_size=1000)
        audit_record_many(actor=actor, at=now, events=[
            {"action": "alert.deadline_moved", "subject_type": "alert", "subject_id": m["id"], "region_code": m["region"],
             "before": {"due_date": m["from"]}, "after": {"due_date": m["to"]}, "reason": "时限因放假安排调整",
             "details": {"from": m["from"], "to": m["to"], "calendar_version": version}}
            for m in moved])
    return moved
