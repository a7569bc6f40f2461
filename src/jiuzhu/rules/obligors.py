"""Non-co-resident legal support obligors (不共同居住的法定赡养、抚养、扶养义务人, R-HH-10).

社会救助年审 plan 三(2)四: "对不共同居住的法定赡养、抚养关系成员的收入财产进行核实计算，避免子女不履行赡养
义务，让老人吃低保的问题". Support received counts as transfer income (R-INC-02 item 4: 赡养/抚养/扶养费),
and an able obligor who does not pay cannot lower the household's income (R-INC-11). The amount of
support a household is taken to receive is the region's rule, as two dated parameters:

- ``obligor.exempt_multiple``: the obligor's household keeps this multiple of the dibao standard per person;
- ``obligor.share``: the share of the rest counted as support income of the applicant household, and the
  share of the obligor household's financial assets above its own limit (R-AST-05) counted as the
  household's financial assets.

A policy without them counts no obligor (the trace says so).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from .explain import Trace, yuan
from .model import ZERO, HouseholdFacts, Obligor
from .rounding import round2
from .terms import Terms

RULE = "R-INC-02"
PLAN = "年审方案三(2)四"


def obligor_income(obligor: Obligor, terms: Terms) -> Decimal:
    """Support counted from one obligor per month: round2(max(0, income − multiple × standard × size) × share)."""
    if terms.obligor_share is None or terms.obligor_exempt_multiple is None:
        return ZERO
    kept = terms.obligor_exempt_multiple * terms.standard * obligor.household_size
    return round2(max(ZERO, obligor.monthly_income - kept) * terms.obligor_share)


def obligor_financial(obligor: Obligor, terms: Terms) -> Decimal:
    """Financial assets counted from one obligor: round2(max(0, financial − own limit) × share)."""
    if terms.obligor_share is None:
        return ZERO
    limit = terms.financial_months * terms.standard * obligor.household_size
    return round2(max(ZERO, obligor.financial - limit) * terms.obligor_share)


def obligors_support(facts: HouseholdFacts, terms: Terms, trace: Trace | None = None) -> Decimal:
    """Σ support counted from the obligors (monthly), each step in the trace."""
    if not facts.obligors:
        return ZERO
    if terms.obligor_share is None or terms.obligor_exempt_multiple is None:
        if trace is not None:
            trace.add(RULE, f"不共同居住的赡(抚、扶)养义务人 {len(facts.obligors)} 人：本地区政策未规定赡养费计算，"
                            f"不计入（{PLAN}）", ZERO)
        return ZERO
    total = ZERO
    for o in facts.obligors:
        counted = obligor_income(o, terms)
        if trace is not None:
            kept = terms.obligor_exempt_multiple * terms.standard * o.household_size
            trace.add(RULE, f"义务人 {o.id} 赡(抚、扶)养费 = max(0, 其家庭月收入 {yuan(o.monthly_income)} − "
                            f"{terms.obligor_exempt_multiple} × 标准 {yuan(terms.standard)} × {o.household_size} 人 "
                            f"{yuan(kept)}) × 计入比例 {terms.obligor_share}（{PLAN}；出处：{terms.obligor_source}）",
                      counted)
        total += counted
    return total


def with_obligor_assets(facts: HouseholdFacts, terms: Terms, trace: Trace | None = None) -> HouseholdFacts:
    """The facts with the obligors' counted financial assets added to the household's (for the asset test)."""
    if not facts.obligors or terms.obligor_share is None:
        return facts
    extra = sum((obligor_financial(o, terms) for o in facts.obligors), ZERO)
    if trace is not None:
        for o in facts.obligors:
            if o.financial:
                trace.add("R-AST-05", f"义务人 {o.id} 金融资产计入 = max(0, {yuan(o.financial)} − 其家庭上限 "
                                      f"{terms.financial_months} × 标准 × {o.household_size} 人) × {terms.obligor_share}"
                                      f"（{PLAN}）", obligor_financial(o, terms))
    if not extra:
        return facts
    return replace(facts, assets=replace(facts.assets, financial=facts.assets.financial + extra))
