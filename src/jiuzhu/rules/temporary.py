"""临时救助 (temporary assistance): eligibility (R-TA-01, R-TA-02), amount cap (R-TA-05), approval level (R-TA-03)."""

from __future__ import annotations

from decimal import Decimal

from .dibao import INC_ABOVE_EDGE
from .explain import Trace, yuan
from .model import Decision, HouseholdFacts
from .rounding import round_yuan
from .terms import Terms


def evaluate_temporary(facts: HouseholdFacts, pci: Decimal, asset_codes: list[str], terms: Terms,
                       trace: Trace) -> Decision:
    """Temporary assistance: assets within limits; expenditure type also pci < edge multiplier × standard.
    Amount = round_yuan(min(need, cap × standard × size)); township approves up to its limit."""
    request = facts.temporary
    size = facts.size
    reasons = list(asset_codes)
    if request.type == "expenditure":
        edge_line = terms.edge_multiplier * terms.standard
        if pci >= edge_line:
            reasons.append(INC_ABOVE_EDGE)
        trace.add("R-TA-02", f"支出型：人均收入 {yuan(pci)} 须低于 {terms.edge_multiplier} × 标准（{yuan(edge_line)}）",
                  "符合" if INC_ABOVE_EDGE not in reasons else "不符合")
    if reasons:
        trace.add("R-TA-01", "不符合临时救助条件", "、".join(sorted(reasons)))
        return Decision(status="ineligible", eligible=False, reasons=tuple(reasons))
    multiple = terms.temporary_cap_emergency if request.type == "emergency" else terms.temporary_cap_expenditure
    cap = multiple * terms.standard * size
    kind = "急难型" if request.type == "emergency" else "支出型"
    trace.add("R-TA-05", f"{kind}救助上限 = {multiple} × 标准 {yuan(terms.standard)} × {size} 人", cap)
    amount = round_yuan(min(request.need, cap))
    trace.add("R-TA-05", f"救助金额 = min(需求 {yuan(request.need)}, 上限 {yuan(cap)})（取整到元）", amount)
    limit = terms.township_limit_multiple * terms.standard * size
    level = "township" if amount <= limit else "county"
    trace.add("R-TA-03", f"乡镇审批额度 = {terms.township_limit_multiple} × 标准 × {size} 人 = {yuan(limit)}；"
                         f"{'乡镇审批' if level == 'township' else '报县级审批'}", level)
    return Decision(status="temporary", eligible=True, monthly_amount=amount, approval_level=level)
