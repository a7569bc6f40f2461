"""§20-style check of a 分档 (tiered) dibao table (R-DB-01, R-DB-03, R-DB-04): who ends up below the
standard after receiving dibao, and how much a household loses when its income crosses a tier edge.

For a household of a tier i (lower_i × standard ≤ pci < upper_i × standard) that is not class A (class
A gets the full standard, R-DB-04) and has no special member, the benefit per person is
b_i = max(amount_ratio_i × standard, per-capita minimum). Its post-benefit income per person is
pci + b_i, which is below the standard exactly when pci < standard − b_i. So tier i leaves the
per-capita incomes [lower_i × standard, min(upper_i × standard, standard − b_i)) below the standard;
the worst case of that range is its lower end (post-benefit income (lower_i × standard) + b_i).

The cliff at the upper edge of tier i is b_i − b_(i+1) per person (b_(N+1) = 0: at the standard dibao
stops): a household whose pci rises by one fen across the edge loses that much a month per member.

Amounts are exact (before rounding to the region's unit, which moves a household's benefit by at
most half a unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from .bound_warning import BoundWarning
from .errors import DomainError
from .model import AREA_TYPES
from .params import Policy
from .rounding import money_text
from .terms import terms_for
from .tiered import METHOD_TIERED, Tier, tier_terms_for

AREA_WORDS = {"urban": "城市", "rural": "农村"}
_FEN = Decimal("0.01")


def _fen_ceil(value: Decimal) -> Decimal:
    """The smallest per-capita income in fen that is ≥ ``value`` (pci is rounded to fen)."""
    return value.quantize(_FEN, rounding=ROUND_CEILING)


@dataclass(frozen=True)
class ShortfallRange:
    """Per-capita incomes [pci_from, pci_to) of one tier whose post-benefit income is below the standard."""

    tier: int
    pci_from: Decimal
    pci_to: Decimal
    benefit_per_person: Decimal
    worst_post_income: Decimal  # at pci_from
    shortfall: Decimal  # standard − worst_post_income

    def as_dict(self) -> dict:
        return {"tier": self.tier, "pci_from": money_text(self.pci_from), "pci_to": money_text(self.pci_to),
                "benefit_per_person": money_text(self.benefit_per_person),
                "worst_pci": money_text(self.pci_from), "worst_post_income": money_text(self.worst_post_income),
                "shortfall": money_text(self.shortfall)}


@dataclass(frozen=True)
class TierCliff:
    """What one person loses a month when pci reaches ``at_pci`` (tier ``tier`` → the next, or dibao stops)."""

    tier: int
    at_pci: Decimal  # first per-capita income (fen) of the next tier
    before: Decimal  # benefit per person just below the edge
    after: Decimal  # benefit per person at the edge
    loss_per_person: Decimal

    def as_dict(self) -> dict:
        return {"tier": self.tier, "at_pci": money_text(self.at_pci), "benefit_before": money_text(self.before),
                "benefit_after": money_text(self.after), "loss_per_person": money_text(self.loss_per_person)}


@dataclass(frozen=True)
class TierReport:
    area_type: str
    standard: Decimal
    ranges: tuple[ShortfallRange, ...]
    cliffs: tuple[TierCliff, ...]

    @property
    def worst(self) -> ShortfallRange | None:
        return max(self.ranges, key=lambda r: r.shortfall, default=None)

    def as_dict(self) -> dict:
        worst = self.worst
        return {"area_type": self.area_type, "standard": money_text(self.standard),
                "below_standard": [r.as_dict() for r in self.ranges],
                "worst": worst.as_dict() if worst else None,
                "cliffs": [c.as_dict() for c in self.cliffs]}


def tier_report(tiers: tuple[Tier, ...], standard: Decimal, minimum: Decimal, area_type: str) -> TierReport:
    """Below-standard ranges and cliffs of one tier table for one standard (R-DB-03; see module doc)."""
    benefits = [max(t.amount_ratio * standard, minimum) for t in tiers]
    ranges, cliffs = [], []
    for i, (tier, benefit) in enumerate(zip(tiers, benefits, strict=True)):
        low = _fen_ceil(tier.lower_ratio * standard)
        high = min(_fen_ceil(tier.upper_ratio * standard), _fen_ceil(standard - benefit))
        if low < high:
            post = low + benefit
            ranges.append(ShortfallRange(tier=tier.number, pci_from=low, pci_to=high, benefit_per_person=benefit,
                                         worst_post_income=post, shortfall=standard - post))
        after = benefits[i + 1] if i + 1 < len(tiers) else Decimal(0)
        cliffs.append(TierCliff(tier=tier.number, at_pci=_fen_ceil(tier.upper_ratio * standard), before=benefit,
                                after=after, loss_per_person=benefit - after))
    return TierReport(area_type=area_type, standard=standard, ranges=tuple(ranges), cliffs=tuple(cliffs))


def tier_reports(policy: Policy, as_of: date) -> list[TierReport]:
    """One report per area type when the policy's method on ``as_of`` is 分档; [] for 补差."""
    tier_terms = tier_terms_for(policy, as_of)
    if tier_terms.method != METHOD_TIERED:
        return []
    out = []
    for area in AREA_TYPES:
        terms = terms_for(policy, as_of, area)
        out.append(tier_report(tier_terms.tiers, terms.standard, terms.per_capita_minimum, area))
    return out


def tier_warnings(policy: Policy, as_of: date) -> list[BoundWarning]:
    """One warning per tier whose households stay below the standard after dibao (R-DB-01/R-DB-03:
    dibao tops pci up to the standard), naming the pci range and its worst case."""
    out: list[BoundWarning] = []
    try:
        reports = tier_reports(policy, as_of)
    except DomainError as exc:
        if exc.code != "param_unknown":
            raise
        return out  # an incomplete parameter set (no tier table or standard): evaluation reports that
    for report in reports:
        for r in report.ranges:
            key = f"dibao.tiers.{r.tier}.amount_ratio"
            entry = policy.entry(key, as_of)
            area = AREA_WORDS.get(report.area_type, report.area_type)
            out.append(BoundWarning(
                parameter=key, value=entry.value, bound=f"人均收入 + 保障金 ≥ 标准 {money_text(report.standard)}",
                rule="R-DB-03",
                message=f"{area}分档第{r.tier}档：人均收入 {money_text(r.pci_from)}–{money_text(r.pci_to)} 元（不含）的家庭"
                        f"领取低保后人均收入仍低于低保标准 {money_text(report.standard)} 元；最不利情形为人均收入 "
                        f"{money_text(r.pci_from)} 元，领取后 {money_text(r.worst_post_income)} 元，"
                        f"低于标准 {money_text(r.shortfall)} 元（每人每月）",
                source=entry.source))
    return out
