"""The dibao terms of one area type as exact integer literals for the columnar expressions.

Money is integer fen; rational parameters (rates, ratios) are brought to a common integer scale so
that every comparison and rounding in the expression equals the single-case engine's exact
decimal arithmetic (jiuzhu.rules.dibao, jiuzhu.rules.tiered).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from jiuzhu.rules.params import Policy
from jiuzhu.rules.terms import Terms, terms_for
from jiuzhu.rules.tiered import METHOD_TIERED, tier_terms_for

FEN = 100
UNIT_FEN = {"yuan": 100, "jiao": 10, "fen": 1}  # dibao.rounding → rounding unit in fen


def _frac(value: Decimal) -> Fraction:
    return Fraction(value)


def _fen(value: Decimal) -> Fraction:
    return Fraction(value) * FEN


def _at_least(value: Decimal) -> int:
    """For an integer x: x >= value ⇔ x >= ceil(value); x < value ⇔ x < ceil(value)."""
    return math.ceil(Fraction(value))


def _at_most(value: Decimal) -> int:
    """For an integer x: x <= value ⇔ x <= floor(value); x > value ⇔ x > floor(value)."""
    return math.floor(Fraction(value))


def _lcm(*numbers: int) -> int:
    out = 1
    for n in numbers:
        out = out * n // math.gcd(out, n)
    return out


@dataclass(frozen=True)
class Literals:
    """The terms of one area type as exact integers for the expressions."""

    income_scale: int  # counted income is carried in units of 1/income_scale fen
    deduction_rate_scaled: int  # rate × income_scale (integral by construction)
    deduction_cap_scaled: int  # cap in fen × income_scale
    standard_ceil_fen: int  # pci_fen < standard ⇔ pci_fen < this
    edge_ceil_fen: int  # pci_fen < edge multiplier × standard ⇔ pci_fen < this
    class_c_ceil_fen: int  # pci_fen < class-C ratio × standard ⇔ pci_fen < this
    financial_num: int  # financial_fen × financial_den > financial_num × size ⇔ AST_FINANCIAL
    financial_den: int
    vehicle_value_max_fen: int
    vehicle_count_max: int
    property_max: int
    capital_max_fen: int
    amount_scale: int  # amounts are carried in units of 1/amount_scale fen; a multiple of income_scale
    standard_scaled: int
    minimum_scaled: int
    addon_scaled: int
    rounding_unit_scaled: int  # the benefit rounding unit (元/角/分) in 1/amount_scale fen
    tiered: bool  # 分档 instead of 补差
    tiers: tuple[tuple[int, int], ...]  # (pci_fen < this ceil, amount per person scaled), in order
    special_age_elderly: int
    special_age_minor: int
    special_disability_max: int
    special_mental_max: int
    special_illness: bool
    labour_age_elderly: int
    labour_age_child: int
    labour_mental_max: int
    labour_physical_max: int
    labour_visual_max: int
    labour_illness: bool
    single_disability_max: int
    single_mental_max: int
    single_illness: bool


def literals(terms: Terms, tiers: tuple = ()) -> Literals:
    """Integer literals for ``terms``; ``tiers`` are jiuzhu.rules.tiered.Tier (only for 分档)."""
    rate = _frac(terms.employment_deduction_rate)
    cap = _fen(terms.employment_deduction_cap)
    income_scale = _lcm(rate.denominator, cap.denominator)
    standard = _fen(terms.standard)
    months_standard = _frac(terms.financial_months) * standard
    minimum = _fen(terms.per_capita_minimum)
    addon = _frac(terms.special_addon_ratio) * standard
    tier_amounts = [_frac(t.amount_ratio) * standard for t in tiers]
    amount_scale = _lcm(income_scale, standard.denominator, minimum.denominator, addon.denominator,
                        *(a.denominator for a in tier_amounts))
    return Literals(
        income_scale=income_scale,
        deduction_rate_scaled=int(rate * income_scale),
        deduction_cap_scaled=int(cap * income_scale),
        standard_ceil_fen=math.ceil(standard),
        edge_ceil_fen=math.ceil(_frac(terms.edge_multiplier) * standard),
        class_c_ceil_fen=math.ceil(_frac(terms.class_c_ratio) * standard),
        financial_num=months_standard.numerator,
        financial_den=months_standard.denominator,
        vehicle_value_max_fen=math.floor(_fen(terms.vehicle_value_limit)),
        vehicle_count_max=_at_most(terms.vehicle_count_limit),
        property_max=_at_most(terms.residential_property_limit),
        capital_max_fen=math.floor(_fen(terms.business_capital_limit)),
        amount_scale=amount_scale,
        standard_scaled=int(standard * amount_scale),
        minimum_scaled=int(minimum * amount_scale),
        addon_scaled=int(addon * amount_scale),
        rounding_unit_scaled=UNIT_FEN[terms.benefit_rounding] * amount_scale,
        tiered=bool(tiers),
        tiers=tuple((math.ceil(_frac(t.upper_ratio) * standard), int(a * amount_scale))
                    for t, a in zip(tiers, tier_amounts, strict=True)),
        special_age_elderly=_at_least(terms.special_age_elderly),
        special_age_minor=_at_least(terms.special_age_minor),
        special_disability_max=_at_most(terms.special_disability_max_grade),
        special_mental_max=_at_most(terms.special_mental_max_grade),
        special_illness=bool(terms.special_serious_illness),
        labour_age_elderly=_at_least(terms.labour_age_elderly),
        labour_age_child=_at_least(terms.labour_age_child),
        labour_mental_max=_at_most(terms.labour_mental_max_grade),
        labour_physical_max=_at_most(terms.labour_physical_max_grade),
        labour_visual_max=_at_most(terms.labour_visual_max_grade),
        labour_illness=bool(terms.labour_serious_illness),
        single_disability_max=_at_most(terms.single_disability_max_grade),
        single_mental_max=_at_most(terms.single_mental_max_grade),
        single_illness=bool(terms.single_serious_illness),
    )


def literals_for(policy: Policy, as_of: date, area_type: str) -> Literals:
    """The literals of ``policy`` on ``as_of`` for one area type, with the tier table when the region's
    ``dibao.method`` is ``tiered``."""
    terms = terms_for(policy, as_of, area_type)
    tiers = tier_terms_for(policy, as_of).tiers if terms.benefit_method == METHOD_TIERED else ()
    return literals(terms, tiers)


# literals that only depend on parameters without an area type (everything but the standard)
MEMBER_FIELDS = ("income_scale", "deduction_rate_scaled", "deduction_cap_scaled", "special_age_elderly",
                 "special_age_minor", "special_disability_max", "special_mental_max", "special_illness",
                 "labour_age_elderly", "labour_age_child", "labour_mental_max", "labour_physical_max",
                 "labour_visual_max", "labour_illness", "single_disability_max", "single_mental_max", "single_illness")
_AMOUNT_FIELDS = ("standard_scaled", "minimum_scaled", "addon_scaled", "rounding_unit_scaled")


def on_common_scale(by_area: dict[str, Literals]) -> dict[str, Literals]:
    """The literals of every area type carried on one amount scale (the lcm of theirs), so that one
    expression can pick each household's area values; also checks that the member-level literals
    (all parameters but the standard) agree between areas, as they must for one policy and date."""
    first = next(iter(by_area.values()))
    for lit in by_area.values():
        differing = [f for f in MEMBER_FIELDS if getattr(lit, f) != getattr(first, f)]
        if differing or lit.tiered != first.tiered or len(lit.tiers) != len(first.tiers):
            raise ValueError(f"area types disagree on area-independent parameters: {differing}")
    scale = _lcm(*(lit.amount_scale for lit in by_area.values()))
    out = {}
    for area, lit in by_area.items():
        k = scale // lit.amount_scale
        out[area] = replace(lit, amount_scale=scale, tiers=tuple((ceil, amount * k) for ceil, amount in lit.tiers),
                            **{f: getattr(lit, f) * k for f in _AMOUNT_FIELDS})
    return out


if not set(MEMBER_FIELDS) <= {f.name for f in fields(Literals)}:  # a programming error, caught at import
    raise ImportError("MEMBER_FIELDS names a field that Literals lacks")
