"""The one path every case action takes: lock, check the table, run guards, write, audit, deadlines.

Services (services.py) call ``perform``; nothing else changes a case's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from jiuzhu.apps.audit.chain import digest
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.core.prepared import Prepared
from jiuzhu.rules.errors import Conflict, DomainError, Forbidden, NotFound
from jiuzhu.rules.workflow.deadlines import due_date_provisional
from jiuzhu.rules.workflow.model import CASEWORKER, DeadlineRule
from jiuzhu.rules.workflow.states import (
    ACTION_LABELS,
    CLOSED_STATES,
    EXTEND_REASONS,
    STATE_LABELS,
    TERMINATE_REASONS,
)
from jiuzhu.rules.workflow.tables import table_for, transition

from . import config
from .guards import ACTOR_GUARDS, GUARDS, NOT_APPLICABLE
from .models import Case, CaseDeadline, CaseEvent, CaseRecord
from .payloads import clean_payload

GENERIC = ("withdraw", "terminate", "extend", "cancel")
WAITING_MAX = 200  # Case.task_waiting


@dataclass
class ActionContext:
    actor: object
    action: str
    payload: object
    now: datetime
    case: Case | None = None
    household: object = None
    applicant: object = None
    program: str = ""
    event: CaseEvent | None = None
    on: date | None = None  # the day, when there is no ``now`` (listing allowed actions)

    @property
    def today(self) -> date:
        return self.on or timezone.localtime(self.now).date()

    def record(self, kind: str, data: dict) -> CaseRecord:
        record = CaseRecord.objects.create(case=self.case, event=self.event, kind=kind, data=data)
        counts = self.case.__dict__.get("_record_counts")
        if counts is not None:
            counts[kind] += 1
        latest = self.case.__dict__.get("_latest_records")
        if latest is not None:
            latest[kind] = record
        return record


def local_today(now: datetime) -> date:
    return timezone.localtime(now).date()


def lazy_household(case: Case):
    """The case's household, read from the database only when a handler uses it: guards go by
    ``case.household_id`` and most actions never need the row."""
    if "household" in case._state.fields_cache:
        return case.household
    return SimpleLazyObject(lambda: case.household)


# Every action locks its case: compiled once per connection (core/prepared.py), the queryset's own SQL.
_LOCK = Prepared(lambda pk: Case.objects.select_for_update().select_related("applicant").filter(pk=pk)
                 .order_by("pk")[:1], int)


def lock_case(actor, case_id) -> Case:
    if not str(case_id).isdigit():
        raise NotFound("not_found", "案件不存在或不在您的管辖范围内")
    if not transaction.get_connection().in_atomic_block:  # (what compiling select_for_update checks)
        raise transaction.TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    case = _LOCK.first(int(case_id))
    if case is None or not in_scope(actor, case.region_id):
        raise NotFound("not_found", "案件不存在或不在您的管辖范围内")
    return case


def check_allowed(case: Case, actor, action: str):
    """The table row for this actor, or the reason why not: unknown action 404, not on this case's
    path or not in this state 409, role 403."""
    settings = config.settings_from_snapshot(case.settings)
    table = table_for(case.program, settings, case.kind)
    label = ACTION_LABELS.get(action, action)
    if action not in {row.action for row in table}:
        if action in ACTION_LABELS:  # a real action, but not on this case's path (program, region settings)
            raise Conflict("case.not_in_workflow", f"本案件的办理流程中没有“{label}”环节", state=case.state)
        raise NotFound("case.unknown_action", f"未知操作：{action}", field="action")
    row = transition(case.program, settings, case.state, action, case.kind)
    if row is None:
        raise Conflict("case.wrong_state", f"案件当前状态为“{STATE_LABELS.get(case.state, case.state)}”，"
                                           f"不能执行“{label}”", state=case.state)
    if getattr(actor, "role", None) not in row.roles:
        raise Forbidden("case.role", f"您的角色不能执行“{label}”")
    return row


def run_guards(row, ctx: ActionContext):
    for name in row.guards:
        GUARDS[name](ctx)
    if ctx.actor is not None:
        for guard in ACTOR_GUARDS.values():
            guard(ctx)


def guard_error(row, case: Case, today: date, actor=None) -> DomainError | None:
    """The guard's refusal of ``row`` now, or None (payload not known yet: listing actions and tasks)."""
    ctx = ActionContext(actor=actor, action=row.action, payload=None, now=None, case=case,
                        household=lazy_household(case), applicant=case.applicant, program=case.program, on=today)
    try:
        run_guards(row, ctx)
    except DomainError as exc:
        return exc
    return None


def guards_pass(row, case: Case, today: date, actor=None) -> bool:
    """Would the guards let ``row`` happen now?"""
    return guard_error(row, case, today, actor) is None


def blocks(exc: DomainError | None) -> bool:
    """Does a guard's refusal block an action the case still needs (shown disabled with its reason),
    rather than say the action does not apply (a branch not taken, a step done already)?"""
    return exc is not None and exc.code not in NOT_APPLICABLE


def blocked_item(action: str, exc: DomainError) -> dict:
    return {"action": action, "label": ACTION_LABELS.get(action, action), "code": exc.code, "message": exc.message}


def action_listing(case: Case, actor, today: date) -> tuple[list[str], list[dict]]:
    """(allowed, blocked) for this actor now. Both hold only actions the table gives the actor's role in
    the case's state; ``allowed`` are those whose guards pass, ``blocked`` those a guard refuses, each as
    ``{action, label, code, message}`` with the guard's Chinese message (what unblocks it)."""
    if not in_scope(actor, case.region_id):
        return [], []
    allowed: list[str] = []
    blocked: list[dict] = []
    seen: set[str] = set()
    settings = config.settings_from_snapshot(case.settings)
    for row in table_for(case.program, settings, case.kind):
        if case.state not in row.from_states or getattr(actor, "role", None) not in row.roles or row.action in seen:
            continue
        seen.add(row.action)
        try:
            check_allowed(case, actor, row.action)
        except DomainError:
            continue
        exc = guard_error(row, case, today, actor)
        if exc is None:
            allowed.append(row.action)
        elif blocks(exc):
            blocked.append(blocked_item(row.action, exc))
    return allowed, blocked


def blocked_actions(case: Case, actor, today: date) -> list[dict]:
    """The actions the state allows for the actor's role but a guard blocks, with the reason."""
    return action_listing(case, actor, today)[1]


def _create_deadlines(case: Case, rules, today: date, version: str, cal=None):
    if not rules:
        return
    cal = cal or config.calendar()
    rows = []
    for rule in rules:
        due, provisional = due_date_provisional(cal, rule, today)
        rows.append(CaseDeadline(case=case, step=rule.step, rule_id=rule.rule_id, amount=rule.amount, unit=rule.unit,
                                 supervised=rule.supervised, starts_on=today, due=due, calendar_version=version,
                                 provisional=provisional))
    CaseDeadline.objects.bulk_create(rows)


def start_overall(case: Case, today: date, limit: int, version: str, rule_id="WF-总时限", cal=None):
    case.overall_started_on = today
    _create_deadlines(case, [DeadlineRule("overall", limit, "wd", rule_id)], today, version, cal)


def _meet(case: Case, steps, today: date, closing: bool):
    """Mark the named steps met; a closing action with ``*`` cancels whatever else is still running."""
    live = case.deadlines.filter(status__in=[CaseDeadline.Status.OPEN, CaseDeadline.Status.OVERDUE])
    names = [s for s in steps if s != "*"]
    if names:
        live.filter(step__in=names).update(status=CaseDeadline.Status.MET, met_on=today)
    if closing and "*" in steps:
        live.update(status=CaseDeadline.Status.CANCELLED, met_on=today)


def refresh_tasks(case: Case, today: date, deadlines: list | None = None):
    """Recompute the denormalized task columns (who acts next, by when) and the overdue flag.
    The next actor comes from the rows whose guards pass now (e.g. a sampled tekun case waits for
    the county's spot check, an unsampled one for the confirming group). ``deadlines``: all the
    case's deadlines when the caller has them already (read after this action's changes)."""
    live_status = (CaseDeadline.Status.OPEN, CaseDeadline.Status.OVERDUE)
    if deadlines is None:
        running = list(CaseDeadline.objects.filter(case_id=case.pk, status__in=live_status)
                       .order_by("due", "id").values_list("step", "due", "status"))
    else:
        running = [(d.step, d.due, d.status) for d in sorted(deadlines, key=lambda d: (d.due, d.id))
                   if d.status in live_status]
    case.overdue = any(status == CaseDeadline.Status.OVERDUE for _, _, status in running)
    live = [(step, due) for step, due, _ in running if step != "overall"]
    if case.state in CLOSED_STATES and not live:
        case.task_role, case.next_step, case.next_due, case.task_waiting = "", "", None, ""
        return
    settings = config.settings_from_snapshot(case.settings)
    rows, waiting = [], []
    for r in table_for(case.program, settings, case.kind):
        if case.state not in r.from_states or r.action in GENERIC:
            continue
        exc = guard_error(r, case, today)
        if exc is None:
            rows.append(r)
        elif blocks(exc):
            waiting.append((r, exc))
    # Who acts next: a role with an action it can take now; else (waiting, 等待) a role whose next
    # action a guard blocks, the reason kept for the task list.
    roles = set().union(*(r.roles for r in rows)) if rows else set().union(*(r.roles for r, _ in waiting))
    case.task_role = CASEWORKER if CASEWORKER in roles else (sorted(roles)[0] if roles else "")
    reason = next((exc.message for r, exc in waiting if case.task_role in r.roles), "")
    case.task_waiting = reason[:WAITING_MAX]
    case.next_step = live[0][0] if live else ""
    case.next_due = live[0][1] if live else None


def perform(*, actor, case_id, action: str, payload, now: datetime, version: int | None = None, handler=None):
    """Run ``action`` on the case: returns the case after the change. ``handler(ctx)`` writes the
    step's own records and fields inside the transaction."""
    cleaned = clean_payload(action, payload, today=local_today(now))
    with transaction.atomic():
        case = lock_case(actor, case_id)
        if version is not None and case.version != version:
            raise Conflict("case.changed", "案件已被他人处理，请刷新后重试", field="version")
        row = check_allowed(case, actor, action)
        ctx = ActionContext(actor=actor, action=action, payload=cleaned, now=now, case=case,
                            household=lazy_household(case), applicant=case.applicant, program=case.program)
        run_guards(row, ctx)
        before = {"state": case.state, "version": case.version}
        from_state = case.state
        if row.to_state:
            case.state = row.to_state
        ctx.event = CaseEvent.objects.create(
            case=case, at=now, action=action, actor=actor, actor_name=actor.username, role=actor.role,
            from_state=from_state, to_state=case.state, reason=_reason(action, cleaned),
            payload=cleaned.model_dump(mode="json"))
        taken = case.__dict__.get("_event_actions")
        if taken is not None:
            taken.add(action)
        if handler:
            handler(ctx)
        finish(case, row, ctx, before)
    return case


def finish(case: Case, row, ctx: ActionContext, before: dict):
    today = ctx.today
    case.__dict__.pop("_deadlines", None)  # a read copy (selectors.case_deadlines) is stale from here
    closing = case.state in CLOSED_STATES and row.to_state is not None
    cal, version = config.calendar_and_version()
    _meet(case, row.meets, today, closing)
    _create_deadlines(case, row.creates, today, version, cal)
    if row.starts_overall:
        settings = config.settings_from_snapshot(case.settings)
        start_overall(case, today, settings.overall_limit_wd, version, cal=cal)
    reopening = False
    if closing:
        case.is_open, case.closed_at = False, ctx.now
    elif row.to_state is not None and not case.is_open:  # ``object`` reopens a closed-ineligible case
        case.is_open, case.closed_at, reopening = True, None, True
    case.calendar_version = version
    case.deadline_moved_on = None  # the handler has acted since the schedule moved a due date
    case.version += 1
    # read once after this action's changes: for the task columns and for the response (case_deadlines)
    deadlines = case.__dict__["_deadlines"] = list(CaseDeadline.objects.filter(case_id=case.pk).order_by("id"))
    refresh_tasks(case, today, deadlines)
    _save(case, reopening)
    audit_record(actor=ctx.actor, action=f"case.{ctx.action}", subject_type="case", subject_id=case.pk,
                 region_code=case.region_id, before=before, after={"state": case.state, "version": case.version},
                 reason=ctx.event.reason, details={"payload_digest": digest(ctx.event.payload),
                                                   "from": before["state"], "to": case.state},
                 at=ctx.now)


def _save(case: Case, reopening: bool):
    """Save the case; only a reopening can meet the one-open-case-per-household constraint, so only
    it pays for a savepoint (every other action saves in the action's transaction directly)."""
    if not reopening:
        case.save()
        return
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # ``object`` reopening a case while another was opened for the household meanwhile.
        raise Conflict("case.already_open", "该家庭已有同一项目正在办理的申请", field="household") from None


def _reason(action: str, cleaned) -> str:
    """The reason kept on the event and the audit log: the chosen reason's label, then the text."""
    parts = []
    code = getattr(cleaned, "reason_code", "")
    if code:
        parts.append({"terminate": TERMINATE_REASONS, "extend": EXTEND_REASONS}.get(action, {}).get(code, code))
    reasons = getattr(cleaned, "reasons", None)
    if reasons:
        parts.append("；".join(reasons))
    for field in ("reason", "override_reason", "note"):
        value = getattr(cleaned, field, "")
        if value:
            parts.append(str(value))
            break
    text = "：".join(parts)
    # The audit log keeps at most 500 characters; the full text stays in the event's payload.
    return text if len(text) <= 500 else text[:499] + "…"

