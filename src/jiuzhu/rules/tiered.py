"""分档 (tiered) dibao benefit, selectable per region (R-DB-03 tiered method; S2 art.23; S6 task 5).

Parameters (all dated, cited; see params/README-extensions.md):

- ``dibao.method``: ``gap`` 补差 (default when absent) or ``tiered`` 分档 (enumerated, params/enums.py).
- ``dibao.rounding``: unit of the benefit, ``yuan`` 元 (default), ``jiao`` 角 or ``fen`` 分; all half-up.
- ``dibao.tiers.count``: number of tiers N (seed plan: 原则上不少于三档).
- ``dibao.tiers.<i>.upper_ratio`` (i = 1..N): tier i holds pci with
  lower_ratio × standard ≤ pci < upper_ratio × standard, lower_ratio = tier i−1's upper (0 for tier 1);
  the last upper_ratio must be 1 (pci < standard is the dibao line, R-DB-01).
- ``dibao.tiers.<i>.amount_ratio``: benefit per person = amount_ratio × standard; non-increasing in i,
  so more income never raises the amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .classify import labour_criteria_words
from .dibao import dibao_class, evaluate_dibao, floor_and_addon, trace_members
from .errors import DomainError
from .explain import Trace, yuan
from .model import Decision, HouseholdFacts
from .params import Policy
from .params.enums import ENUM_DEFAULTS
from .policy_params import optional_value
from .rounding import BENEFIT_QUANTUM, BENEFIT_UNIT_WORDS
from .rounding import round_benefit as _round_benefit
from .terms import Terms

METHOD_GAP = "gap"
METHOD_TIERED = "tiered"
_ROUNDING_WORDS = BENEFIT_UNIT_WORDS


@dataclass(frozen=True)
class Tier:
    number: int
    lower_ratio: Decimal
    upper_ratio: Decimal
    amount_ratio: Decimal


@dataclass(frozen=True)
class TierTerms:
    method: str
    rounding: str
    tiers: tuple[Tier, ...]


def round_benefit(value: Decimal, rule: str) -> Decimal:
    """Round a benefit half up to the region's unit (R-DB-03): ``yuan`` 1, ``jiao`` 0.1, ``fen`` 0.01."""
    if rule not in BENEFIT_QUANTUM:
        raise DomainError("param_invalid", f"未知的取整规则“{rule}”（应为 yuan、jiao 或 fen）", parameter="dibao.rounding")
    return _round_benefit(value, rule)


def validate_tiers(tiers: tuple[Tier, ...]) -> None:
    """Tier table sanity (R-DB-03): ≥ 1 tier, uppers strictly increasing and ending at 1,
    amount ratios ≥ 0 and non-increasing. Raises DomainError naming the tier."""
    if not tiers:
        raise DomainError("param_invalid", "分档表为空", parameter="dibao.tiers.count")
    previous_upper, previous_amount = Decimal(0), None
    for tier in tiers:
        if tier.upper_ratio <= previous_upper:
            raise DomainError("param_invalid", f"第{tier.number}档上限比例 {tier.upper_ratio} 应大于上一档 {previous_upper}",
                              parameter=f"dibao.tiers.{tier.number}.upper_ratio")
        if tier.amount_ratio < 0 or (previous_amount is not None and tier.amount_ratio > previous_amount):
            raise DomainError("param_invalid", f"第{tier.number}档保障比例 {tier.amount_ratio} 应不小于 0 且不大于上一档",
                              parameter=f"dibao.tiers.{tier.number}.amount_ratio")
        previous_upper, previous_amount = tier.upper_ratio, tier.amount_ratio
    if tiers[-1].upper_ratio != 1:
        raise DomainError("param_invalid", f"最后一档上限比例应为 1（低保标准），实为 {tiers[-1].upper_ratio}",
                          parameter=f"dibao.tiers.{tiers[-1].number}.upper_ratio")


def tier_terms_for(policy: Policy, as_of: date) -> TierTerms:
    """The method, rounding rule and tier table in force on ``as_of``; gap / yuan when not set.
    The loader has already checked that method and rounding are declared words (params/enums.py)."""
    method = optional_value(policy, "dibao.method", as_of, ENUM_DEFAULTS["dibao.method"])
    rounding = optional_value(policy, "dibao.rounding", as_of, ENUM_DEFAULTS["dibao.rounding"])
    tiers: tuple[Tier, ...] = ()
    if method == METHOD_TIERED:
        count = int(policy.lookup("dibao.tiers.count", as_of))
        out, lower = [], Decimal(0)
        for i in range(1, count + 1):
            upper = policy.lookup(f"dibao.tiers.{i}.upper_ratio", as_of)
            out.append(Tier(i, lower, upper, policy.lookup(f"dibao.tiers.{i}.amount_ratio", as_of)))
            lower = upper
        tiers = tuple(out)
        validate_tiers(tiers)
    return TierTerms(method=method, rounding=rounding, tiers=tiers)


def find_tier(pci: Decimal, standard: Decimal, tiers: tuple[Tier, ...]) -> Tier | None:
    """The tier holding ``pci`` (R-DB-03 分档): lower × standard ≤ pci < upper × standard, so a pci
    exactly at an edge belongs to the higher-income tier. None when pci ≥ the last upper (no dibao)."""
    for tier in tiers:
        if pci < tier.upper_ratio * standard:
            return tier
    return None


def tiered_amount(pci: Decimal, size: int, standard: Decimal, tier_terms: TierTerms,
                  trace: Trace | None = None) -> Decimal:
    """Tiered household base benefit (R-DB-03): amount_ratio(tier of pci) × standard × size, rounded
    by the region's rule; 0 when pci is at or above the standard. Pure; never increases with pci."""
    tier = find_tier(pci, standard, tier_terms.tiers)
    if tier is None:
        if trace is not None:
            trace.add("R-DB-03", f"人均收入 {yuan(pci)} 不低于低保标准 {yuan(standard)}：不在任何档次", Decimal(0))
        return Decimal(0)
    amount = round_benefit(tier.amount_ratio * standard * size, tier_terms.rounding)
    if trace is not None:
        trace.add("R-DB-03", f"分档：人均收入 {yuan(pci)} 属第{tier.number}档（标准 × [{tier.lower_ratio}, {tier.upper_ratio})）；"
                             f"基本保障金 = {tier.amount_ratio} × 标准 {yuan(standard)} × {size} 人"
                             f"（四舍五入到{_ROUNDING_WORDS[tier_terms.rounding]}）", amount)
    return amount


def evaluate_dibao_by_method(facts: HouseholdFacts, pci: Decimal, asset_codes: list[str], terms: Terms,
                             trace: Trace, tier_terms: TierTerms) -> Decision:
    """Dibao decision with the region's benefit method (R-DB-03). ``gap`` is exactly
    ``evaluate_dibao``; ``tiered`` keeps eligibility, classes, floor, add-ons and recheck (R-DB-01,
    R-DB-04, R-DM-02) and replaces the gap base of classes B, C and D with the tier amount; class A
    (常补对象, every member without labour capacity) gets the full standard × size as under 补差."""
    if tier_terms.method == METHOD_GAP or asset_codes or pci >= terms.standard:
        return evaluate_dibao(facts, pci, asset_codes, terms, trace)
    size = facts.size
    trace.add("R-DB-01", f"人均收入 {yuan(pci)} 低于低保标准 {yuan(terms.standard)}，且财产符合规定：纳入低保", pci)
    trace_members(facts, terms, trace)
    cls = dibao_class(facts, pci, terms)
    trace.add("R-DB-04", "分类施保类别（A 全部成员无劳动能力，常补对象；B 有特殊成员；C 人均收入低于标准 × "
                         f"{terms.class_c_ratio}；D 其他）", cls)
    if cls == "A":  # seed 年审方案: A类为常补对象，实行全额保障; B、C、D 类差额（分档）补助
        base = terms.standard * size
        trace.add("R-DB-03", f"A 类常补对象全额保障：基本保障金 = 标准 {yuan(terms.standard)} × {size} 人"
                             f"（A 类条件：全部成员无劳动能力——{labour_criteria_words(terms)}）", base)
    else:
        base = tiered_amount(pci, size, terms.standard, tier_terms, trace)
    base, addon = floor_and_addon(facts, base, terms, trace)
    amount = round_benefit(base + addon, tier_terms.rounding)
    trace.add("R-DB-03", f"月保障金 = 基本保障金 {yuan(base)} + 加发 {yuan(addon)}"
                         f"（四舍五入到{_ROUNDING_WORDS[tier_terms.rounding]}）", amount)
    months = int(terms.recheck_stable if cls in ("A", "B") else terms.recheck_unstable)
    trace.add("R-DM-02", "复核周期（月）：A、B 类收入稳定，C、D 类收入不稳定", str(months))
    return Decision(status="dibao", eligible=True, monthly_amount=amount, dibao_class=cls, recheck_months=months)
