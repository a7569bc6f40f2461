"""Initial review (rules proposal + caseworker's opinion) and confirmation (enrollment, long-term notice)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.rules.errors import ValidationFailed

from . import config
from .models import Notice
from .proposal import propose

ELIGIBLE = {"dibao": "dibao", "tekun": "tekun"}


def review_writes(ctx):
    """R-DB-03 / R-TK-*: the engine proposes; the caseworker may differ only with a written reason."""
    case, p = ctx.case, ctx.payload
    cfg = config.region_config(case.region_id)
    proposal = propose(case, policy=cfg.policy, as_of=ctx.today)
    result = proposal["result"]
    proposed_grant = result["status"] == ELIGIBLE[case.program]
    proposed_amount = Decimal(result["monthly_amount"]) if proposed_grant else Decimal("0.00")
    proposed_class = result.get("class") or ""
    if p.opinion == "grant":
        amount = p.amount if p.amount is not None else proposed_amount
        klass = p.klass or proposed_class
        if amount <= 0:
            raise ValidationFailed("case.amount_required", "拟批准时月保障金应大于 0", field="amount")
    else:
        amount, klass = Decimal("0.00"), ""
    differs = (p.opinion == "grant") != proposed_grant or (p.opinion == "grant" and (
        amount != proposed_amount or (case.program == "dibao" and klass != proposed_class)))
    if differs and not p.override_reason:
        raise ValidationFailed("case.override_reason", "初审意见与规则测算结果不一致，须填写调整理由",
                               field="override_reason")
    case.proposal = proposal
    case.decided_status = result["status"] if p.opinion == "grant" else "ineligible"
    case.decided_class = klass if case.program == "dibao" else ""
    case.decided_amount = amount
    ctx.record("review", {
        "opinion": p.opinion, "amount": str(amount), "klass": klass, "note": p.note,
        "override": differs, "override_reason": p.override_reason if differs else "",
        "proposed": {"status": result["status"], "amount": result["monthly_amount"], "class": proposed_class,
                     "reasons": result["reasons"], "policy": proposal["policy"]},
    })


def _needs_guardian(case, survey: dict | None) -> bool:
    person = case.applicant
    return bool((survey and (survey.get("adl_failed") or 0) >= 4)
                or (person.disability_kind in ("intellectual", "mental") and 1 <= person.disability_grade <= 2))


def confirm_writes(ctx):
    """WF-10/11, R-DB-05: approval creates the enrollment from the 1st of next month and the long-term notice."""
    from .services import first_of_next_month

    case, p = ctx.case, ctx.payload
    if case.program == "tekun":
        survey = case.records.filter(kind="survey").order_by("-id").first()
        if p.support_mode is None:
            raise ValidationFailed("case.support_mode", "特困供养须选择供养方式（集中供养/分散供养）", field="support_mode")
        if _needs_guardian(case, survey.data if survey else None):
            if p.guardian_class is None or not p.guardian_name:
                raise ValidationFailed("case.guardian", "该特困人员生活不能自理或为智力/精神残疾，须确定监护人及监护类别",
                                       field="guardian_class" if p.guardian_class is None else "guardian_name")
            if not p.care_agreement:
                raise ValidationFailed("case.care_agreement", "须签订照料服务协议", field="care_agreement")
    if not case.decided_amount or case.decided_amount <= 0:
        raise ValidationFailed("case.amount_missing", "初审拟不予批准的案件不能批准，请选择不予批准", field="opinion")
    ctx.record("confirmation", p.model_dump(mode="json"))
    start = first_of_next_month(ctx.today)
    months = (case.proposal.get("result", {}).get("recheck_months") or 12) if case.program == "dibao" else 12
    size = 1 if case.program == "tekun" else case.household.member_count
    Enrollment.objects.create(
        program=case.program, household=case.household, region_id=case.region_id, case=case,
        person=case.applicant if case.program == "tekun" else None,
        klass=case.decided_class, amount=case.decided_amount, persons=size, start_month=start,
        next_recheck=_add_months(start, months), decided_on=ctx.today)
    cfg = config.region_config(case.region_id)
    Notice.objects.create(case=case, kind=Notice.Kind.LONG_TERM, program=case.program, region_id=case.region_id,
                          name=case.applicant.name, household_size=size, amount=case.decided_amount,
                          objection_phone=cfg.objection_phone, starts_on=ctx.today)


def _add_months(day: date, months: int) -> date:
    m = day.month - 1 + months
    return date(day.year + m // 12, m % 12 + 1, 1)
