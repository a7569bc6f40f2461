"""刚性支出困难家庭 (rigid-expenditure hardship households; R-LI-03, R-LI-04; S5 《刚性支出困难家庭认定办法》).

A household qualifies when **all** hold (R-LI-03):
(1) not a dibao / 特困 household and not recognized as a 低保边缘家庭;
(2) annual per-capita income < last year's local per-capita disposable income of residents
    (``rigid.disposable_income.<area_type>``, yuan / person / year, dated);
(3) property meets the local rules — this check runs the asset test itself, with the dibao limits
    unless the region relaxes them with ``rigid.assets.<limit>`` (S5 art.4 (3): may mirror or relax
    the edge-family rules, which follow the dibao rules, R-LI-02); failures carry their own codes
    ``RIGID_AST_*``;
(4) rigid expenditure of the 12 months before application (R-LI-04 items) exceeds
    ``rigid.expenditure_ratio`` × total household income of the same 12 months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .assets import AST_BUSINESS, AST_FINANCIAL, AST_PROPERTY, AST_VEHICLE, AssetLimits, asset_failures
from .explain import Trace, yuan
from .model import Assets
from .params import Policy
from .policy_params import optional_entry
from .rounding import round2
from .terms import Terms, terms_for

# R-LI-04 rigid expenditure items
RIGID_ITEMS = ("living", "medical", "education", "rehabilitation", "other")
ITEM_WORDS = {"living": "基本生活", "medical": "医疗自付", "education": "教育", "rehabilitation": "康复自付",
              "other": "其他经认定"}
CURRENT_STATUSES = ("none", "dibao", "tekun", "edge")
_STATUS_WORDS = {"none": "未纳入", "dibao": "低保", "tekun": "特困", "edge": "低保边缘家庭"}

RIGID_ALREADY_COVERED = "RIGID_ALREADY_COVERED"
RIGID_INCOME_ABOVE_DISPOSABLE = "RIGID_INCOME_ABOVE_DISPOSABLE"
RIGID_AST_FINANCIAL = "RIGID_AST_FINANCIAL"
RIGID_AST_VEHICLE = "RIGID_AST_VEHICLE"
RIGID_AST_PROPERTY = "RIGID_AST_PROPERTY"
RIGID_AST_BUSINESS = "RIGID_AST_BUSINESS"
RIGID_SHARE_NOT_ABOVE_RATIO = "RIGID_SHARE_NOT_ABOVE_RATIO"
ASSET_CODES = {AST_FINANCIAL: RIGID_AST_FINANCIAL, AST_VEHICLE: RIGID_AST_VEHICLE, AST_PROPERTY: RIGID_AST_PROPERTY,
               AST_BUSINESS: RIGID_AST_BUSINESS}

# optional regional relaxations of the asset limits for this program: AssetLimits field -> parameter
ASSET_PARAMETERS = {
    "financial_months": "rigid.assets.financial_months",
    "vehicle_value_limit": "rigid.assets.vehicle_value_limit",
    "vehicle_count_limit": "rigid.assets.vehicle_count_limit",
    "residential_property_limit": "rigid.assets.residential_property_limit",
    "business_capital_limit": "rigid.assets.business_capital_limit",
}
REQUIRED_PARAMETERS = ("rigid.disposable_income.{area_type}", "rigid.expenditure_ratio")


@dataclass(frozen=True)
class RigidTerms:
    disposable_income: Decimal  # last year's per-capita disposable income, yuan / person / year
    disposable_source: str
    expenditure_ratio: Decimal
    ratio_source: str
    assets: AssetLimits  # the property limits of condition (3)
    assets_source: str = "沿用低保财产规定"
    validity_months: Decimal | None = None  # R-LI-05: recognition valid ≤ 12 months


@dataclass(frozen=True)
class RigidFacts:
    """Facts for one application: 12-month totals before ``as_of``."""

    size: int
    annual_income: Decimal  # household counted income of the last 12 months
    expenditure: dict = field(default_factory=dict)  # item in RIGID_ITEMS -> yuan over 12 months
    status: str = "none"  # current program: "dibao", "tekun", "edge" or "none"
    assets: Assets = field(default_factory=Assets)


@dataclass(frozen=True)
class RigidResult:
    eligible: bool
    status: str  # "rigid" or "ineligible"
    reasons: tuple[str, ...]
    per_capita_income: Decimal  # annual, per person
    rigid_total: Decimal
    expenditure_line: Decimal  # ratio × annual income; the total must exceed it
    trace: tuple


def rigid_terms_for(policy: Policy, as_of: date, area_type: str, terms: Terms | None = None) -> RigidTerms:
    """Rigid-expenditure parameters in force on ``as_of`` (R-LI-03 (2)–(4), R-LI-05)."""
    terms = terms if terms is not None else terms_for(policy, as_of, area_type)
    income = policy.entry(f"rigid.disposable_income.{area_type}", as_of)
    ratio = policy.entry("rigid.expenditure_ratio", as_of)
    overrides, notes = {}, []
    for name, key in ASSET_PARAMETERS.items():
        entry = optional_entry(policy, key, as_of)
        if entry is not None:
            overrides[name] = entry.value
            notes.append(f"{key} = {entry.value}（出处：{entry.source}）")
    validity = optional_entry(policy, "rigid.validity_months", as_of)
    return RigidTerms(disposable_income=income.value, disposable_source=income.source,
                      expenditure_ratio=ratio.value, ratio_source=ratio.source,
                      assets=AssetLimits.of(terms, **overrides),
                      assets_source="；".join(notes) if notes else "沿用低保财产规定",
                      validity_months=None if validity is None else validity.value)


def rigid_expenditure_status(facts: RigidFacts, terms: RigidTerms, trace: Trace | None = None) -> RigidResult:
    """Recognize a 刚性支出困难家庭 (R-LI-03); returns every failing reason code and a Chinese trace
    (appended to ``trace`` when given).

    Thresholds are strict as in S5 art.4: income exactly at the disposable income fails (2); a
    share exactly at the ratio fails (4). The share is compared without dividing
    (expenditure > ratio × income), so zero income with any rigid expenditure passes (4). Asset
    limits are inclusive, as for dibao (3)."""
    unknown = set(facts.expenditure) - set(RIGID_ITEMS)
    if unknown:
        raise ValueError(f"unknown rigid expenditure items: {sorted(unknown)}")
    if facts.status not in CURRENT_STATUSES:
        raise ValueError(f"unknown current status {facts.status!r}")
    trace = trace if trace is not None else Trace()
    reasons = []
    if facts.status in ("dibao", "tekun", "edge"):
        reasons.append(RIGID_ALREADY_COVERED)
    trace.add("R-LI-03", f"（一）未纳入低保、特困且未认定为低保边缘家庭（现状：{_STATUS_WORDS[facts.status]}）",
              RIGID_ALREADY_COVERED not in reasons)
    pci = round2(facts.annual_income / facts.size)
    if not pci < terms.disposable_income:
        reasons.append(RIGID_INCOME_ABOVE_DISPOSABLE)
    trace.add("R-LI-03", f"（二）家庭年人均收入 {yuan(pci)} = {yuan(facts.annual_income)} ÷ {facts.size} 人，须低于上年度"
                         f"居民人均可支配收入 {yuan(terms.disposable_income)}（出处：{terms.disposable_source}）", pci)
    asset_codes = [ASSET_CODES[c] for c in asset_failures(facts.assets, facts.size, terms.assets, trace)]
    reasons.extend(asset_codes)
    trace.add("R-LI-03", f"（三）家庭财产须符合当地规定（{terms.assets_source}）："
                         + (f"不符合（{'、'.join(asset_codes)}）" if asset_codes else "符合"), not asset_codes)
    total = Decimal(0)
    for item in RIGID_ITEMS:
        amount = Decimal(facts.expenditure.get(item, 0))
        if amount:
            trace.add("R-LI-04", f"近12个月刚性支出：{ITEM_WORDS[item]}", amount)
        total += amount
    line = terms.expenditure_ratio * facts.annual_income
    if not total > line:
        reasons.append(RIGID_SHARE_NOT_ABOVE_RATIO)
    trace.add("R-LI-03", f"（四）近12个月刚性支出合计 {yuan(total)} 须超过家庭总收入 {yuan(facts.annual_income)} × "
                         f"{terms.expenditure_ratio}（{yuan(line)}；出处：{terms.ratio_source}）", total)
    eligible = not reasons
    trace.add("R-LI-03", "认定为刚性支出困难家庭" if eligible else "不符合刚性支出困难家庭认定条件：" + "、".join(reasons), eligible)
    return RigidResult(eligible=eligible, status="rigid" if eligible else "ineligible", reasons=tuple(reasons),
                       per_capita_income=pci, rigid_total=total, expenditure_line=line, trace=trace.steps())
