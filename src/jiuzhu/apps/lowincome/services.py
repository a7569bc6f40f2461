"""Recognition services (年审 plan 四(三)): start a recognition (application or active discovery), remove
(清退) a register entry with a reason, give the 年审 a recheck task per recognized household and decide it.
The case steps themselves run through the case engine (steps.py, rules/workflow/lowincome.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.engine import ActionContext, finish, run_guards
from jiuzhu.apps.cases.models import Case, CaseEvent
from jiuzhu.apps.cases.payloads import clean_payload
from jiuzhu.apps.cases.services import ROLE_CHANNELS
from jiuzhu.apps.monitoring.models import LowIncomeEntry
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry.models import Household, Person
from jiuzhu.apps.reviews.models import ReviewCampaign
from jiuzhu.apps.reviews.selectors import campaign_get
from jiuzhu.rules import lowincome as rules
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow.lowincome import LOWINC
from jiuzhu.rules.workflow.tables import transition

from .models import LowIncomeRecheck
from .steps import validity_months


def _id(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**63 else None


def lowincome_start(*, actor, household_id, applicant_id, source: str, source_note: str = "",
                    payload: dict | None = None, now: datetime) -> Case:
    """Start a recognition case (提交): by the household's application or by active discovery
    (``source`` in rules.lowincome.SOURCES; a discovery names what it came from in ``source_note``).
    Every problem of the form at once, each under its field; nothing is written on any."""
    problems: list[dict] = []
    if source not in rules.SOURCES:
        problems.append({"field": "source", "code": "lowinc.source",
                         "message": "认定来源无效，可选：" + "、".join(rules.SOURCES.values())})
    if len(source_note or "") > 200:
        problems.append({"field": "source_note", "code": "lowinc.source_note", "message": "来源说明不能超过200字"})
    if source not in ("application", "") and source in rules.SOURCES and not (source_note or "").strip():
        problems.append({"field": "source_note", "code": "lowinc.source_note",
                         "message": "主动发现或部门推送须填写来源说明（如原低保案件号、推送部门）"})
    cleaned = None
    try:
        cleaned = clean_payload("submit", payload or {})
    except ValidationFailed as exc:
        problems.extend(exc.details.get("errors") or [{"field": exc.details.get("field", ""), "message": exc.message}])
    hid = _id(household_id)
    household = Household.objects.filter(pk=hid).first() if hid else None
    if household is None or not in_scope(actor, household.region_id):
        raise NotFound("not_found", "家庭不存在或不在您的管辖范围内", field="household")
    aid = _id(applicant_id)
    applicant = Person.objects.filter(pk=aid).first() if aid else None
    if applicant is None:
        problems.append({"field": "applicant", "code": "case.applicant", "message": "申请人不存在"})
    cfg = config.region_config(household.region_id)
    row = transition(LOWINC, cfg.settings, None, "submit")
    if row is None or getattr(actor, "role", None) not in row.roles:
        raise Forbidden("case.role", "您的角色不能提交低收入家庭认定")
    if problems:
        first = problems[0]
        raise ValidationFailed(first.get("code") or "payload.invalid", first["message"], field=first["field"],
                               errors=problems)
    if cleaned is None or applicant is None:  # (each is one of the problems above)
        raise ValidationFailed("payload.invalid", "申请内容无效", field="payload")
    intake = cleaned.model_dump(mode="json")
    channel = sorted(ROLE_CHANNELS[actor.role])[-1]  # window for the township, village for the assistant
    ctx = ActionContext(actor=actor, action="submit", payload=cleaned, now=now, household=household,
                        applicant=applicant, program=LOWINC)
    try:
        with transaction.atomic():
            Household.objects.select_for_update().filter(pk=household.pk).first()
            run_guards(row, ctx)
            case = Case.objects.create(
                program=LOWINC, household=household, applicant=applicant, region_id=household.region_id,
                channel=channel, state="submitted", settings=config.settings_snapshot(cfg.settings),
                relative_flag=bool(intake.get("has_relatives")), submitted_at=now, created_by=actor)
            ctx.case = case
            ctx.event = CaseEvent.objects.create(case=case, at=now, action="submit", actor=actor,
                                                 actor_name=actor.username, role=actor.role, to_state="submitted",
                                                 payload=intake,
                                                 reason=rules.SOURCES[source])
            ctx.record("intake", {**intake, "channel": channel, "source": source,
                                  "source_note": (source_note or "").strip()})
            finish(case, row, ctx, {"state": None, "version": 0})
    except IntegrityError:
        raise Conflict("case.already_open", "该家庭已有正在办理的低收入家庭认定", field="household") from None
    return case


def _lock_entry(actor, entry_id) -> LowIncomeEntry:
    eid = _id(entry_id)
    entry = LowIncomeEntry.objects.select_for_update().filter(pk=eid).first() if eid else None
    if entry is None or not in_scope(actor, entry.region_id):
        raise NotFound("not_found", "登记不存在或不在您的管辖范围内")
    return entry


def _remove(entry: LowIncomeEntry, actor, reason: str, note: str, now: datetime) -> None:
    today = timezone.localtime(now).date()
    before = {"valid_until": entry.valid_until.isoformat() if entry.valid_until else None}
    entry.removed_on, entry.valid_until = today, today - timedelta(days=1)
    entry.removal_reason = (rules.REMOVAL_REASONS[reason] + (f"：{note}" if note else ""))[:300]
    entry.save(update_fields=["removed_on", "valid_until", "removal_reason"])
    audit_record(actor=actor, action="lowincome.remove", subject_type="lowincome_entry", subject_id=entry.pk,
                 region_code=entry.region_id, before=before,
                 after={"removed_on": today.isoformat(), "reason": reason}, reason=entry.removal_reason, at=now)


def _removal_input(reason: str, note: str) -> list[dict]:
    problems = []
    if reason not in rules.REMOVAL_REASONS:
        problems.append({"field": "reason", "message": "请选择清退原因：" + "、".join(rules.REMOVAL_REASONS.values())})
    if reason == "other" and not (note or "").strip():
        problems.append({"field": "note", "message": "清退原因为“其他原因”时须填写说明"})
    if len(note or "") > 200:
        problems.append({"field": "note", "message": "说明不能超过200字"})
    return problems


def lowincome_remove(*, actor, entry_id, reason: str, note: str = "", now: datetime) -> LowIncomeEntry:
    """清退: the entry leaves the 台账 from today, with the reason (年审 plan 四(三)3 "动态新增和清退")."""
    if not can(actor, "lowincome.register"):
        raise Forbidden("lowinc.role", "您的角色不能清退低收入家庭")
    problems = _removal_input(reason, note)
    if problems:
        raise ValidationFailed("lowinc.removal", problems[0]["message"], field=problems[0]["field"], errors=problems)
    with transaction.atomic():
        entry = _lock_entry(actor, entry_id)
        if entry.removed_on is not None:
            raise Conflict("lowinc.already_removed", f"该家庭已于 {entry.removed_on} 清退")
        _remove(entry, actor, reason, (note or "").strip(), now)
    return entry


def lowincome_review_tasks(*, actor, campaign_id, now: datetime) -> int:
    """年审 (五(一)1 "对已认定的低收入和支出型贫困家庭…全面入户调查"): one recheck task per register entry of
    the campaign's region still valid today and not yet given one in this campaign. Returns how many."""
    if not can(actor, "review.schedule"):
        raise Forbidden("lowinc.role", "您的角色不能安排年审复核")
    campaign = campaign_get(actor=actor, campaign_id=campaign_id)  # a township: its part of the county's
    if campaign.status != ReviewCampaign.Status.RUNNING:
        raise Conflict("review.closed", "年审已结束，不能再生成复核任务")
    today = timezone.localtime(now).date()
    low, high = subtree_range(campaign.region_id)
    candidates = (LowIncomeEntry.objects.filter(region_id__gte=low, region_id__lte=high, removed_on__isnull=True,
                                             category__in=("edge", "rigid_expenditure"), recognized_on__lte=today)
               .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
               .exclude(pk__in=LowIncomeRecheck.objects.filter(campaign=campaign).values("entry_id")))
    entries = [e for e in candidates.order_by("id") if in_scope(actor, e.region_id)]
    LowIncomeRecheck.objects.bulk_create([
        LowIncomeRecheck(entry=e, campaign=campaign, region_id=e.region_id, due=campaign.due, created_at=now)
        for e in entries])
    audit_record(actor=actor, action="lowincome.review_tasks", subject_type="review_campaign", subject_id=campaign.pk,
                 region_code=campaign.region_id, details={"created": len(entries)}, at=now)
    return len(entries)


def lowincome_recheck_decide(*, actor, recheck_id, outcome: str, reason: str = "", note: str = "",
                             now: datetime) -> LowIncomeRecheck:
    """The 年审 recheck's decision: keep (the recognition runs on for a new validity period from today) or
    remove (清退, with the reason)."""
    if not can(actor, "review.schedule"):
        raise Forbidden("lowinc.role", "您的角色不能作出年审复核结论")
    problems = []
    if outcome not in rules.RECHECK_OUTCOMES:
        problems.append({"field": "outcome", "message": "请选择复核结论：继续认定或清退"})
    elif outcome == "remove":
        problems += _removal_input(reason, note)
    elif len(note or "") > 200:
        problems.append({"field": "note", "message": "说明不能超过200字"})
    if problems:
        raise ValidationFailed("lowinc.recheck", problems[0]["message"], field=problems[0]["field"], errors=problems)
    today = timezone.localtime(now).date()
    with transaction.atomic():
        rid = _id(recheck_id)
        task = LowIncomeRecheck.objects.select_for_update().filter(pk=rid).first() if rid else None
        if task is None or not in_scope(actor, task.region_id):
            raise NotFound("not_found", "复核任务不存在或不在您的管辖范围内")
        if task.status != LowIncomeRecheck.Status.OPEN:
            raise Conflict("lowinc.recheck_done", "该复核任务已作出结论")
        entry = _lock_entry(actor, task.entry_id)
        if outcome == "remove":
            if entry.removed_on is None:
                _remove(entry, actor, reason, (note or "").strip(), now)
        else:
            if entry.removed_on is not None:
                raise Conflict("lowinc.already_removed", f"该家庭已于 {entry.removed_on} 清退，不能继续认定",
                               field="outcome")
            months, _ = validity_months(entry.region_id, entry.category, today)
            entry.valid_until = max(entry.valid_until or today, rules.valid_until(today, months))
            entry.save(update_fields=["valid_until"])
        task.status, task.outcome, task.decided_on, task.decided_by = "done", outcome, today, actor
        task.note = (note or "").strip()[:500]
        task.save()
        audit_record(actor=actor, action="lowincome.recheck", subject_type="lowincome_entry", subject_id=entry.pk,
                     region_code=entry.region_id, after={"outcome": outcome, "campaign": task.campaign_id,
                                                         "valid_until": str(entry.valid_until)}, at=now)
    return task
