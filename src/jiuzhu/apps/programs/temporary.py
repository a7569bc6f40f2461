"""临时救助 on the case engine (issue 14 §1): guards and handlers of the actions in
rules/workflow/temporary.py, registered by ``ProgramsConfig.ready`` through ``register``.

Limits come from the region's dated parameters (rules/temporary.py): the township limit
(``temporary.township_limit_multiple``, R-TA-03), the county cap (``temporary.cap_multiple.*``,
R-TA-05; above it 一事一议) and the income line of 支出型 (R-TA-02).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from jiuzhu.apps.cases import config, registry
from jiuzhu.apps.cases.guards import record_counts
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.payments.claims import case_claim
from jiuzhu.apps.reserve.services import reserve_draw
from jiuzhu.rules.errors import Conflict, Forbidden
from jiuzhu.rules.explain import Trace, yuan
from jiuzhu.rules.params.loader import load_policy
from jiuzhu.rules.temporary import approval_level, county_cap, expenditure_income_reason, township_limit
from jiuzhu.rules.terms import terms_for

from . import temporary_documents
from . import temporary_payloads as p
from .temporary_followup import close_payments
from .temporary_submit import temporary_submit

DUPLICATE_WINDOW_DAYS = 30  # default of ``temporary.duplicate_window_days`` (the same emergency twice)
STEP_RECORDS = {"ta_verification": "核对", "ta_survey": "入户调查", "ta_notice": "公示(或免于公示登记)"}


def _terms(case, today):
    policy = load_policy(config.region_config(case.region_id).policy)
    return policy, terms_for(policy, today, case.household.area_type)


def limits(case, today) -> dict:
    """The township limit and county cap for this case (yuan) and the parameters they come from."""
    _, terms = _terms(case, today)
    size = case.household.member_count or 1
    return {"township": township_limit(terms, size), "county": county_cap(terms, size, case.kind), "size": size,
            "standard": terms.standard, "multiple": terms.township_limit_multiple}


def _latest(case, kind):
    return case.records.filter(kind=kind).order_by("-id").first()


# Guards (named in rules/workflow/temporary.py) ---------------------------------------------------------

def ta_not_duplicate(ctx):
    """The same emergency recorded twice for one person within the region's window → a warning linking
    the earlier case; ``confirm_duplicate`` records it anyway."""
    if ctx.case is not None or ctx.payload is None or ctx.payload.confirm_duplicate:
        return
    window = DUPLICATE_WINDOW_DAYS
    policy = load_policy(config.region_config(ctx.payload.place_region).policy)
    if "temporary.duplicate_window_days" in policy.params:
        window = int(policy.lookup("temporary.duplicate_window_days", ctx.today))
    earlier = (Case.objects.filter(program="temporary", kind="emergency", applicant_id=ctx.applicant.pk,
                                   submitted_at__date__gte=ctx.today - timedelta(days=window))
               .exclude(state="withdrawn").order_by("-id").first())
    if earlier is not None:
        raise Conflict("ta.duplicate_emergency",
                       f"{ctx.applicant.name}已于 {earlier.submitted_at:%Y-%m-%d} 登记急难型临时救助（案件 {earlier.number}），"
                       f"{window} 日内同一人再次登记可能重复；如确为新的急难情形，请勾选“确认再次登记同一急难事件”",
                       field="confirm_duplicate", earlier_case=str(earlier.pk), earlier_number=earlier.number,
                       link=f"/cases/{earlier.pk}/", window_days=window)


def ta_within_township_limit(ctx):
    """R-TA-03: the township pays or approves only up to its limit; above it → 403 naming the limit."""
    amount = getattr(ctx.payload, "amount", None)
    if amount is None:
        return
    lim = limits(ctx.case, ctx.today)
    if amount > lim["township"]:
        raise Forbidden("ta.over_township_limit",
                        f"救助金额 {yuan(amount)} 超过乡镇审批额度 {yuan(lim['township'])}（{lim['multiple']} × 低保标准 "
                        f"{yuan(lim['standard'])} × {lim['size']} 人，R-TA-03），请报县级审批",
                        field="amount", limit=str(lim["township"]))


def ta_within_county_cap(ctx):
    """R-TA-05: above the county cap the case goes to 一事一议."""
    amount = getattr(ctx.payload, "amount", None)
    if amount is None:
        return
    lim = limits(ctx.case, ctx.today)
    if amount > lim["county"]:
        raise Conflict("ta.over_county_cap", f"救助金额 {yuan(amount)} 超过县级审批上限 {yuan(lim['county'])}（R-TA-05），"
                                             "须提交一事一议", field="amount", cap=str(lim["county"]))


def ta_steps_done(ctx):
    missing = [label for kind, label in STEP_RECORDS.items() if not record_counts(ctx.case)[kind]]
    if missing:
        raise Conflict("ta.steps_missing", f"尚未完成：{'、'.join(missing)}", missing=missing)


def ta_income_test(ctx):
    """R-TA-02: a 支出型 household's per-capita income below the line, its assets within the rules."""
    if ctx.case.kind != "expenditure":
        return
    found = _latest(ctx.case, "ta_verification")
    if found is None:
        return  # ta_steps_done says what is missing
    if not found.data.get("assets_within_limits"):
        raise Conflict("ta.assets", "核对结果：家庭财产不符合本地区规定，不能给予支出型临时救助（R-TA-02）")
    _, terms = _terms(ctx.case, ctx.today)
    trace = Trace()
    reason = expenditure_income_reason(Decimal(found.data["income_per_capita"]), terms, trace)
    if reason:
        raise Conflict("ta.income_above_line", f"不符合支出型临时救助收入条件：{trace.steps()[-1].step}（R-TA-02）",
                       reason=reason)


def _missing(kind, code, label):
    def guard(ctx):
        if record_counts(ctx.case)[kind]:
            raise Conflict(code, f"已{label}")
    return guard


def _stages(case) -> list[Decimal]:
    decision = _latest(case, "ta_decision")
    return [Decimal(s) for s in (decision.data.get("stages") or [])] if decision else []


def ta_stage_due(ctx):
    if record_counts(ctx.case)["ta_payment"] >= len(_stages(ctx.case)):
        raise Conflict("ta.all_stages_paid", "各阶段救助均已发放")


def ta_all_paid(ctx):
    left = len(_stages(ctx.case)) - record_counts(ctx.case)["ta_payment"]
    if left > 0:
        raise Conflict("ta.stages_unpaid", f"还有 {left} 期救助未发放（一次审批、分阶段救助）")


GUARDS = {
    "ta_not_duplicate": ta_not_duplicate, "ta_within_township_limit": ta_within_township_limit,
    "ta_within_county_cap": ta_within_county_cap, "ta_steps_done": ta_steps_done, "ta_income_test": ta_income_test,
    "ta_verification_missing": _missing("ta_verification", "ta.verification_recorded", "录入核对结果"),
    "ta_survey_missing": _missing("ta_survey", "ta.survey_recorded", "录入入户调查"),
    "ta_notice_missing": _missing("ta_notice", "ta.notice_recorded", "公示或登记免于公示"),
    "ta_stage_due": ta_stage_due, "ta_all_paid": ta_all_paid,
}
NOT_APPLICABLE = ("ta.verification_recorded", "ta.survey_recorded", "ta.notice_recorded", "ta.all_stages_paid")


# Handlers ----------------------------------------------------------------------------------------------

def _keep(kind):
    def handler(ctx):
        ctx.record(kind, ctx.payload.model_dump(mode="json"))
    handler.__name__ = f"keep_{kind}"
    return handler


def _claim(ctx, reference: str, amount: Decimal, paid_on) -> None:
    """The payment's claim (payments.claims): once per case and reference whatever the channel; a bank
    payment becomes a line of the region's next payroll batch (its bank file), the others are paid now."""
    channel = "reserve" if ctx.payload.from_reserve else ctx.payload.modality
    case_claim(actor=ctx.actor, case=ctx.case, reference=reference, channel=channel, amount=amount,
               paid_on=paid_on, now=ctx.now, field="from_reserve" if ctx.payload.from_reserve else "modality")


def _advance(ctx):
    ctx.record("ta_advance", ctx.payload.model_dump(mode="json"))
    _claim(ctx, "advance", ctx.payload.amount, ctx.today)
    if ctx.payload.from_reserve:  # R-TA-07: paid the same day from the township's 备用金
        reserve_draw(actor=ctx.actor, case=ctx.case, amount=ctx.payload.amount, reference="advance", now=ctx.now,
                     note=ctx.payload.reason[:200])
    ctx.case.decided_amount = ctx.payload.amount


def _decision(ctx):
    data = ctx.payload.model_dump(mode="json")
    lim = limits(ctx.case, ctx.today)
    amount = ctx.payload.amount
    stages = ctx.payload.stages or ([amount] if amount > 0 else [])
    data.update(stages=[str(s) for s in stages], level=approval_level(amount, lim["township"], lim["county"]),
                township_limit=str(lim["township"]), county_cap=str(lim["county"]))
    ctx.record("ta_decision", data)
    ctx.case.decided_amount = amount
    ctx.case.decided_status = "granted"


def _pay(ctx):
    stages = _stages(ctx.case)
    index = record_counts(ctx.case)["ta_payment"]
    ctx.record("ta_payment", {**ctx.payload.model_dump(mode="json"), "stage": index + 1, "of": len(stages),
                              "amount": str(stages[index])})
    _claim(ctx, f"stage-{index + 1}", stages[index], ctx.payload.paid_on)
    if ctx.payload.from_reserve:
        reserve_draw(actor=ctx.actor, case=ctx.case, amount=stages[index], reference=f"stage-{index + 1}",
                     now=ctx.now)


def _reject(ctx):
    ctx.record("ta_rejection", ctx.payload.model_dump(mode="json"))
    ctx.case.decided_status = "denied"


ACTIONS = {
    "ta_pay_advance": (_advance, p.AdvancePayload),
    "ta_complete_follow_up": (_keep("ta_follow_up"), p.TaNotePayload),
    "ta_accept": (_keep("acceptance"), p.TaNotePayload),
    "ta_record_verification": (_keep("ta_verification"), p.TaVerificationPayload),
    "ta_record_survey": (_keep("ta_survey"), p.TaSurveyPayload),
    "ta_publish_notice": (_keep("ta_notice"), p.TaNoticePayload),
    "ta_approve": (_decision, p.DecisionPayload),
    "ta_refer_county": (_keep("ta_county_request"), p.ReferCountyPayload),
    "ta_county_approve": (_decision, p.DecisionPayload),
    "ta_refer_council": (_keep("ta_council_request"), p.TaNotePayload),
    "ta_council_approve": (_decision, p.CouncilPayload),
    "ta_reject": (_reject, p.TaReasonPayload),
    "ta_pay": (_pay, p.PayPayload),
    "ta_close_payments": (close_payments, p.TaNotePayload),
}


def register():
    """Temporary assistance's part of the case engine (its table is in rules/workflow/temporary.py)."""
    for action, (handler, payload) in ACTIONS.items():
        registry.register_action(action, handler, payload)
    for name, fn in GUARDS.items():
        registry.register_guard(name, fn)
    registry.register_not_applicable(*NOT_APPLICABLE)
    registry.register_submit("temporary", temporary_submit)
    registry.register_program_documents("temporary", kinds=tuple(temporary_documents.BUILDERS),
                                        build=temporary_documents.build, waiting=temporary_documents.WAITING)
    registry.register_permissions("temporary", submit="temporary.record", reserve_allocate="reserve.allocate")
