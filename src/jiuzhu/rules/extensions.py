"""Extension programs of the evaluation contract (beyond spec/reference-policy.md §3–5):

- ``rigid_expenditure`` — 刚性支出困难家庭认定 (R-LI-03, R-LI-04, R-LI-05);
- ``graduation`` — 渐退 / 延退 of a dibao household whose income rose above the standard (R-DM-04).

Request and response are those of §6–7; the request adds a block named ``rigid`` or
``graduation``, the response a block named after the program. A policy without the program's
parameters (e.g. ``reference``) rejects the request with a ValidationFailed naming the field.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from .assets import asset_failures
from .errors import ValidationFailed
from .explain import Trace, yuan
from .graduation import GRD_INCOME_ABOVE_LIMIT, graduation_income_allowed, graduation_period, graduation_terms_for
from .income import household_income
from .model import Decision, HouseholdFacts
from .params import Policy
from .rigid import RigidFacts, rigid_expenditure_status, rigid_terms_for
from .rounding import money_text
from .terms import Terms
from .tiered import evaluate_dibao_by_method, tier_terms_for

MONTHS_PER_YEAR = 12  # members' incomes are monthly averages; R-LI-03 compares yearly figures
GRD_BELOW_STANDARD = "GRD_BELOW_STANDARD"


def _require(policy: Policy, keys: list[str], what: str) -> None:
    missing = [k for k in keys if k not in policy.params]
    if missing:
        raise ValidationFailed("program_not_in_policy",
                               f"政策“{policy.name}”未规定{what}所需参数：{'、'.join(missing)}（字段：program）",
                               field="program", policy=policy.name, parameters=missing)


def _dibao_first(facts: HouseholdFacts, pci: Decimal, policy: Policy, terms: Terms, trace: Trace) -> Decision | None:
    """R-LI-03 (1), R-DB-01: a household with pci below the dibao standard whose property meets the
    dibao rules is a dibao household, not a rigid-expenditure one — its dibao decision (the region's
    benefit method), or None when it is not dibao-eligible (then the rigid test runs)."""
    if pci >= terms.standard:
        return None
    probe = Trace()
    if asset_failures(facts.assets, facts.size, terms, probe):
        trace.add("R-LI-03", f"人均收入 {yuan(pci)} 低于低保标准 {yuan(terms.standard)}，但家庭财产不符合低保规定："
                             "不纳入低保，继续认定刚性支出困难家庭", False)
        return None
    trace.add("R-LI-03", f"人均收入 {yuan(pci)} 低于低保标准 {yuan(terms.standard)}：先按低保审核（刚性支出困难家庭"
                         "须为未纳入低保的家庭，R-LI-03（一）），结果如下", True)
    for step in probe.steps():
        trace.add(step.rule, step.step, step.value)
    return evaluate_dibao_by_method(facts, pci, [], terms, trace, tier_terms_for(policy, facts.as_of))


def evaluate_rigid_expenditure(facts: HouseholdFacts, pci: Decimal, policy: Policy, terms: Terms,
                               trace: Trace) -> Decision:
    """刚性支出困难家庭 (R-LI-03): a household eligible for dibao (pci below the standard, dibao assets
    met) gets its dibao decision first (``dibao_first``); otherwise the yearly household income is 12 ×
    the monthly counted income of the members (R-INC-02 definitions, as for dibao) and the asset test
    runs inside with its own codes."""
    _require(policy, [f"rigid.disposable_income.{facts.area_type}", "rigid.expenditure_ratio"], "刚性支出困难家庭认定")
    rterms = rigid_terms_for(policy, facts.as_of, facts.area_type, terms)
    monthly = household_income(facts, terms)
    annual = monthly * MONTHS_PER_YEAR
    dibao = _dibao_first(facts, pci, policy, terms, trace)
    if dibao is not None:
        details = {"dibao_first": True, "annual_income": money_text(annual), "annual_per_capita_income": None,
                   "disposable_income": money_text(rterms.disposable_income), "expenditure_total": None,
                   "expenditure_ratio": format(rterms.expenditure_ratio, "f"), "expenditure_line": None,
                   "validity_months": None}
        return replace(dibao, details=details)
    trace.add("R-INC-09", f"近12个月家庭收入 = 月均家庭计算收入 {yuan(monthly)} × {MONTHS_PER_YEAR}", annual)
    request = facts.rigid
    result = rigid_expenditure_status(
        RigidFacts(size=facts.size, annual_income=annual, expenditure=dict(request.expenditure),
                   status=request.current_status, assets=facts.assets), rterms, trace)
    validity = None
    if result.eligible and rterms.validity_months is not None:
        validity = int(rterms.validity_months)
        trace.add("R-LI-05", f"认定有效期 {validity} 个月，期满须重新申请", str(validity))
    details = {
        "dibao_first": False,
        "annual_income": money_text(annual),
        "annual_per_capita_income": money_text(result.per_capita_income),
        "disposable_income": money_text(rterms.disposable_income),
        "expenditure_total": money_text(result.rigid_total),
        "expenditure_ratio": format(rterms.expenditure_ratio, "f"),
        "expenditure_line": money_text(result.expenditure_line),
        "validity_months": validity,
    }
    return Decision(status=result.status, eligible=result.eligible, reasons=result.reasons, details=details)


def evaluate_graduation(facts: HouseholdFacts, pci: Decimal, policy: Policy, terms: Terms, trace: Trace) -> Decision:
    """渐退 (R-DM-04): a dibao household whose per-capita income is now at or above the standard keeps
    its current benefit for the region's period for the reason given; periods above the national
    6-month principle are flagged. Below the standard there is nothing to graduate from
    (``GRD_BELOW_STANDARD``: keep dibao and recheck instead); above the reason's income ceiling, if
    it sets one, 渐退 does not apply (``GRD_INCOME_ABOVE_LIMIT``; ``pension_1_2x``: ≤ 2 × standard).
    The asset test is not part of 渐退."""
    request = facts.graduation
    gterms = graduation_terms_for(policy, facts.as_of)
    graduation_period(request.reason, gterms)  # an unknown reason is bad input, whatever the income
    details = {"reason": request.reason, "months": None, "legal_basis": None,
               "national_max_months": int(gterms.national_max_months), "above_national_max": None}
    if pci < terms.standard:
        trace.add("R-DM-04", f"人均收入 {yuan(pci)} 仍低于低保标准 {yuan(terms.standard)}：不适用渐退，继续按低保复核",
                  GRD_BELOW_STANDARD)
        return Decision(status="ineligible", eligible=False, reasons=(GRD_BELOW_STANDARD,), details=details)
    trace.add("R-DM-04", f"人均收入 {yuan(pci)} 不低于低保标准 {yuan(terms.standard)}：可按渐退原因保留低保待遇", pci)
    if not graduation_income_allowed(request.reason, pci, terms.standard, gterms, trace):
        return Decision(status="ineligible", eligible=False, reasons=(GRD_INCOME_ABOVE_LIMIT,), details=details)
    months, basis, flagged = graduation_period(request.reason, gterms, trace)
    amount = request.current_amount
    trace.add("R-DM-04", f"渐退期 {months} 个月内继续发放现保障金", amount)
    details.update(months=months, legal_basis=basis, above_national_max=flagged)
    return Decision(status="graduation", eligible=True, monthly_amount=amount, details=details)


EXTENSION_PROGRAMS = {"rigid_expenditure": evaluate_rigid_expenditure, "graduation": evaluate_graduation}
