"""The policy terms in force for one evaluation: every parameter looked up once on ``as_of``.

Rules read numbers only from here, never from literals, so a policy is data (R-STD-01, §19).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .params import Policy
from .params.enums import ENUM_DEFAULTS


@dataclass(frozen=True)
class Terms:
    policy: str
    as_of: date
    area_type: str
    standard: Decimal
    standard_source: str
    standard_start: date
    employment_deduction_rate: Decimal
    employment_deduction_cap: Decimal
    financial_months: Decimal
    vehicle_value_limit: Decimal
    vehicle_count_limit: Decimal
    residential_property_limit: Decimal
    business_capital_limit: Decimal
    special_addon_ratio: Decimal
    per_capita_minimum: Decimal
    class_c_ratio: Decimal
    recheck_stable: Decimal
    recheck_unstable: Decimal
    edge_multiplier: Decimal
    special_age_elderly: Decimal
    special_age_minor: Decimal
    special_disability_max_grade: Decimal
    special_mental_max_grade: Decimal
    special_serious_illness: bool
    labour_age_elderly: Decimal
    labour_age_child: Decimal
    labour_mental_max_grade: Decimal
    labour_physical_max_grade: Decimal
    labour_visual_max_grade: Decimal
    labour_serious_illness: bool
    single_disability_max_grade: Decimal
    single_mental_max_grade: Decimal
    single_serious_illness: bool
    tekun_basic_multiplier: Decimal
    tekun_minor_age: Decimal
    tekun_adl_partial_from: Decimal
    tekun_adl_full_from: Decimal
    care_ratio_self_care: Decimal
    care_ratio_partial: Decimal
    care_ratio_full: Decimal
    temporary_cap_emergency: Decimal
    temporary_cap_expenditure: Decimal
    township_limit_multiple: Decimal
    # optional parameters (absent → the reference behaviour)
    benefit_method: str = ENUM_DEFAULTS["dibao.method"]  # "gap" or "tiered" (R-DB-03)
    benefit_rounding: str = ENUM_DEFAULTS["dibao.rounding"]  # "yuan", "jiao" or "fen"
    tekun_basic_standard: Decimal | None = None  # published amount; else multiplier × standard
    tekun_basic_source: str = ""
    # 临时救助 (R-TA-02, R-TA-03): absent → the reference contract (assets block 急难型; edge line for 支出型)
    temporary_emergency_asset_test: bool = True
    temporary_expenditure_test: str = ENUM_DEFAULTS["temporary.expenditure_income_test"]  # "edge" | "disposable"
    temporary_disposable_income: Decimal | None = None  # yuan / person / year, last year
    temporary_disposable_source: str = ""
    # 不共同居住的法定义务人 (年审 plan 三(2)四): absent → obligors' income and assets are not counted
    obligor_share: Decimal | None = None
    obligor_exempt_multiple: Decimal | None = None
    obligor_source: str = ""


_KEYS = {
    "employment_deduction_rate": "income.employment_deduction_rate",
    "employment_deduction_cap": "income.employment_deduction_cap",
    "financial_months": "assets.financial_months",
    "vehicle_value_limit": "assets.vehicle_value_limit",
    "vehicle_count_limit": "assets.vehicle_count_limit",
    "residential_property_limit": "assets.residential_property_limit",
    "business_capital_limit": "assets.business_capital_limit",
    "special_addon_ratio": "dibao.special_addon_ratio",
    "per_capita_minimum": "dibao.per_capita_minimum",
    "class_c_ratio": "dibao.class_c_ratio",
    "recheck_stable": "dibao.recheck_months.stable",
    "recheck_unstable": "dibao.recheck_months.unstable",
    "edge_multiplier": "edge.multiplier",
    "special_age_elderly": "classify.special.age_elderly",
    "special_age_minor": "classify.special.age_minor",
    "special_disability_max_grade": "classify.special.disability_max_grade",
    "special_mental_max_grade": "classify.special.mental_max_grade",
    "special_serious_illness": "classify.special.serious_illness",
    "labour_age_elderly": "classify.labour.age_elderly",
    "labour_age_child": "classify.labour.age_child",
    "labour_mental_max_grade": "classify.labour.mental_max_grade",
    "labour_physical_max_grade": "classify.labour.physical_max_grade",
    "labour_visual_max_grade": "classify.labour.visual_max_grade",
    "labour_serious_illness": "classify.labour.serious_illness",
    "single_disability_max_grade": "single.disability_max_grade",
    "single_mental_max_grade": "single.mental_max_grade",
    "single_serious_illness": "single.serious_illness",
    "tekun_basic_multiplier": "tekun.basic_multiplier",
    "tekun_minor_age": "tekun.minor_age",
    "tekun_adl_partial_from": "tekun.adl_partial_from",
    "tekun_adl_full_from": "tekun.adl_full_from",
    "care_ratio_self_care": "tekun.care_ratio.self_care",
    "care_ratio_partial": "tekun.care_ratio.partial",
    "care_ratio_full": "tekun.care_ratio.full",
    "temporary_cap_emergency": "temporary.cap_multiple.emergency",
    "temporary_cap_expenditure": "temporary.cap_multiple.expenditure",
    "township_limit_multiple": "temporary.township_limit_multiple",
}
_FLAGS = {"special_serious_illness", "labour_serious_illness", "single_serious_illness"}


def terms_for(policy: Policy, as_of: date, area_type: str) -> Terms:
    """Look up every parameter in force on ``as_of`` (the standard for ``area_type``, R-DB-02)."""
    standard = policy.entry(f"dibao.standard.{area_type}", as_of)
    values = {}
    for name, key in _KEYS.items():
        value = policy.lookup(key, as_of)
        values[name] = value != 0 if name in _FLAGS else value
    for name, key in (("benefit_method", "dibao.method"), ("benefit_rounding", "dibao.rounding")):
        if key in policy.params:
            values[name] = policy.lookup(key, as_of)
    if "temporary.emergency_asset_test" in policy.params:
        values["temporary_emergency_asset_test"] = policy.lookup("temporary.emergency_asset_test", as_of) != 0
    if "temporary.expenditure_income_test" in policy.params:
        values["temporary_expenditure_test"] = policy.lookup("temporary.expenditure_income_test", as_of)
    disposable_key = f"temporary.disposable_income.{area_type}"
    if disposable_key in policy.params:
        disposable = policy.entry(disposable_key, as_of)
        values.update(temporary_disposable_income=disposable.value, temporary_disposable_source=disposable.source)
    if all(any(v.start <= as_of for v in policy.params.get(k, ())) for k in ("obligor.share", "obligor.exempt_multiple")):
        share = policy.entry("obligor.share", as_of)
        values.update(obligor_share=share.value, obligor_exempt_multiple=policy.lookup("obligor.exempt_multiple", as_of),
                      obligor_source=share.source)
    basic_key = f"tekun.basic_standard.{area_type}"
    if basic_key in policy.params:
        basic = policy.entry(basic_key, as_of)
        values.update(tekun_basic_standard=basic.value, tekun_basic_source=basic.source)
    return Terms(policy=policy.name, as_of=as_of, area_type=area_type, standard=standard.value,
                 standard_source=standard.source, standard_start=standard.start, **values)
