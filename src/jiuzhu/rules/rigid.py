"""刚性支出困难家庭 (rigid-expenditure hardship households; R-LI-03, R-LI-04; S5 《刚性支出困难家庭认定办法》).

A household qualifies when **all** hold (R-LI-03):
(1) not a dibao / 特困 household and not recognized as a 低保边缘家庭;
(2) annual per-capita income < last year's local per-capita disposable income of residents
    (``rigid.disposable_income.<area_type>``, yuan / person / year, dated);
(3) property meets the local rules (asset codes from ``assets.asset_failures`` or the caller);
(4) rigid expenditure of the 12 months before application (R-LI-04 items) exceeds
    ``rigid.expenditure_ratio`` × total household income of the same 12 months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .explain import Trace, yuan
from .params import Policy
from .rounding import round2

# R-LI-04 rigid expenditure items
RIGID_ITEMS = ("living", "medical", "education", "rehabilitation", "other")
_ITEM_WORDS = {"living": "基本生活", "medical": "医疗自付", "education": "教育", "rehabilitation": "康复自付",
               "other": "其他经认定"}

RIGID_ALREADY_COVERED = "RIGID_ALREADY_COVERED"
RIGID_INCOME_ABOVE_DISPOSABLE = "RIGID_INCOME_ABOVE_DISPOSABLE"
RIGID_ASSETS = "RIGID_ASSETS"
RIGID_SHARE_NOT_ABOVE_RATIO = "RIGID_SHARE_NOT_ABOVE_RATIO"


@dataclass(frozen=True)
class RigidTerms:
    disposable_income: Decimal  # last year's per-capita disposable income, yuan / person / year
    disposable_source: str
    expenditure_ratio: Decimal
    ratio_source: str


@dataclass(frozen=True)
class RigidFacts:
    """Facts for one application: 12-month totals before ``as_of``."""

    size: int
    annual_income: Decimal  # household counted income of the last 12 months
    expenditure: dict = field(default_factory=dict)  # item in RIGID_ITEMS -> yuan over 12 months
    status: str = "none"  # current program: "dibao", "tekun", "edge" or "none"
    asset_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RigidResult:
    eligible: bool
    status: str  # "rigid" or "ineligible"
    reasons: tuple[str, ...]
    per_capita_income: Decimal
    rigid_total: Decimal
    trace: tuple


def rigid_terms_for(policy: Policy, as_of: date, area_type: str) -> RigidTerms:
    """Rigid-expenditure parameters in force on ``as_of`` (R-LI-03 (2), (4))."""
    income = policy.entry(f"rigid.disposable_income.{area_type}", as_of)
    ratio = policy.entry("rigid.expenditure_ratio", as_of)
    return RigidTerms(disposable_income=income.value, disposable_source=income.source,
                      expenditure_ratio=ratio.value, ratio_source=ratio.source)


def rigid_expenditure_status(facts: RigidFacts, terms: RigidTerms) -> RigidResult:
    """Recognize a 刚性支出困难家庭 (R-LI-03); returns every failing reason code and a Chinese trace.

    Thresholds are strict as in S5 art.4: income exactly at the disposable income fails (2); a
    share exactly at the ratio fails (4). The share is compared without dividing
    (expenditure > ratio × income), so zero income with any rigid expenditure passes (4)."""
    unknown = set(facts.expenditure) - set(RIGID_ITEMS)
    if unknown:
        raise ValueError(f"unknown rigid expenditure items: {sorted(unknown)}")
    trace = Trace()
    reasons = []
    if facts.status in ("dibao", "tekun", "edge"):
        reasons.append(RIGID_ALREADY_COVERED)
    trace.add("R-LI-03", f"（一）未纳入低保、特困且未认定为低保边缘家庭（现状：{facts.status}）",
              RIGID_ALREADY_COVERED not in reasons)
    pci = round2(facts.annual_income / facts.size)
    if not pci < terms.disposable_income:
        reasons.append(RIGID_INCOME_ABOVE_DISPOSABLE)
    trace.add("R-LI-03", f"（二）家庭年人均收入 {yuan(pci)} = {yuan(facts.annual_income)} ÷ {facts.size} 人，须低于上年度"
                         f"居民人均可支配收入 {yuan(terms.disposable_income)}（出处：{terms.disposable_source}）", pci)
    if facts.asset_codes:
        reasons.append(RIGID_ASSETS)
    trace.add("R-LI-03", "（三）家庭财产符合当地规定" + (f"：不符合（{'、'.join(facts.asset_codes)}）" if facts.asset_codes else ""),
              not facts.asset_codes)
    total = Decimal(0)
    for item in RIGID_ITEMS:
        amount = Decimal(facts.expenditure.get(item, 0))
        if amount:
            trace.add("R-LI-04", f"近12个月刚性支出：{_ITEM_WORDS[item]}", amount)
        total += amount
    line = terms.expenditure_ratio * facts.annual_income
    if not total > line:
        reasons.append(RIGID_SHARE_NOT_ABOVE_RATIO)
    trace.add("R-LI-03", f"（四）近12个月刚性支出合计 {yuan(total)} 须超过家庭总收入 {yuan(facts.annual_income)} × "
                         f"{terms.expenditure_ratio}（{yuan(line)}；出处：{terms.ratio_source}）", total)
    eligible = not reasons
    trace.add("R-LI-03", "认定为刚性支出困难家庭" if eligible else "不符合刚性支出困难家庭认定条件：" + "、".join(reasons), eligible)
    return RigidResult(eligible=eligible, status="rigid" if eligible else "ineligible", reasons=tuple(reasons),
                       per_capita_income=pci, rigid_total=total, trace=trace.steps())
