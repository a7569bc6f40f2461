"""The one-query DuckDB bound of the ``rules`` bench: the reference dibao formula (补差, §3 of
spec/reference-policy.md) written by hand as a single SQL statement over the two Parquet files.

No Ibis, no Arrow hand-over, no second pass: DuckDB reads the files, groups the persons, joins the
households and computes status, class and amount in one statement, ordered by household, to Arrow
or straight to a Parquet file. It is what the columnar rules cost at least on this engine; the
bench reports its time next to the rules' and checks that the two outputs are equal. Only the
补差 method (not 分档) and only the household decisions (not the single-person enrollments).
"""

from __future__ import annotations

from datetime import date

from jiuzhu.batch.dibao import OUTPUT_SCHEMA, area_literals
from jiuzhu.rules.model import AREA_TYPES


def _by_area(values: dict[str, int]) -> str:
    first, *rest = AREA_TYPES
    out = str(values[rest[-1]])
    for area in reversed(rest[:-1]):
        out = f"CASE WHEN area_type = '{area}' THEN {values[area]} ELSE {out} END"
    return f"CASE WHEN area_type = '{first}' THEN {values[first]} ELSE {out} END"


def bound_sql(persons_path: str, households_path: str, *, policy: str, as_of: date) -> str | None:
    """The one SELECT statement, or None for a 分档 policy (the bound covers 补差 only)."""
    lits = area_literals(policy, as_of)
    m = lits[AREA_TYPES[0]]
    if m.tiered:
        return None

    def a(name: str) -> str:
        return _by_area({area: getattr(lit, name) for area, lit in lits.items()})

    q, s, unit = m.amount_scale, m.income_scale, m.rounding_unit_scaled
    disabled = "(disability_kind <> 'none' AND disability_grade >= 1)"
    mental = f"({disabled} AND disability_kind IN ('intellectual', 'mental'))"
    ill = "coalesce(serious_illness, false)"
    special = " OR ".join([f"age >= {m.special_age_elderly}", f"age < {m.special_age_minor}",
                           f"({disabled} AND disability_grade <= {m.special_disability_max})",
                           f"({mental} AND disability_grade <= {m.special_mental_max})",
                           *([ill] if m.special_illness else [])])
    unable = " OR ".join([f"age >= {m.labour_age_elderly}", f"age < {m.labour_age_child}",
                          f"({mental} AND disability_grade <= {m.labour_mental_max})",
                          f"({disabled} AND disability_kind = 'physical' AND disability_grade <= {m.labour_physical_max})",
                          f"({disabled} AND disability_kind = 'visual' AND disability_grade <= {m.labour_visual_max})",
                          *([ill] if m.labour_illness else [])])
    wage = "wage::BIGINT"
    counted = (f"(({wage} + greatest(business::BIGINT, 0) + property + transfer - social_insurance - income_tax"
               f" - medical_extra) * {s} - least({wage} * {m.deduction_rate_scaled}, {m.deduction_cap_scaled}))")
    return f"""
WITH m AS (
  SELECT household_id, count(*) AS size, sum({counted})::BIGINT AS income,
         count(*) FILTER (WHERE {special}) AS specials, count(*) FILTER (WHERE NOT ({unable})) AS able
  FROM read_parquet('{_quote(persons_path)}') GROUP BY household_id
), j AS (
  SELECT h.household_id, area_type, size, specials, able,
         (greatest(income, 0) * 2 + size * {s}) // (size * {s} * 2) AS pci,
         financial::BIGINT * {m.financial_den} > size * {a('financial_num')} OR vehicle_count > {m.vehicle_count_max}
           OR max_vehicle_value > {m.vehicle_value_max_fen} OR residential_properties > {m.property_max}
           OR business_registered_capital > {m.capital_max_fen} AS asset_fail
  FROM read_parquet('{_quote(households_path)}') h JOIN m USING (household_id)
), d AS (
  SELECT *, NOT asset_fail AND pci < {a('standard_ceil_fen')} AS is_dibao FROM j
)
SELECT household_id,
       CASE WHEN asset_fail THEN 'ineligible' WHEN pci < {a('standard_ceil_fen')} THEN 'dibao'
            WHEN pci < {a('edge_ceil_fen')} THEN 'edge' ELSE 'ineligible' END AS status,
       CASE WHEN NOT is_dibao THEN NULL WHEN able = 0 THEN 'A' WHEN specials > 0 THEN 'B'
            WHEN pci < {a('class_c_ceil_fen')} THEN 'C' ELSE 'D' END AS "class",
       CASE WHEN is_dibao THEN
         ((greatest(CASE WHEN able = 0 THEN size * {a('standard_scaled')}
                         ELSE ({a('standard_scaled')} - pci * {q}) * size END, size * {a('minimum_scaled')})
           + specials * {a('addon_scaled')}) * 2 + {unit}) // {2 * unit} * {unit // q}
       ELSE 0 END AS monthly_amount_fen
FROM d ORDER BY household_id"""


def run_bound(con, persons_path: str, households_path: str, *, policy: str, as_of: date, out: str | None = None):
    """Run the bound on a raw DuckDB connection: the Arrow table (cast to the rules' output schema), or
    None after writing ``out``; raises ValueError for a 分档 policy."""
    sql = bound_sql(persons_path, households_path, policy=policy, as_of=as_of)
    if sql is None:
        raise ValueError("the bound covers the 补差 method only")
    if out:
        con.execute(f"COPY ({sql}) TO '{_quote(out)}' (FORMAT parquet)")
        return None
    return con.sql(sql).to_arrow_table().cast(OUTPUT_SCHEMA)


def _quote(path: str) -> str:
    return path.replace("'", "''")
