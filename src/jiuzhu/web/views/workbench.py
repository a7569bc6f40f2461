"""工作台: my tasks by due date, open cases per state and, for county users, the 督办 list."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases import selectors as cases
from jiuzhu.apps.programs.temporary_followup import lasting_suggestions
from jiuzhu.apps.registry.selectors import households_registered
from jiuzhu.apps.workcalendar import selectors as calendar
from jiuzhu.rules.workflow.deadlines import UNSUPERVISED_STEPS, late_on
from jiuzhu.rules.workflow.states import STATE_LABELS, STEP_LABELS

from .. import case_queries
from ..followup_links import with_links


def _task(case, today) -> dict:
    due = case.next_due
    # A notice period (公示期) is a span, not a duty: the day after it ends is the first day the notice
    # may be closed, not a late step.
    supervised = case.next_step not in UNSUPERVISED_STEPS
    return {"case": case, "step": STEP_LABELS.get(case.next_step, case.next_step or "—"), "due": due,
            "overdue": bool(case.overdue or late_on(due, today, supervised)),
            "due_today": supervised and due == today, "waiting": cases.task_waiting(case, today),
            "provisional": bool(getattr(case, "next_due_provisional", False)), "moved": case.deadline_moved_on}


@login_required
def workbench(request):
    today = timezone.localdate()
    user = request.user
    counts = cases.state_counts(actor=user)
    context = {
        "household_count": households_registered(actor=user).count(),
        "tasks": [_task(c, today) for c in cases.my_tasks(actor=user)],
        "state_counts": [(s, label, counts[s]) for s, label in STATE_LABELS.items() if counts.get(s)],
        "open_total": sum(counts.values()), "today": today, "supervisor": can(user, "case.supervise"),
    }
    if context["supervisor"]:
        overdue, by_township = cases.supervision_list(actor=user)
        names = case_queries.region_names([t["township"] for t in by_township])
        context["supervision"] = [_task(c, today) for c in overdue]
        context["by_township"] = [(names.get(t["township"], t["township"]), t["n"]) for t in by_township]
    if can(user, "case.submit"):  # issue 14 §3: lasting hardship → apply for dibao/特困
        context["followups"] = [{**item, **with_links(item, item["household"].pk)}
                                for item in lasting_suggestions(actor=user, today=today)]
    if can(user, "calendar.watch"):
        context["calendar_outlook"] = calendar.calendar_outlook(today)
    return render(request, "web/workbench.html", context)
