"""The asset test (R-AST-01, R-AST-02, R-AST-04, R-AST-05): returns every failing code."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .explain import Trace, yuan
from .model import Assets
from .terms import Terms

AST_FINANCIAL = "AST_FINANCIAL"
AST_VEHICLE = "AST_VEHICLE"
AST_PROPERTY = "AST_PROPERTY"
AST_BUSINESS = "AST_BUSINESS"
_MOTOR = ("car", "truck")  # motorcycles and disability vehicles never fail (R-AST-04)


@dataclass(frozen=True)
class AssetLimits:
    """The limits the asset test reads; :class:`Terms` has the same attribute names (dibao limits),
    other programs (刚性支出, R-LI-03 (3)) build their own."""

    standard: Decimal
    financial_months: Decimal
    vehicle_value_limit: Decimal
    vehicle_count_limit: Decimal
    residential_property_limit: Decimal
    business_capital_limit: Decimal

    @classmethod
    def of(cls, terms: Terms, **overrides) -> AssetLimits:
        values = {name: getattr(terms, name) for name in cls.__dataclass_fields__}
        values.update(overrides)
        return cls(**values)


def asset_failures(assets: Assets, size: int, terms: Terms | AssetLimits, trace: Trace | None = None) -> list[str]:
    """Codes of the asset limits exceeded; empty when the household passes (limits inclusive)."""
    codes = []
    # financial / size > months × standard, compared without dividing so the test is exact
    limit = terms.financial_months * terms.standard
    if assets.financial > limit * size:
        codes.append(AST_FINANCIAL)
    if trace is not None:
        trace.add("R-AST-05", f"人均金融资产 {yuan(assets.financial)} ÷ {size} 与上限 {terms.financial_months} × 标准 "
                              f"{yuan(terms.standard)} 比较：{'超过' if AST_FINANCIAL in codes else '未超过'}", limit)
    motor = [v for v in assets.vehicles if v.kind in _MOTOR]
    too_valuable = [v for v in motor if v.value > terms.vehicle_value_limit]
    if too_valuable or len(motor) > terms.vehicle_count_limit:
        codes.append(AST_VEHICLE)
    if trace is not None:
        trace.add("R-AST-04", f"机动车（轿车、货车）{len(motor)} 辆，上限 {terms.vehicle_count_limit} 辆、单辆价值上限 "
                              f"{yuan(terms.vehicle_value_limit)} 元；摩托车、残疾人功能性补偿代步车不计："
                              f"{'不符合' if AST_VEHICLE in codes else '符合'}", terms.vehicle_value_limit)
    if assets.residential_properties > terms.residential_property_limit:
        codes.append(AST_PROPERTY)
    if trace is not None:
        trace.add("R-AST-05", f"住房 {assets.residential_properties} 套，上限 {terms.residential_property_limit} 套："
                              f"{'不符合' if AST_PROPERTY in codes else '符合'}", str(assets.residential_properties))
    if assets.business_registered_capital > terms.business_capital_limit:
        codes.append(AST_BUSINESS)
    if trace is not None:
        trace.add("R-AST-05", f"经营主体注册资本 {yuan(assets.business_registered_capital)} 元，上限 "
                              f"{yuan(terms.business_capital_limit)} 元：{'不符合' if AST_BUSINESS in codes else '符合'}",
                  assets.business_registered_capital)
    return codes
