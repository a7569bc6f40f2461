"""Recheck (复核) actions: the township's opinion from the rules engine, and the decision that
changes the enrollment from next month (R-DM-02/03/04). The shared steps (request and record the
verification, record the survey, extend) use the application services; see cases/scheduling.py for how
a recheck starts and rules/workflow/recheck.py for its table."""

from __future__ import annotations

from decimal import Decimal

from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.notices import withdraw_running_notices
from jiuzhu.apps.enrollment import terms
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.services import change_apply, recheck_continue
from jiuzhu.apps.enrollment.standard import region_evaluate
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.workflow.enrollment import (
    LEGAL_GROUNDS,
    add_months,
    first_of_next_month,
)
from jiuzhu.rules.workflow.states import RECHECK_OUTCOMES

from . import termination
from .proposal import propose

CONTINUE_GROUND = "《最低生活保障审核确认办法》第三十一条（家庭经济状况无明显变化的，不调整保障金）"
ZERO = Decimal("0.00")


def _suggest(case, enrollment, result) -> tuple[str, Decimal, str]:
    """(outcome, amount, class) the rules engine suggests for this enrollment."""
    if result["status"] != case.program:
        return "stop", ZERO, ""
    amount = Decimal(result["monthly_amount"])
    klass = (result.get("class") or "") if case.program == "dibao" else ""
    same = amount == enrollment.amount and (case.program == "tekun" or klass == enrollment.klass)
    return ("continue" if same else "adjust"), amount, klass


def _graduation(proposal: dict, reason: str, enrollment, policy: str, region_code: str) -> int:
    """Months of 渐退 for ``reason`` (R-DM-04): only when income is now at or above the standard."""
    if not reason:
        raise ValidationFailed("recheck.graduation_reason", "渐退须选择渐退原因", field="graduation_reason")
    request = {**proposal["request"], "program": "graduation",
               "graduation": {"reason": reason, "current_amount": str(enrollment.amount)}}
    try:
        result = region_evaluate(request, region_code=region_code, policy=policy)  # applied standards too
    except ValidationFailed as exc:
        raise ValidationFailed("recheck.graduation_reason", f"渐退原因：{exc.message}", field="graduation_reason") \
            from None
    if result["status"] != "graduation":
        raise ValidationFailed("recheck.graduation_below", "家庭人均收入仍低于低保标准，不适用渐退", field="outcome")
    return int(result["graduation"]["months"])


def recheck_review_writes(ctx):
    """The recheck opinion (seed 年审: 结合入户调查结果及核对报告 … 提出新增、取消、调整等年审意见)."""
    case, p = ctx.case, ctx.payload
    enrollment = case.enrollment
    cfg = config.region_config(case.region_id)
    proposal = propose(case, policy=cfg.policy, as_of=ctx.today)
    suggested, proposed_amount, proposed_class = _suggest(case, enrollment, proposal["result"])
    months = None
    if p.outcome == "adjust":
        amount = p.amount if p.amount is not None else proposed_amount
        klass = (p.klass or proposed_class or enrollment.klass) if case.program == "dibao" else ""
        if amount <= 0:
            raise ValidationFailed("recheck.amount", "调整后月保障金应大于 0；不再符合条件的请选择停止保障",
                                   field="amount")
        if amount == enrollment.amount and klass == enrollment.klass:
            raise ValidationFailed("recheck.unchanged", "调整后的金额和分类与现行相同，请选择继续保障", field="amount")
    elif p.outcome == "graduate":
        if case.program != "dibao":
            raise ValidationFailed("recheck.graduation_program", "特困人员救助供养不适用渐退", field="outcome")
        months = _graduation(proposal, p.graduation_reason or "", enrollment, cfg.policy, case.region_id)
        amount, klass = enrollment.amount, enrollment.klass
    elif p.outcome == "continue":
        amount, klass = enrollment.amount, enrollment.klass
    else:
        amount, klass = ZERO, ""
    graduating_instead_of_stop = suggested == "stop" and p.outcome == "graduate"
    differs = (p.outcome != suggested and not graduating_instead_of_stop) or (p.outcome == "adjust" and (
        amount != proposed_amount or klass != (proposed_class or klass)))
    if differs and not p.override_reason:
        raise ValidationFailed("case.override_reason", "复核意见与规则测算结果不一致，须填写调整理由",
                               field="override_reason")
    case.proposal = proposal
    case.decided_status, case.decided_amount, case.decided_class = p.outcome, amount, klass
    result = proposal["result"]
    ctx.record("recheck_review", {
        "outcome": p.outcome, "amount": str(amount), "klass": klass, "note": p.note,
        "graduation_reason": p.graduation_reason or "", "graduation_months": months,
        "override": differs, "override_reason": p.override_reason if differs else "",
        "proposed": {"outcome": suggested, "status": result["status"], "amount": str(proposed_amount),
                     "class": proposed_class, "reasons": result["reasons"], "policy": proposal["policy"]},
    })


def decide_writes(ctx):
    """R-DM-03: the deciding level decides on the opinion; the enrollment changes from next month."""
    case, p = ctx.case, ctx.payload
    if p.outcome != case.decided_status:
        opinion = RECHECK_OUTCOMES.get(case.decided_status, case.decided_status)
        raise ValidationFailed("recheck.outcome_mismatch", f"复核决定应与复核意见（{opinion}）一致；"
                               "如不同意该意见，请由乡镇经办人取消本次复核后重新安排", field="outcome")
    review = case.records.filter(kind="recheck_review").order_by("-id").first()
    enrollment = Enrollment.objects.select_for_update().select_related("household").get(pk=case.enrollment_id)
    source = f"case:{case.pk}"
    terminating = termination.is_termination(case)
    reason = termination.decision_reason(case, p.reason) if terminating else p.reason
    if p.outcome == "continue":
        change = recheck_continue(enrollment, actor=ctx.actor, now=ctx.now, reason=p.reason,
                                  legal_ground=p.legal_ground or CONTINUE_GROUND, source=source)
    else:
        kind = {"adjust": "adjust", "stop": "stop", "graduate": "graduate"}[p.outcome]
        change = change_apply(
            enrollment, kind, actor=ctx.actor, now=ctx.now, reason=reason,
            legal_ground=p.legal_ground or LEGAL_GROUNDS.get((case.program, kind), ""), source=source,
            amount=case.decided_amount, klass=case.decided_class,
            graduation_reason=review.data.get("graduation_reason", "") if review else "",
            graduation_months=review.data.get("graduation_months") if review else None)
        if p.outcome == "adjust":
            recheck_continue_date(enrollment, ctx)
    extras = termination.decision_extras(ctx, change) if terminating else {}
    ctx.record("recheck_decision", {**p.model_dump(mode="json"), "change": change.pk,
                                    "effective_month": change.effective_month.isoformat(), **extras})


def recheck_continue_date(enrollment, ctx):
    """After an adjustment decided by a recheck, the next recheck counts from the new terms (R-DM-02)."""
    effective = max(first_of_next_month(ctx.today), enrollment.start_month)
    enrollment.next_recheck = add_months(effective, terms.recheck_months(enrollment.program, enrollment.klass,
                                                                         enrollment.region_id, ctx.today))
    enrollment.save(update_fields=["next_recheck"])


def cancel_writes(ctx):
    ctx.record("recheck_cancel", ctx.payload.model_dump(mode="json"))
    withdraw_running_notices(ctx.case)  # a running 拟终止公示 comes off the public page

