"""Columnar dibao evaluation (the gap method of spec/reference-policy.md §3) over the Parquet layout
of spec/interfaces.md "Columnar rules input".

A pure frame transform: Ibis expressions compiled to DuckDB, no per-row Python. Money is integer fen
throughout; every policy number comes from :func:`jiuzhu.rules.terms.terms_for` for ``as_of`` and
each area type and enters the expression as an exact integer literal (rational parameters are
brought to a common integer scale first), so results equal the single-case engine's exact-decimal
arithmetic. ``tests/batch/test_parity.py`` checks that, household by household.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from jiuzhu.rules.model import AREA_TYPES
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.terms import Terms, terms_for

from .engines import duckdb_connection

OUTPUT_SCHEMA = pa.schema([
    ("household_id", pa.int64()),
    ("status", pa.string()),
    ("class", pa.string()),
    ("monthly_amount_fen", pa.int64()),
])
PERSON_COLUMNS = ("household_id", "age", "wage", "business", "property", "transfer", "social_insurance",
                  "income_tax", "medical_extra", "disability_kind", "disability_grade", "serious_illness")
HOUSEHOLD_COLUMNS = ("household_id", "area_type", "financial", "vehicle_count", "max_vehicle_value",
                     "residential_properties", "business_registered_capital")
_MENTAL = ("intellectual", "mental")
_FEN = 100


def _frac(value: Decimal) -> Fraction:
    return Fraction(value)


def _fen(value: Decimal) -> Fraction:
    return Fraction(value) * _FEN


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


def _floor_div(a, b):
    """Exact floor division of non-negative integer expressions (DuckDB's ``/`` is floating point,
    so divide only an exact multiple: (a − a mod b) / b)."""
    return ((a - a % b) / b).round().cast("int64")


@dataclass(frozen=True)
class _Literals:
    """The terms of one area type as exact integers for the expressions."""

    income_scale: int  # counted income is carried in units of 1/income_scale fen
    deduction_rate_scaled: Fraction  # must be integral: rate × income_scale
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
    amount_scale: int  # amounts are carried in units of 1/amount_scale fen
    standard_scaled: int
    minimum_scaled: int
    addon_scaled: int
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


def _literals(terms: Terms) -> _Literals:
    rate = _frac(terms.employment_deduction_rate)
    cap = _fen(terms.employment_deduction_cap)
    income_scale = _lcm(rate.denominator, cap.denominator)
    standard = _fen(terms.standard)
    months_standard = _frac(terms.financial_months) * standard
    minimum = _fen(terms.per_capita_minimum)
    addon = _frac(terms.special_addon_ratio) * standard
    amount_scale = _lcm(standard.denominator, minimum.denominator, addon.denominator)
    return _Literals(
        income_scale=income_scale,
        deduction_rate_scaled=rate * income_scale,
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
    )


def _i64(column):
    return column.cast("int64")


def _members(p, lit: _Literals):
    """Per-person columns: scaled counted income, special member, without labour capacity."""
    s = lit.income_scale
    wage = _i64(p.wage)
    gross = wage + ibis.greatest(_i64(p.business), 0) + _i64(p.property) + _i64(p.transfer)
    minus = _i64(p.social_insurance) + _i64(p.income_tax) + _i64(p.medical_extra)
    rate = lit.deduction_rate_scaled
    if rate.denominator == 1:
        deduction = ibis.least(wage * int(rate), lit.deduction_cap_scaled)
    else:  # cannot happen: income_scale is a multiple of the rate's denominator
        raise ValueError("employment deduction rate does not scale to an integer")
    counted = (gross - minus) * s - deduction

    grade = p.disability_grade.cast("int32")
    kind = p.disability_kind
    disabled = (kind != "none") & (grade >= 1)
    mental = disabled & kind.isin(_MENTAL)
    age = p.age.cast("int32")
    illness = p.serious_illness.fill_null(False)
    special = (
        (age >= lit.special_age_elderly)
        | (age < lit.special_age_minor)
        | (disabled & (grade <= lit.special_disability_max))
        | (mental & (grade <= lit.special_mental_max))
        | (illness & ibis.literal(lit.special_illness))
    )
    without_labour = (
        (age >= lit.labour_age_elderly)
        | (age < lit.labour_age_child)
        | (mental & (grade <= lit.labour_mental_max))
        | (disabled & (kind == "physical") & (grade <= lit.labour_physical_max))
        | (disabled & (kind == "visual") & (grade <= lit.labour_visual_max))
        | (illness & ibis.literal(lit.labour_illness))
    )
    return p.select(
        household_id=p.household_id,
        counted=counted,
        special=special.ifelse(1, 0),
        able=without_labour.ifelse(0, 1),
    )


def _area_expr(persons, households, area_type: str, lit: _Literals):
    hh = households.filter(households.area_type == area_type)
    members = _members(persons.semi_join(hh, "household_id"), lit)
    agg = members.group_by("household_id").aggregate(
        size=members.household_id.count().cast("int64"),
        income=members.counted.sum().cast("int64"),
        specials=members.special.sum().cast("int64"),
        able=members.able.sum().cast("int64"),
    )
    t = hh.join(agg, "household_id")
    size = t.size
    income = ibis.greatest(t.income, 0)  # in 1/income_scale fen
    # pci (fen) = round half up of income / (scale × size); non-negative, so (2a + d) // (2d)
    d = size * lit.income_scale
    pci = _floor_div(income * 2 + d, d * 2)

    asset_fail = (
        (_i64(t.financial) * lit.financial_den > size * lit.financial_num)
        | (t.vehicle_count > lit.vehicle_count_max)
        | (_i64(t.max_vehicle_value) > lit.vehicle_value_max_fen)
        | (t.residential_properties > lit.property_max)
        | (_i64(t.business_registered_capital) > lit.capital_max_fen)
    )
    is_dibao = ~asset_fail & (pci < lit.standard_ceil_fen)
    status = ibis.cases(
        (asset_fail, "ineligible"),
        (pci < lit.standard_ceil_fen, "dibao"),
        (pci < lit.edge_ceil_fen, "edge"),
        else_="ineligible",
    )
    cls = ibis.cases(
        (t.able == 0, "A"),
        (t.specials > 0, "B"),
        (pci < lit.class_c_ceil_fen, "C"),
        else_="D",
    )
    q = lit.amount_scale
    base = (t.able == 0).ifelse(size * lit.standard_scaled, (lit.standard_scaled - pci * q) * size)
    base = ibis.greatest(base, size * lit.minimum_scaled)
    total = base + t.specials * lit.addon_scaled  # in 1/q fen, non-negative
    unit = _FEN * q  # one yuan
    amount_fen = _floor_div(total * 2 + unit, unit * 2) * _FEN
    return t.select(
        household_id=t.household_id,
        status=status,
        **{"class": is_dibao.ifelse(cls, ibis.null("string"))},
        monthly_amount_fen=is_dibao.ifelse(amount_fen, 0).cast("int64"),
    )


def dibao_expr(persons, households, *, policy: str, as_of: date):
    """The Ibis expression (unexecuted) for the dibao decision of every household."""
    loaded = load_policy(policy)
    parts = [_area_expr(persons, households, area, _literals(terms_for(loaded, as_of, area))) for area in AREA_TYPES]
    return ibis.union(*parts).order_by("household_id")


def _check_inputs(persons: pa.Table, households: pa.Table) -> None:
    for name, table, columns in (("persons", persons, PERSON_COLUMNS), ("households", households, HOUSEHOLD_COLUMNS)):
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise ValueError(f"{name} table lacks columns: {', '.join(missing)}")
    areas = set(pc.unique(households.column("area_type")).to_pylist())
    unknown = areas - set(AREA_TYPES)
    if unknown:
        raise ValueError(f"households.area_type has unknown values: {sorted(map(str, unknown))}")


def evaluate_dibao_table(persons: pa.Table, households: pa.Table, *, policy: str, as_of: date,
                         con=None) -> pa.Table:
    """Evaluate program dibao for every household; returns ``household_id, status, class,
    monthly_amount_fen`` ordered by household_id (schema :data:`OUTPUT_SCHEMA`).

    Raises ``ValueError`` for missing columns, an unknown area type, or a household without persons."""
    _check_inputs(persons, households)
    con = con if con is not None else duckdb_connection()
    p = ibis.memtable(persons.select(list(PERSON_COLUMNS)))
    h = ibis.memtable(households.select(list(HOUSEHOLD_COLUMNS)))
    result = con.to_pyarrow(dibao_expr(p, h, policy=policy, as_of=as_of))
    if result.num_rows != households.num_rows:
        raise ValueError(f"{households.num_rows - result.num_rows} households have no persons "
                         "(or household_id is duplicated)")
    return result.cast(OUTPUT_SCHEMA)
