"""临时救助 (temporary assistance): eligibility (R-TA-01, R-TA-02), 先行救助 (R-TA-03), amount cap
(R-TA-05), approval level (R-TA-03).

Region parameters (absent → the reference contract, spec/reference-policy.md §5):
``temporary.emergency_asset_test`` 0 = 急难型 is helped first and its property verified after
(R-TA-03), 1 = the dibao asset test blocks it; ``temporary.expenditure_income_test`` ``edge``
(pci < edge multiplier × standard) or ``disposable`` (12 × pci < last year's local per-capita
disposable income ``temporary.disposable_income.<area_type>``, R-TA-02).
"""

from __future__ import annotations

from decimal import Decimal

from .dibao import INC_ABOVE_EDGE
from .errors import DomainError
from .explain import Trace, yuan
from .model import Decision, HouseholdFacts
from .rounding import round_yuan
from .terms import Terms

TA_INCOME_ABOVE_DISPOSABLE = "TA_INCOME_ABOVE_DISPOSABLE"
MONTHS_PER_YEAR = 12  # members' incomes are monthly; the disposable income is yearly


def _expenditure_income_reason(pci: Decimal, terms: Terms, trace: Trace) -> str | None:
    """R-TA-02 income test of 支出型: the failing reason code, or None."""
    if terms.temporary_expenditure_test == "disposable":
        line = terms.temporary_disposable_income
        if line is None:
            raise DomainError("param_unknown", f"政策“{terms.policy}”选择按居民人均可支配收入审核支出型临时救助，"
                                               f"但未规定 temporary.disposable_income.{terms.area_type}",
                              policy=terms.policy, parameter=f"temporary.disposable_income.{terms.area_type}")
        annual = pci * MONTHS_PER_YEAR
        ok = annual < line
        trace.add("R-TA-02", f"支出型：家庭年人均收入 {yuan(annual)}（月人均 {yuan(pci)} × {MONTHS_PER_YEAR}）须低于上年度"
                             f"当地居民人均可支配收入 {yuan(line)}（出处：{terms.temporary_disposable_source}）",
                  "符合" if ok else "不符合")
        return None if ok else TA_INCOME_ABOVE_DISPOSABLE
    edge_line = terms.edge_multiplier * terms.standard
    ok = pci < edge_line
    trace.add("R-TA-02", f"支出型：人均收入 {yuan(pci)} 须低于 {terms.edge_multiplier} × 标准（{yuan(edge_line)}）",
              "符合" if ok else "不符合")
    return None if ok else INC_ABOVE_EDGE


def evaluate_temporary(facts: HouseholdFacts, pci: Decimal, asset_codes: list[str], terms: Terms,
                       trace: Trace) -> Decision:
    """Temporary assistance: assets within limits (unless 急难型 is helped first, R-TA-03); 支出型 also
    passes the income test of R-TA-02. Amount = round_yuan(min(need, cap × standard × size));
    the township approves up to its limit."""
    request = facts.temporary
    size = facts.size
    reasons = list(asset_codes)
    if request.type == "emergency" and not terms.temporary_emergency_asset_test:
        if asset_codes:
            trace.add("R-TA-03", "急难型先行救助：不以家庭财产条件拒绝救助，财产核对发现的情况（"
                                 f"{'、'.join(sorted(asset_codes))}）于救助后补充核查说明", "先行救助")
        reasons = []
    if request.type == "expenditure":
        reason = _expenditure_income_reason(pci, terms, trace)
        if reason:
            reasons.append(reason)
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


def expenditure_income_reason(pci: Decimal, terms: Terms, trace: Trace) -> str | None:
    """R-TA-02 income test of a 支出型 case (the case engine's guard): the failing reason code, or None."""
    return _expenditure_income_reason(pci, terms, trace)


def township_limit(terms: Terms, size: int) -> Decimal:
    """R-TA-03: the amount the township approves itself (dated parameter ``temporary.township_limit_multiple``)."""
    return round_yuan(terms.township_limit_multiple * terms.standard * max(size, 1))


def county_cap(terms: Terms, size: int, kind: str) -> Decimal:
    """R-TA-05: the county's cap for one case; above it 一事一议 (major hardship)."""
    multiple = terms.temporary_cap_emergency if kind == "emergency" else terms.temporary_cap_expenditure
    return round_yuan(multiple * terms.standard * max(size, 1))


def approval_level(amount: Decimal, township: Decimal, county: Decimal) -> str:
    """R-TA-03/05: ``township`` up to its limit, ``county`` up to the cap, else ``council`` (一事一议)."""
    if amount <= township:
        return "township"
    return "county" if amount <= county else "council"
