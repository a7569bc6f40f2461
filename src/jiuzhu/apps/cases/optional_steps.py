"""The optional steps of the 社会救助年审 plan 三(2) (issue 20 §2–4): the 申请情况公示 published at
acceptance, the investigators of the household survey (驻村干部) and the 民主听证. Their rows and
guard names are in ``rules/workflow/optional.py``; the guards here register with the engine
(``CasesConfig.ready``)."""

from __future__ import annotations

from decimal import Decimal

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.rules.errors import Conflict, DomainError, ValidationFailed
from jiuzhu.rules.params.loader import load_policy
from jiuzhu.rules.procedure import application_notice_span, asset_warning_ratio, verification_warnings
from jiuzhu.rules.terms import terms_for

from . import config
from .guards import _latest, record_counts
from .models import Notice
from .registry import register_guard

APPLICATION_OBJECTION = "application_objection"
HEARING = "hearing"
CADRE_RULE = "入户调查须由至少2人进行，其中1人须为驻村干部（社会救助年审工作方案 三(2)三）"


# ---- 申请情况公示 (三(2)二) ----------------------------------------------------------------------

def publish_application_notice(ctx):
    """At acceptance: name, household size and program, no amount, from the next day (R-PUB-APP)."""
    case = ctx.case
    if not config.settings_from_snapshot(case.settings).application_notice:
        return None
    cfg = config.region_config(case.region_id)
    span = application_notice_span(load_policy(cfg.policy), config.calendar(), ctx.today)
    size = 1 if case.program == "tekun" else case.household.member_count
    return Notice.objects.create(case=case, kind=Notice.Kind.APPLICATION, program=case.program,
                                 region_id=case.region_id, name=case.applicant.name, household_size=size,
                                 amount=Decimal(0), objection_phone=cfg.objection_phone,
                                 starts_on=span.starts_on, ends_on=span.ends_on)


def _application_notice(ctx):
    return ctx.case.notices.filter(kind=Notice.Kind.APPLICATION, withdrawn=False).order_by("-id").first()


def application_notice_running(ctx):
    """Objections to the 申请情况公示 are taken while it runs (from acceptance to its last day)."""
    notice = _application_notice(ctx)
    if notice is None:
        raise Conflict("case.application_notice_missing", "本案件没有申请情况公示")
    if ctx.today > notice.ends_on:
        raise Conflict("case.application_notice_over", f"申请情况公示已于 {notice.ends_on.isoformat()} 期满，"
                                                       "不能再登记申请情况公示异议")


def application_notice_over(ctx):
    """Confirmation waits for the 申请情况公示 to end (公示期不少于5个工作日)."""
    notice = _application_notice(ctx)
    if notice is not None and ctx.today <= notice.ends_on:
        raise Conflict("case.application_notice_running",
                       f"申请情况公示期未满（自 {notice.starts_on.isoformat()} 公示至 {notice.ends_on.isoformat()}，"
                       "不少于5个工作日），期满后方可审核确认")


def record_application_objection(ctx):
    ctx.record(APPLICATION_OBJECTION, ctx.payload.model_dump(mode="json"))


# ---- 入户调查人员 (三(2)三) ----------------------------------------------------------------------

def survey_investigators(ctx):
    """At least 2 investigators, one of them a 驻村干部 named among them (checked when the survey is recorded)."""
    payload = ctx.payload
    if payload is None:  # listing allowed actions: decided when the form is submitted
        return
    if len(payload.investigators) < 2:
        raise ValidationFailed("case.investigators_too_few", f"{CADRE_RULE}：调查人员不足2人", field="investigators")
    if not payload.investigator_accounts:
        raise ValidationFailed("case.resident_cadre_missing",
                               f"{CADRE_RULE}：请在“调查人员中的工作人员账号”中填写参加调查的驻村干部的账号",
                               field="investigator_accounts")
    users = {u.username: u for u in User.objects.filter(username__in=payload.investigator_accounts, is_active=True)}
    for i, username in enumerate(payload.investigator_accounts):
        user = users.get(username)
        if user is None or not in_scope(user, ctx.case.region_id):
            raise ValidationFailed("case.investigator_unknown", f"账号“{username}”不存在或不负责本村(居)",
                                   field=f"investigator_accounts[{i}]")
    names = set(payload.investigators)
    cadres = [u for u in users.values() if u.resident_cadre]
    if not cadres:
        raise ValidationFailed("case.resident_cadre_missing", f"{CADRE_RULE}：所填账号中没有驻村干部",
                               field="investigator_accounts")
    if not any((u.display_name or u.username) in names or u.username in names for u in cadres):
        who = "、".join(u.display_name or u.username for u in cadres)
        raise ValidationFailed("case.resident_cadre_not_investigator",
                               f"{CADRE_RULE}：驻村干部 {who} 不在“调查人员”名单中", field="investigators")


def survey_cadres(ctx) -> list[str]:
    """The 驻村干部 among the survey's investigators, kept on the survey record."""
    accounts = getattr(ctx.payload, "investigator_accounts", None) or []
    return sorted(User.objects.filter(username__in=accounts, resident_cadre=True).values_list("username", flat=True))


# ---- 民主听证 (三(2)五) ---------------------------------------------------------------------------

def hearing_reasons(case, today) -> tuple[list[str], int]:
    """Why the case must be heard (核对预警, 申请情况公示异议) and the id of the newest record behind it."""
    reasons, last = [], 0
    verification = case.__dict__.get("_latest_records", {}).get("verification") \
        or case.records.filter(kind="verification").order_by("-id").first()
    if verification is not None:
        warnings = _warnings(case, verification.data, today)
        if warnings:
            reasons += [f"核对预警：{w.message}" for w in warnings]
            last = verification.pk
    if record_counts(case)[APPLICATION_OBJECTION]:
        objections = list(case.records.filter(kind=APPLICATION_OBJECTION).order_by("id"))
        reasons += [f"申请情况公示有异议：{o.data.get('content', '')[:60]}" for o in objections]
        last = max(last, objections[-1].pk)
    return reasons, last


def _warnings(case, data: dict, today):
    items = data.get("items", [])
    hh = case.household
    financial_items = [Decimal(str(i["amount"])) for i in items if i["item"] == "financial"]
    vehicles = [Decimal(str(i["amount"])) for i in items if i["item"] == "vehicle"]
    financial = sum(financial_items, Decimal(0)) if financial_items else hh.financial_assets
    if not vehicles and hh.vehicle_count:
        vehicles = [hh.max_vehicle_value]
    policy = load_policy(config.region_config(case.region_id).policy)
    try:
        terms = terms_for(policy, today, hh.area_type)
    except DomainError:  # no policy in force that day: the differences still warn
        return verification_warnings(conclusion=data.get("conclusion", ""), financial=Decimal(0), vehicle_values=[],
                                     size=1, terms=None, ratio=None)
    size = 1 if case.program == "tekun" else max(hh.member_count, 1)
    return verification_warnings(conclusion=data.get("conclusion", ""), financial=financial, vehicle_values=vehicles,
                                 size=size, terms=terms, ratio=asset_warning_ratio(policy, today))


def _held_after(ctx, last: int) -> bool:
    hearing = _latest(ctx, HEARING)
    return hearing is not None and hearing.pk > last


def hearing_required(ctx):
    reasons, last = hearing_reasons(ctx.case, ctx.today)
    if not reasons:
        raise Conflict("case.hearing_not_required", "核对无预警、申请情况公示无异议，无需组织民主听证")
    if _held_after(ctx, last):
        raise Conflict("case.hearing_recorded", "民主听证已录入")


def hearing_held(ctx):
    """对公示有异议或核对有预警人员，应组织开展民主听证 — before the initial review (and the confirmation)."""
    reasons, last = hearing_reasons(ctx.case, ctx.today)
    if reasons and not _held_after(ctx, last):
        raise Conflict("case.hearing_missing", "须先组织民主听证并录入听证记录（" + "；".join(reasons)[:300] + "）",
                       reasons=reasons)


def record_hearing(ctx):
    """The hearing record: the five steps, attendees and their signatures (the uploaded signed sheet)."""
    attachments = ctx.case.attachments.filter(kind="hearing_sheet")
    sheet_id = ctx.payload.signed_sheet
    sheet = attachments.filter(pk=sheet_id).first() if sheet_id else attachments.order_by("-id").first()
    if sheet is None:
        message = (f"附件 {sheet_id} 不是本案件的民主听证签字表" if sheet_id
                   else "请先上传参加人员签字的民主听证签字表（材料类别：民主听证签字表）")
        raise ValidationFailed("case.hearing_sheet_missing", message, field="signed_sheet")
    reasons, _ = hearing_reasons(ctx.case, ctx.today)
    data = ctx.payload.model_dump(mode="json")
    data.update(signed_sheet=sheet.pk, signed_sheet_name=sheet.filename, reasons=reasons)
    ctx.record(HEARING, data)


def register():
    for fn in (application_notice_running, application_notice_over, survey_investigators, hearing_required,
               hearing_held):
        register_guard(fn.__name__, fn)
