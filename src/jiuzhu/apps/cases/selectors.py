"""Reads for cases, always through the actor's region scope (regions/scope.py)."""

from __future__ import annotations

from datetime import date

from django.db.models import CharField, Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Concat, Substr

from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.rules.errors import NotFound
from jiuzhu.rules.workflow.deadlines import UNSUPERVISED_STEPS, late_on
from jiuzhu.rules.workflow.model import CASEWORKER, VILLAGE

from .engine import action_listing
from .models import Case, CaseDeadline

# States where the village assistant has something to do (survey, posting the notice).
VILLAGE_TASK_STATES = ("accepted", "reviewed")


def cases_visible(*, actor):
    return scope_filter(Case.objects.all(), actor)


def case_get(*, actor, case_id) -> Case:
    case = None
    if str(case_id).isdigit():
        case = Case.objects.select_related("applicant", "region").filter(pk=case_id).first()
    if case is None or not in_scope(actor, case.region_id):
        raise NotFound("not_found", "案件不存在或不在您的管辖范围内")
    return case


def allowed_actions(*, case: Case, actor, today: date) -> list[str]:
    """Actions this actor may take now: the table row for their role and the case state, with guards."""
    return action_listing(case, actor, today)[0]


def blocked_actions(*, case: Case, actor, today: date) -> list[dict]:
    """Actions the state allows for the actor's role but a guard blocks now: ``{action, label, code,
    message}``, the message saying what unblocks it (engine.action_listing)."""
    return action_listing(case, actor, today)[1]


def case_actions(*, case: Case, actor, today: date) -> tuple[list[str], list[dict]]:
    """(allowed, blocked) at once: the case page and the API's case document show both."""
    return action_listing(case, actor, today)


def case_deadlines(*, case: Case):
    """The case's deadlines in creation order, read once per case instance (guards listing the allowed
    actions use the same list); an action drops the copy when it changes them."""
    deadlines = case.__dict__.get("_deadlines")
    if deadlines is None:
        deadlines = case.__dict__["_deadlines"] = list(case.deadlines.order_by("id"))
    return deadlines


def case_timeline(*, case: Case):
    return list(case.events.select_related("actor").order_by("at", "id"))


def my_tasks(*, actor, limit: int = 50, after: tuple | None = None):
    """Open work for the actor's role in their region, earliest due first (index case_open_tasks)."""
    if actor.role == VILLAGE:
        match = Q(task_role=CASEWORKER, state__in=VILLAGE_TASK_STATES)
    else:
        match = Q(task_role=actor.role)
    # The page of ids comes from the task index alone; applicant and region are joined for those rows
    # only (selecting whole rows first made PostgreSQL fetch and sort every task of the scope).
    ids = list(scope_filter(Case.objects.filter(match), actor).order_by("next_due", "id")
               .values_list("id", flat=True)[:limit])
    found = (Case.objects.select_related("applicant", "region").only(*TASK_FIELDS)
             .annotate(next_due_provisional=_next_due_provisional()).in_bulk(ids))
    return [found[pk] for pk in ids]


def task_waiting(case: Case, today: date) -> str:
    """What the task waits for ("等待：…", the column kept by ``engine.refresh_tasks``), or "". A
    notice period's reason ends with the period, even before the daily job has refreshed the column."""
    if case.next_step in UNSUPERVISED_STEPS and late_on(case.next_due, today):
        return ""
    return case.task_waiting


def _next_due_provisional():
    """Is the deadline behind ``next_due`` counted over a year without an official holiday schedule?
    (A recheck's calendar-day deadline never is, whatever its year.)"""
    return Exists(CaseDeadline.objects.filter(case_id=OuterRef("pk"), step=OuterRef("next_step"), due=OuterRef("next_due"),
                                              provisional=True, status__in=("open", "overdue")))


# What a task row shows (API /v1/tasks and the 工作台 page; ``number`` is made of submitted_at, kind
# and program): only these columns are read, so a page
# of tasks builds small objects (whole case, person and region rows cost most of the request's CPU).
TASK_FIELDS = ("id", "submitted_at", "program", "kind", "state", "region_id", "next_step", "next_due", "overdue",
               "deadline_moved_on", "task_waiting", "applicant__name", "region__name")


def state_counts(*, actor) -> dict[str, int]:
    qs = scope_filter(Case.objects.filter(is_open=True), actor)
    return dict(qs.values_list("state").annotate(n=Count("id")).values_list("state", "n"))


def supervision_list(*, actor, limit: int = 200):
    """Overdue cases in the actor's region (督办, for the level above) and counts by township code.
    A closed case stays here while a step after the decision (denial letter, county filing) is late."""
    qs = scope_filter(Case.objects.filter(overdue=True), actor)
    township = Concat(Substr("region_id", 1, 9), Value("000"), output_field=CharField())
    by_township = list(qs.annotate(township=township).values("township")
                       .annotate(n=Count("id")).order_by("township"))
    cases = list(qs.select_related("applicant", "region").annotate(next_due_provisional=_next_due_provisional())
                 .order_by("next_due", "id")[:limit])
    return cases, by_township


def cases_search(*, actor, state: str = "", program: str = "", applicant_name: str = "", limit: int = 50,
                 after: int | None = None):
    qs = scope_filter(Case.objects.all(), actor)
    if state:
        qs = qs.filter(state=state)
    if program:
        qs = qs.filter(program=program)
    if applicant_name:
        qs = qs.filter(applicant__name__startswith=applicant_name)
    if after:
        qs = qs.filter(pk__lt=after)
    return list(qs.select_related("applicant", "region").order_by("-pk")[:limit])


def deadline_status_label(d: CaseDeadline) -> str:
    return d.get_status_display()

