"""Case services: one per action (workflow.md). Each validates its payload, then runs through
``engine.perform`` (lock, table, guards, records, deadlines, audit) in one transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction

from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry.minimal import refuse_minimal
from jiuzhu.apps.registry.models import Household, Person
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow.deadlines import due_date_provisional
from jiuzhu.rules.workflow.model import DeadlineRule
from jiuzhu.rules.workflow.programs import program_spec, programs
from jiuzhu.rules.workflow.recheck import RECHECK_EXTENSION_DAYS
from jiuzhu.rules.workflow.tables import NOTICE_DAYS, transition

from . import config, optional_steps, registry
from .engine import ActionContext, finish, perform, run_guards
from .models import Case, CaseDeadline, CaseEvent, Channel, Notice
from .notices import withdraw_running_notices
from .payloads import clean_payload

ROLE_CHANNELS = {"village_assistant": {Channel.VILLAGE}, "township_caseworker": {Channel.WINDOW, Channel.VILLAGE}}


def case_submit(*, actor, program: str, household_id, applicant_id, channel: str, payload: dict | None,
                now: datetime) -> Case:
    """Start a case (submit): 一证一书, economic information form, near-relative declaration (R-WF-3)."""
    # Every problem of the form at once (each under its field): program, the 一证一书 payload, applicant, channel.
    program_submit = registry.program_submit(program)
    if program_submit is not None:  # a program that opens its cases itself (e.g. temporary assistance)
        return program_submit(actor=actor, household_id=household_id, applicant_id=applicant_id, channel=channel,
                              payload=payload, now=now)
    problems: list[dict] = []
    if program_spec(program) is None:
        choices = "、".join(f"{key}({spec.label})" for key, spec in programs().items())
        problems.append({"field": "program", "code": "case.program", "message": f"救助项目只能是 {choices}"})
    cleaned = None
    try:
        cleaned = clean_payload("submit", payload)
    except ValidationFailed as exc:
        problems.extend(exc.details.get("errors") or [{"field": exc.details.get("field", ""), "message": exc.message}])
    household = Household.objects.filter(pk=household_id).first() if str(household_id).isdigit() else None
    # 人户分离 (综合改革 plan 二(四)): the exception is filed with the township where the applicant lives.
    # (read from the raw form when it did not clean, so its errors reach the township where they live)
    asked = cleaned.residence_application if cleaned is not None else \
        str((payload or {}).get("residence_application", "")).lower() in ("true", "1", "on")
    residence = program == "dibao" and asked
    region_id = household.residence_region_id if household is not None and residence else getattr(household, "region_id", "")
    if household is None or not (in_scope(actor, household.region_id) or in_scope(actor, region_id)):
        raise NotFound("not_found", "家庭不存在或不在您的管辖范围内", field="household")
    refuse_minimal(household, "application", "household")  # an application needs a registered household
    applicant = Person.objects.filter(pk=applicant_id).first() if str(applicant_id).isdigit() else None
    if applicant is None:
        problems.append({"field": "applicant", "code": "case.applicant", "message": "申请人不存在"})
    cfg = config.region_config(region_id)
    row = transition(program if program_spec(program) else "dibao", cfg.settings, None, "submit")
    if getattr(actor, "role", None) not in row.roles:
        raise Forbidden("case.role", "您的角色不能提交申请")
    if channel not in ROLE_CHANNELS.get(actor.role, set()):
        allowed = "、".join(sorted(Channel(c).label for c in ROLE_CHANNELS.get(actor.role, set())))
        problems.append({"field": "channel", "code": "case.channel", "message": f"申请渠道无效，您可选择：{allowed}"})
    if problems:
        first = problems[0]
        raise ValidationFailed(first.get("code") or "payload.invalid", first["message"], field=first["field"],
                               errors=problems)
    if cleaned is None:  # (a payload that did not clean is one of the problems above)
        raise ValidationFailed("payload.invalid", "申请内容无效", field="payload")
    ctx = ActionContext(actor=actor, action="submit", payload=cleaned, now=now, household=household,
                        applicant=applicant, program=program)
    try:
        with transaction.atomic():
            Household.objects.select_for_update().filter(pk=household.pk).first()
            run_guards(row, ctx)
            case = Case.objects.create(
                program=program, household=household, applicant=applicant, region_id=region_id,
                channel=channel, state="submitted", settings=config.settings_snapshot(cfg.settings),
                relative_flag=cleaned.has_relatives, submitted_at=now, created_by=actor,
                relative_note="；".join(f"{r.member}与{r.staff_name}({r.staff_position})系{r.relation}"
                                       for r in cleaned.relatives)[:200])
            ctx.case = case
            ctx.event = CaseEvent.objects.create(case=case, at=now, action="submit", actor=actor,
                                                 actor_name=actor.username, role=actor.role, to_state="submitted",
                                                 payload=cleaned.model_dump(mode="json"))
            ctx.record("intake", {**cleaned.model_dump(mode="json"), "channel": channel})
            finish(case, row, ctx, {"state": None, "version": 0})
    except IntegrityError:
        raise Conflict("case.already_open", "该家庭已有同一项目正在办理的申请", field="household") from None
    return case


def _act(action, handler=None):
    def service(*, actor, case_id, payload: dict | None = None, now: datetime, version: int | None = None) -> Case:
        return perform(actor=actor, case_id=case_id, action=action, payload=payload, now=now, version=version,
                       handler=handler)
    service.__name__ = f"case_{action}"
    service.__doc__ = f"Case action ``{action}`` (workflow.md)."
    return service


def _keep(kind):
    def handler(ctx):
        ctx.record(kind, ctx.payload.model_dump(mode="json"))
    return handler


def _survey(ctx):
    photos = set(ctx.payload.photos)
    if photos:
        known = set(ctx.case.attachments.filter(pk__in=photos, kind="photo").values_list("pk", flat=True))
        missing = sorted(photos - known)
        if missing:
            raise ValidationFailed("case.photo_unknown", f"照片 {missing[0]} 不属于本案件", field="photos")
    if ctx.case.program == "tekun" and ctx.payload.adl_failed is None:
        raise ValidationFailed("case.adl_required", "特困供养须录入生活自理能力评估（6 项中未达项数）",
                               field="adl_failed")
    if ctx.case.program == "tekun" and ctx.payload.obligors_able is None:
        raise ValidationFailed("case.obligors_required", "特困供养须录入义务人赡(抚、扶)养能力", field="obligors_able")
    data = ctx.payload.model_dump(mode="json")
    if ctx.payload.investigator_accounts:  # 年审 plan 三(2)三: who of them is a 驻村干部
        data["resident_cadres"] = optional_steps.survey_cadres(ctx)
    ctx.record("survey", data)


def _publish(ctx):
    case = ctx.case
    cfg = config.region_config(case.region_id)
    size = 1 if case.program == "tekun" else case.household.member_count
    Notice.objects.create(case=case, kind=Notice.Kind.INITIAL, program=case.program, region_id=case.region_id,
                          name=case.applicant.name, household_size=size, amount=case.decided_amount or Decimal(0),
                          objection_phone=cfg.objection_phone, starts_on=ctx.today,
                          ends_on=ctx.today + timedelta(days=NOTICE_DAYS))


def _withdraw_initial_notices(ctx):
    withdraw_running_notices(ctx.case)


def _objection_handled(kind):
    def handler(ctx):
        if ctx.case.kind == Case.Kind.RECHECK and getattr(ctx.payload, "conclusion", None) is None:
            # R-TK-16: the investigation of an objection to a termination decides it.
            raise ValidationFailed("case.conclusion_required", "请填写异议处理结论（异议成立或不成立）",
                                   field="conclusion")
        ctx.record(kind, ctx.payload.model_dump(mode="json"))
        withdraw_running_notices(ctx.case, keep_application=True)  # a fresh review and notice follow (WF-8, R-TK-16)
    return handler


def _to_confirmation(ctx):
    """Both ways into 待审核确认 (after the notice, or a forwarded denial) join the spot-check pool."""
    if ctx.case.program == "tekun":
        _sample_spot_check(ctx.case)


def _sample_spot_check(case):
    """County spot-checks at least 30 % of tekun cases (R-TK-10 practice, S4 art.26): sample this
    case whenever the county's sampled share would otherwise fall below 30 %."""
    low, high = subtree_range(case.region_id[:6].ljust(12, "0"))
    pool = Case.objects.filter(program="tekun", region_id__gte=low, region_id__lte=high,
                               state__in=["awaiting_confirmation", "approved", "rejected"]).exclude(pk=case.pk)
    total, sampled = pool.count() + 1, pool.filter(spot_check_sampled=True).count()
    case.spot_check_sampled = sampled * 10 < total * 3


def _closing(kind):
    def handler(ctx):
        ctx.record(kind, ctx.payload.model_dump(mode="json"))
        _withdraw_initial_notices(ctx)
    return handler


def _file(ctx):
    ctx.case.filed = True


def _extend(ctx):
    case = ctx.case
    if case.kind == Case.Kind.RECHECK:
        return _extend_recheck(ctx)
    settings = config.settings_from_snapshot(case.settings)
    overall = case.deadlines.filter(step="overall").exclude(status="cancelled").order_by("-id").first()
    rule = DeadlineRule("overall", settings.overall_limit_extended_wd, "wd", "WF-总时限(延长)")
    overall.due, overall.provisional = due_date_provisional(config.calendar(), rule, overall.starts_on)
    overall.amount = rule.amount
    overall.calendar_version = config.calendar_version()
    if overall.status == CaseDeadline.Status.OVERDUE and overall.due >= ctx.today:
        overall.status = CaseDeadline.Status.OPEN
    overall.save()
    case.extended = True
    ctx.record("extension", ctx.payload.model_dump(mode="json"))


def _extend_recheck(ctx):
    """A recheck's deadline moves once by 30 days, e.g. during a major emergency (R-DM-02)."""
    case = ctx.case
    deadline = case.deadlines.filter(step="recheck").exclude(status="cancelled").order_by("-id").first()
    if deadline is not None:
        deadline.due += timedelta(days=RECHECK_EXTENSION_DAYS)
        deadline.amount = min(deadline.amount + RECHECK_EXTENSION_DAYS, 32767)
        if deadline.status == CaseDeadline.Status.OVERDUE and deadline.due >= ctx.today:
            deadline.status = CaseDeadline.Status.OPEN
        deadline.save()
    case.extended = True
    ctx.record("extension", ctx.payload.model_dump(mode="json"))


case_record_id_authorization = _act("record_id_authorization", _keep("id_authorization"))
case_request_verification = _act("request_verification", _keep("verification_request"))
def _verification(ctx):
    """The 核对 report; its obligors must be the household's registered obligors (R-HH-10)."""
    known = set(ctx.household.obligors.values_list("pk", flat=True))
    for i, o in enumerate(ctx.payload.obligors):
        if o.obligor not in known:
            raise ValidationFailed("case.obligor_unknown", f"义务人 {o.obligor} 不是本家庭登记的赡(抚、扶)养义务人",
                                   field=f"obligors[{i}].obligor")
    ctx.record("verification", ctx.payload.model_dump(mode="json"))


case_record_verification = _act("record_verification", _verification)
case_notify_ineligible = _act("notify_ineligible", _keep("ineligible_notice"))
case_object = _act("object", _keep("verification_objection"))
case_request_materials = _act("request_materials", _keep("materials_request"))
def _accept(ctx):
    ctx.record("acceptance", ctx.payload.model_dump(mode="json"))
    optional_steps.publish_application_notice(ctx)  # 申请情况公示 where the region has it (年审 plan 三(2)二)


case_accept = _act("accept", _accept)
case_refuse_acceptance = _act("refuse_acceptance", _keep("non_acceptance"))
case_record_survey = _act("record_survey", _survey)
case_initial_review = _act("initial_review", registry.handler("initial_review"))  # programs.review
case_publish_notice = _act("publish_notice", _publish)
case_forward_denial = _act("forward_denial", _to_confirmation)
case_record_objection = _act("record_objection", _keep("objection"))
case_hold_appraisal = _act("hold_appraisal", _objection_handled("appraisal"))
case_reinvestigate = _act("reinvestigate", _objection_handled("reinvestigation"))
case_close_notice = _act("close_notice", _to_confirmation)
case_record_spot_check = _act("record_spot_check", _keep("spot_check"))
case_confirm = _act("confirm", registry.handler("confirm"))  # programs.review
case_reject = _act("reject", _keep("rejection"))
case_deliver_denial = _act("deliver_denial", _keep("denial_delivery"))
case_file_record = _act("file_record", _file)
case_withdraw = _act("withdraw", _closing("withdrawal"))
case_terminate = _act("terminate", _closing("termination"))
case_extend = _act("extend", _extend)
# Recheck actions (rules/workflow/recheck.py): their steps change the enrollment (programs.recheck).
case_recheck_review = _act("recheck_review", registry.handler("recheck_review"))
case_decide = _act("decide", registry.handler("decide"))
case_cancel = _act("cancel", registry.handler("cancel"))
# Optional steps of the 年审 plan 三(2) (rules/workflow/optional.py).
case_record_application_objection = _act("record_application_objection", optional_steps.record_application_objection)
case_hold_hearing = _act("hold_hearing", optional_steps.record_hearing)
case_start_termination_notice = _act("start_termination_notice", registry.handler("start_termination_notice"))

SERVICES = {name[len("case_"):]: fn for name, fn in globals().items()
            if name.startswith("case_") and callable(fn) and name != "case_submit"}


def case_act(*, actor, case_id, action: str, payload: dict | None = None, now: datetime,
             version: int | None = None) -> Case:
    """Dispatch to the action's service (the API and UI call this with the action from the URL)."""
    service = SERVICES.get(action)
    if service is None and registry.action_handler(action) is not None:  # a program's own action
        return perform(actor=actor, case_id=case_id, action=action, payload=payload, now=now, version=version,
                       handler=registry.action_handler(action))
    if service is None:
        raise NotFound("case.unknown_action", f"未知操作：{action}", field="action")
    return service(actor=actor, case_id=case_id, payload=payload, now=now, version=version)


def first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


__all__ = ["case_submit", "case_act", "SERVICES", "first_of_next_month"]
