"""Declared versus verified figures, item by item (R-VER-05, R-INC-02, R-AST-05).

The household declares each member's monthly income by kind (R-INC-02) and the household's assets
(R-AST-05); 核对 finds figures per member and item. This module compares the two under the county's
tolerance (``verification.tolerance.*``, dated and cited like every parameter) and merges them into
the one set of figures the case uses: an item verification found replaces the declared one, an item
it did not report keeps the declaration (the same rule as the proposal's request).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .params import Policy
from .policy_params import optional_entry

ZERO = Decimal("0")
INCOME_KINDS = ("wage", "business", "property", "transfer")
INCOME_LABELS = {"wage": "工资性收入", "business": "经营净收入", "property": "财产净收入", "transfer": "转移净收入"}
DEDUCTION_KINDS = ("social_insurance", "income_tax", "medical_extra")
# Household assets as the registry keeps them; verification items map onto them (see verified_assets).
ASSET_KINDS = ("financial", "vehicle_count", "max_vehicle_value", "residential_properties", "business_capital")
ASSET_LABELS = {"financial": "金融资产（元）", "vehicle_count": "机动车（辆）", "max_vehicle_value": "最高车辆价值（元）",
                "residential_properties": "住房（套）", "business_capital": "市场主体注册资本（元）"}
COUNT_ASSETS = ("vehicle_count", "residential_properties")  # compared exactly: a count has no tolerance

TOLERANCE_PERCENT = "verification.tolerance.percent"
TOLERANCE_AMOUNT = "verification.tolerance.amount"
# A policy without the parameters: 1 yuan, the rounding margin the batch comparison uses (batch/verification.py).
DEFAULT_PERCENT, DEFAULT_AMOUNT = Decimal("0"), Decimal("1")


@dataclass(frozen=True)
class Tolerance:
    """A money item agrees when |verified − declared| ≤ max(amount, percent % × |declared|)."""

    percent: Decimal
    amount: Decimal
    source: str = ""

    def allowed(self, declared: Decimal) -> Decimal:
        return max(self.amount, abs(declared) * self.percent / 100)

    def text(self) -> str:
        pct = f"申报额的 {self.percent.normalize():f}%" if self.percent else ""
        amt = f"{self.amount.normalize():f} 元" if self.amount or not pct else ""
        return "、".join(p for p in (amt, pct) if p) + ("（取较大者）" if pct and amt else "")


def tolerance_for(policy: Policy, as_of: date) -> Tolerance:
    """The county's declared/verified tolerance in force on ``as_of`` (defaults: 1 yuan, 0 %)."""
    pct, amt = optional_entry(policy, TOLERANCE_PERCENT, as_of), optional_entry(policy, TOLERANCE_AMOUNT, as_of)
    sources = "；".join(dict.fromkeys(e.source for e in (pct, amt) if e is not None))
    return Tolerance(percent=Decimal(str(pct.value)) if pct else DEFAULT_PERCENT,
                     amount=Decimal(str(amt.value)) if amt else DEFAULT_AMOUNT,
                     source=sources or "未设置，按 1 元取整误差")


@dataclass(frozen=True)
class Row:
    """One item of the comparison: ``member`` is a person id (``""`` for the household's assets)."""

    member: str
    item: str
    label: str
    declared: Decimal
    verified: Decimal | None  # None: verification did not report the item (the declaration stands)
    within: bool

    @property
    def difference(self) -> Decimal | None:
        return None if self.verified is None else self.verified - self.declared

    @property
    def used(self) -> Decimal:
        return self.declared if self.verified is None else self.verified


def verified_income(items: Iterable[Mapping]) -> dict[str, dict[str, Decimal]]:
    """Per member, per income or deduction kind: the sum of the verification items."""
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for it in items:
        if it["item"] in INCOME_KINDS or it["item"] in DEDUCTION_KINDS:
            out[str(it["member"])][it["item"]] += Decimal(str(it["amount"]))
    return {m: dict(kinds) for m, kinds in out.items()}


def verified_assets(items: Iterable[Mapping]) -> dict[str, Decimal]:
    """The household's assets as verification found them, only for the kinds it reported."""
    found: dict[str, list[Decimal]] = defaultdict(list)
    for it in items:
        found[it["item"]].append(Decimal(str(it["amount"])))
    out: dict[str, Decimal] = {}
    if "financial" in found:
        out["financial"] = sum(found["financial"], ZERO)
    if "vehicle" in found:
        out["vehicle_count"] = Decimal(len(found["vehicle"]))
        out["max_vehicle_value"] = max(found["vehicle"])
    if "residential_property" in found:
        out["residential_properties"] = Decimal(len(found["residential_property"]))
    if "business_capital" in found:
        out["business_capital"] = sum(found["business_capital"], ZERO)
    return out


def compare(declared_income: Mapping[str, Mapping[str, Decimal]], declared_assets: Mapping[str, Decimal],
            items: Iterable[Mapping], tolerance: Tolerance) -> list[Row]:
    """Every declared or verified item, member by member then the household's assets (R-VER-05).

    ``declared_income``: person id → kind → monthly yuan; ``declared_assets``: ASSET_KINDS → value;
    ``items``: verification items ``{member, item, amount}``. Deductions are not declared and are not
    compared (verification alone knows them)."""
    items = list(items)
    found_income, found_assets = verified_income(items), verified_assets(items)
    rows = []
    for member in list(declared_income) + [m for m in found_income if m not in declared_income]:
        declared, found = declared_income.get(member, {}), found_income.get(member, {})
        for kind in INCOME_KINDS:
            d = Decimal(declared.get(kind, ZERO))
            v = found.get(kind)
            if not d and v is None:
                continue
            within = v is None or abs(v - d) <= tolerance.allowed(d)
            rows.append(Row(member, kind, INCOME_LABELS[kind] + "（元/月）", d, v, within))
    for kind in ASSET_KINDS:
        d = Decimal(declared_assets.get(kind, ZERO))
        v = found_assets.get(kind)
        if not d and v is None:
            continue
        if v is None:
            within = True
        elif kind in COUNT_ASSETS:
            within = v == d
        else:
            within = abs(v - d) <= tolerance.allowed(d)
        rows.append(Row("", kind, ASSET_LABELS[kind], d, v, within))
    return rows


def differing(rows: Iterable[Row]) -> list[Row]:
    return [r for r in rows if not r.within]
