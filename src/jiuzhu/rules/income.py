"""Counted income (R-INC-02, R-INC-03, R-INC-04, R-INC-12) and per-capita income (R-DB-01)."""

from __future__ import annotations

from decimal import Decimal

from .explain import Trace, yuan
from .model import ZERO, HouseholdFacts, Member
from .obligors import obligors_support
from .rounding import round2
from .terms import Terms


def employment_deduction(member: Member, terms: Terms) -> Decimal:
    """Necessary employment cost (R-INC-04, R-INC-06): min(wage × rate, cap) per employed member."""
    return min(member.income.wage * terms.employment_deduction_rate, terms.employment_deduction_cap)


def member_counted_income(member: Member, terms: Terms) -> Decimal:
    """A member's counted income (R-INC-02): wage + max(0, business) + property + transfer
    − social insurance − income tax − medical extra (R-INC-12, R-INC-04) − employment deduction.
    Social-assistance payments and awards are never counted (R-INC-03). May be negative."""
    inc, ded = member.income, member.deductions
    gross = inc.wage + max(ZERO, inc.business) + inc.property + inc.transfer
    return gross - ded.social_insurance - ded.income_tax - ded.medical_extra - employment_deduction(member, terms)


def own_counted_income(member: Member, terms: Terms) -> Decimal:
    """A member's own counted income for single-person enrollment: never below 0."""
    return max(ZERO, member_counted_income(member, terms))


def household_income(facts: HouseholdFacts, terms: Terms, trace: Trace | None = None) -> Decimal:
    """Household counted income = max(0, Σ members' counted income) (R-INC-02)."""
    total = ZERO
    for member in facts.members:
        counted = member_counted_income(member, terms)
        if trace is not None:
            inc, ded = member.income, member.deductions
            deduction = employment_deduction(member, terms)
            if deduction:
                trace.add("R-INC-04", f"成员 {member.id} 就业成本扣除 = min(工资 {yuan(inc.wage)} × {terms.employment_deduction_rate}, "
                                      f"{yuan(terms.employment_deduction_cap)})", deduction)
            if inc.assistance or inc.awards:
                trace.add("R-INC-03", f"成员 {member.id} 救助金 {yuan(inc.assistance)}、奖励 {yuan(inc.awards)} 不计入收入", ZERO)
            trace.add("R-INC-02", f"成员 {member.id} 计算收入 = 工资 {yuan(inc.wage)} + 经营净收入 max(0, {yuan(inc.business)}) + "
                                  f"财产 {yuan(inc.property)} + 转移 {yuan(inc.transfer)} − 社保 {yuan(ded.social_insurance)} − 个税 "
                                  f"{yuan(ded.income_tax)} − 医疗自付 {yuan(ded.medical_extra)} − 就业扣除 {yuan(deduction)}", counted)
        total += counted
    support = obligors_support(facts, terms, trace)
    if support:
        total += support
    household = max(ZERO, total)
    if trace is not None:
        with_support = f"（含义务人赡(抚、扶)养费 {yuan(support)}）" if support else ""
        trace.add("R-INC-02", f"家庭计算收入 = max(0, 各成员计算收入之和{with_support} {yuan(total)})", household)
    return household


def per_capita_income(facts: HouseholdFacts, terms: Terms, trace: Trace | None = None) -> Decimal:
    """Per-capita income (R-DB-01) = round2(household counted income / size)."""
    household = household_income(facts, terms, trace)
    pci = round2(household / facts.size)
    if trace is not None:
        trace.add("R-DB-01", f"家庭人均收入 = {yuan(household)} ÷ {facts.size} 人（四舍五入到分）", pci)
    return pci
