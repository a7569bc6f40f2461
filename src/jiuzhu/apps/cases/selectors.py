"""Reads for cases, always through the actor's region scope (regions/scope.py)."""

from __future__ import annotations

from datetime import date

from django.db.models import CharField, Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Concat, Substr

from jiuzhu.apps.regions.codes import level_of, subtree_range
from jiuzhu.apps.regions.scope import in_scope, range_filter, scope_filter
from jiuzhu.core.prepared import Prepared
from jiuzhu.rules.errors import NotFound
from jiuzhu.rules.workflow.deadlines import UNSUPERVISED_STEPS, late_on
from jiuzhu.rules.workflow.model import CASEWORKER, VILLAGE

from .engine import action_listing
from .models import Case, CaseDeadline, CaseEvent

# States where the village assistant has something to do (survey, posting the notice).
VILLAGE_TASK_STATES = ("accepted", "reviewed")


def cases_visible(*, actor):
    return scope_filter(Case.objects.all(), actor)


# The case page's reads, compiled once per connection (core/prepared.py): the same SQL as the querysets.
_CASE = Prepared(lambda pk: Case.objects.select_related("applicant", "region").filter(pk=pk).order_by("pk")[:1], int)
_DEADLINES = Prepared(lambda case_id: CaseDeadline.objects.filter(case_id=case_id).order_by("id"), int)
_EVENTS = Prepared(lambda case_id: CaseEvent.objects.filter(case_id=case_id).select_related("actor")
                   .order_by("at", "id"), int)


def case_get(*, actor, case_id) -> Case:
    case = None
    if str(case_id).isdigit():
        case = _CASE.first(int(case_id))
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
        deadlines = case.__dict__["_deadlines"] = _DEADLINES.all(case.pk)
        for deadline in deadlines:
            deadline.case = case  # as read through ``case.deadlines``
    return deadlines


def case_timeline(*, case: Case):
    events = _EVENTS.all(case.pk)
    for event in events:
        event.case = case  # as read through ``case.events``
    return events


def my_tasks(*, actor, limit: int = 50, after: tuple | None = None):
    """Open work for the actor's role in their region, earliest due first (index case_open_tasks)."""
    code = getattr(actor, "region_id", None)
    if not code or not getattr(actor, "is_active", False):
        return []  # (scope_filter: no rows)
    low, high = subtree_range(code)
    # The page of ids comes from the task index alone; applicant and region are joined for those rows
    # only (selecting whole rows first made PostgreSQL fetch and sort every task of the scope).
    village = actor.role == VILLAGE
    ids = _TASK_IDS.all(CASEWORKER if village else actor.role, low, high,
                        shape=(village, level_of(code) <= 3, int(limit)))
    if not ids:
        return []
    rows = _task_rows(len(ids)).all(*ids)
    found = {case.pk: case for case in rows}
    return [found[pk] for pk in ids]


def _task_ids(role, low, high, village, wide, limit):
    match = Q(task_role=role, state__in=VILLAGE_TASK_STATES) if village else Q(task_role=role)
    return range_filter(Case.objects.filter(match), low, high, wide=wide).order_by("next_due", "id") \
        .values_list("id", flat=True)[:limit]


_TASK_IDS = Prepared(_task_ids, str, str, str)  # compiled once per connection, role kind and limit
_TASK_ROWS: dict[int, Prepared] = {}


def _task_rows(n: int) -> Prepared:
    """The rows of a page of ``n`` task ids (one compiled query per page size)."""
    prepared = _TASK_ROWS.get(n)
    if prepared is None:
        prepared = _TASK_ROWS[n] = Prepared(
            lambda *ids: Case.objects.select_related("applicant", "region").only(*TASK_FIELDS)
            .annotate(next_due_provisional=_next_due_provisional()).filter(pk__in=ids).order_by(), *(int,) * n)
    return prepared


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

