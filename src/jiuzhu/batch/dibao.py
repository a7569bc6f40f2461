"""Columnar dibao evaluation (spec/reference-policy.md §3, and the region's 分档 method and rounding)
over the Parquet layout of spec/interfaces.md "Columnar rules input".

A pure frame transform: Ibis expressions compiled to DuckDB, no per-row Python. Money is integer fen
throughout; every policy number comes from :func:`jiuzhu.rules.terms.terms_for` for ``as_of`` and
each area type and enters the expression as an exact integer literal (:mod:`.dibao_terms`), so
results equal the single-case engine's exact-decimal arithmetic. Two outputs: one row per household
(status, class, amount) and one row per single-person enrollment (单人户施保) of an edge household
(§3 step 3). ``tests/batch/test_parity.py`` checks both against the single-case engine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa
import pyarrow.compute as pc

from jiuzhu.rules.model import AREA_TYPES
from jiuzhu.rules.params import Policy, load_policy

from .dibao_terms import FEN, Literals, literals_for, on_common_scale
from .engines import duckdb_connection

OUTPUT_SCHEMA = pa.schema([
    ("household_id", pa.int64()),
    ("status", pa.string()),
    ("class", pa.string()),
    ("monthly_amount_fen", pa.int64()),
])
SINGLE_PERSON_SCHEMA = pa.schema([
    ("household_id", pa.int64()),
    ("person_id", pa.int64()),
    ("monthly_amount_fen", pa.int64()),
])
PERSON_COLUMNS = ("person_id", "household_id", "age", "wage", "business", "property", "transfer", "social_insurance",
                  "income_tax", "medical_extra", "disability_kind", "disability_grade", "serious_illness")
HOUSEHOLD_COLUMNS = ("household_id", "area_type", "financial", "vehicle_count", "max_vehicle_value",
                     "residential_properties", "business_registered_capital")
_MENTAL = ("intellectual", "mental")
_I64 = dt.Int64(nullable=False)


class DibaoTables(NamedTuple):
    """The two outputs: ``households`` (:data:`OUTPUT_SCHEMA`, one row per household, by id) and
    ``single_person`` (:data:`SINGLE_PERSON_SCHEMA`, edge households only, by household and person id)."""

    households: pa.Table
    single_person: pa.Table


@ibis.udf.scalar.builtin(name="divide")
def _int_divide(a: dt.int64, b: dt.int64) -> dt.int64:  # type: ignore[empty-body]
    """DuckDB's integer division (``a // b``), truncating toward zero."""


def _floor_div(a, b):
    """Exact floor division of non-negative integer expressions, in integer arithmetic (Ibis's ``//``
    and DuckDB's ``/`` go through floating point)."""
    return _int_divide(a, b)


def _round_half_up(a, unit: int):
    """Non-negative ``a`` rounded half up to a multiple of ``unit``, still in a's units."""
    return _floor_div(a * 2 + unit, unit * 2) * unit


def _i64(column):
    return column.cast("int64")


def _members(p, lit: Literals):
    """Per-person columns: scaled counted income, special member, without labour capacity, and
    whether the person may be enrolled alone from an edge household (R-HH-06)."""
    wage = _i64(p.wage)
    gross = wage + ibis.greatest(_i64(p.business), 0) + _i64(p.property) + _i64(p.transfer)
    minus = _i64(p.social_insurance) + _i64(p.income_tax) + _i64(p.medical_extra)
    deduction = ibis.least(wage * lit.deduction_rate_scaled, lit.deduction_cap_scaled)
    counted = (gross - minus) * lit.income_scale - deduction

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
    single = (
        (disabled & (grade <= lit.single_disability_max))
        | (mental & (grade <= lit.single_mental_max))
        | (illness & ibis.literal(lit.single_illness))
    )
    return p.select(
        person_id=p.person_id,
        household_id=p.household_id,
        counted=counted,
        special=special.ifelse(1, 0),
        able=without_labour.ifelse(0, 1),
        single=single,
    )


class _Pick:
    """Literal attributes as expressions choosing each row's area-type value (one pass over all areas)."""

    def __init__(self, area_column, by_area: dict[str, Literals]):
        self._area, self._by_area = area_column, by_area
        self.member = by_area[AREA_TYPES[0]]  # area-independent literals (on_common_scale checked them)

    def __getattr__(self, name: str):
        values = {area: getattr(lit, name) for area, lit in self._by_area.items()}
        if len(set(values.values())) == 1:
            return next(iter(values.values()))
        first, *rest = AREA_TYPES
        expr = ibis.literal(values[rest[-1]])
        for area in reversed(rest[:-1]):
            expr = (self._area == area).ifelse(values[area], expr)
        return (self._area == first).ifelse(values[first], expr)

    def tier(self, i: int):
        uppers = {area: lit.tiers[i][0] for area, lit in self._by_area.items()}
        amounts = {area: lit.tiers[i][1] for area, lit in self._by_area.items()}
        return _Pick(self._area, {a: _TierLit(uppers[a], amounts[a]) for a in self._by_area})


class _TierLit(NamedTuple):
    upper_ceil: int
    amount: int


def _base_scaled(t, pci, size, lit: _Pick):
    """Household base benefit before floor and add-on, in 1/amount_scale fen (R-DB-03)."""
    q = lit.amount_scale
    if not lit.member.tiered:  # 补差; class A gets the full standard
        return (t.able == 0).ifelse(size * lit.standard_scaled, (lit.standard_scaled - pci * q) * size)
    # 分档: amount_ratio(tier of pci) × standard × size, rounded to the region's unit first; class A
    # (常补对象) gets the full standard, as under 补差
    cases = []
    for i in range(len(lit.member.tiers)):
        tier = lit.tier(i)
        cases.append((pci < tier.upper_ceil, size * tier.amount))
    tiered = _round_half_up(ibis.cases(*cases, else_=0), lit.rounding_unit_scaled)
    return (t.able == 0).ifelse(size * lit.standard_scaled, tiered)


def _member_totals(persons, lit: Literals):
    """Per household: size, scaled counted income, special members and members able to work."""
    return _totals(_members(persons, lit))


def _totals(members):
    """:func:`_member_totals` from the per-person columns of :func:`_members`."""
    # DuckDB sums integers as HUGEINT; Ibis drops a cast to nullable int64 (its type for the sum), so
    # cast to non-nullable int64 to keep the arithmetic below in BIGINT
    return members.group_by("household_id").aggregate(
        size=members.household_id.count().cast(_I64),
        income=members.counted.sum().cast(_I64),
        specials=members.special.sum().cast(_I64),
        able=members.able.sum().cast(_I64),
    )


def _households_expr(persons, households, by_area: dict[str, Literals], *, with_area: bool = False):
    return _decisions(households, _member_totals(persons, by_area[AREA_TYPES[0]]), by_area, with_area=with_area)


def _decisions(households, agg, by_area: dict[str, Literals], *, with_area: bool = False):
    """The household decisions from the households and their member totals (:func:`_member_totals`);
    ``with_area`` adds each household's ``area_type`` as a last column."""
    j = households.join(agg, "household_id")
    lit = _Pick(j.area_type, by_area)
    # pci (fen) = round half up of income / (scale × size); non-negative, so (2a + d) // (2d)
    d = j.size * lit.member.income_scale
    asset_fail = (
        (_i64(j.financial) * lit.financial_den > j.size * lit.financial_num)
        | (j.vehicle_count > lit.vehicle_count_max)
        | (_i64(j.max_vehicle_value) > lit.vehicle_value_max_fen)
        | (j.residential_properties > lit.property_max)
        | (_i64(j.business_registered_capital) > lit.capital_max_fen)
    )
    # computed once here; DuckDB would otherwise evaluate the inlined pci expression many times
    t = j.select("household_id", "area_type", "size", "specials", "able",
                 pci=_floor_div(ibis.greatest(j.income, 0) * 2 + d, d * 2), asset_fail=asset_fail)
    lit = _Pick(t.area_type, by_area)
    size, pci = t.size, t.pci
    below_standard = pci < lit.standard_ceil_fen
    is_dibao = ~t.asset_fail & below_standard
    status = ibis.cases(
        (t.asset_fail, "ineligible"),
        (below_standard, "dibao"),
        (pci < lit.edge_ceil_fen, "edge"),
        else_="ineligible",
    )
    cls = ibis.cases(
        (t.able == 0, "A"),
        (t.specials > 0, "B"),
        (pci < lit.class_c_ceil_fen, "C"),
        else_="D",
    )
    base = ibis.greatest(_base_scaled(t, pci, size, lit), size * lit.minimum_scaled)
    total = base + t.specials * lit.addon_scaled  # in 1/amount_scale fen, non-negative
    u = t.select("household_id", "area_type", status=status, is_dibao=is_dibao, cls=cls,
                 total=is_dibao.ifelse(total, 0), unit=lit.rounding_unit_scaled)
    amount_fen = _floor_div(_round_half_up(u.total, u.unit), lit.member.amount_scale)
    return u.select(
        household_id=u.household_id,
        status=u.status,
        **{"class": u.is_dibao.ifelse(u.cls, ibis.null("string"))},
        monthly_amount_fen=amount_fen.cast("int64"),
        **({"area_type": u.area_type} if with_area else {}),
    )


def _single_expr(persons, edge_households, by_area: dict[str, Literals]):
    """单人户施保 of edge households (§3 step 3, R-HH-06): amount = round(max(standard − own counted
    income, minimum) + add-on ratio × standard) to the region's unit, for each qualifying member.
    ``edge_households`` has ``household_id`` and ``area_type``."""
    return _single_from_members(_members(persons.semi_join(edge_households, "household_id"), by_area[AREA_TYPES[0]]),
                                edge_households, by_area)


def _single_from_members(m, edge_households, by_area: dict[str, Literals]):
    """:func:`_single_expr` from the per-person columns of :func:`_members`."""
    m = m.filter(m.single).join(edge_households, "household_id")
    lit = _Pick(m.area_type, by_area)
    own = ibis.greatest(m.counted, 0) * (lit.amount_scale // lit.member.income_scale)
    gap = ibis.greatest(lit.standard_scaled - own, lit.minimum_scaled)
    amount = _floor_div(_round_half_up(gap + lit.addon_scaled, lit.rounding_unit_scaled), lit.amount_scale)
    return m.select(household_id=m.household_id, person_id=m.person_id, monthly_amount_fen=amount.cast("int64"))


def area_literals(policy: str | Policy, as_of: date) -> dict[str, Literals]:
    """The integer literals of every area type for ``policy`` on ``as_of``, on one amount scale."""
    loaded = policy if isinstance(policy, Policy) else load_policy(policy)
    return on_common_scale({area: literals_for(loaded, as_of, area) for area in AREA_TYPES})


def dibao_expr(persons, households, *, policy: str | Policy, as_of: date):
    """The Ibis expression (unexecuted) for the dibao decision of every household."""
    return _households_expr(persons, households, area_literals(policy, as_of)).order_by("household_id")


def single_person_expr(persons, households, decided, *, policy: str | Policy, as_of: date):
    """The Ibis expression for the single-person enrollments, given the household decisions."""
    edge = decided.filter(decided.status == "edge").select("household_id")
    edge = households.select("household_id", "area_type").semi_join(edge, "household_id")
    return _single_expr(persons, edge, area_literals(policy, as_of)).order_by(["household_id", "person_id"])


def _check_inputs(persons: pa.Table, households: pa.Table) -> None:
    for name, table, columns in (("persons", persons, PERSON_COLUMNS), ("households", households, HOUSEHOLD_COLUMNS)):
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise ValueError(f"{name} table lacks columns: {', '.join(missing)}")


# Declared input types (spec/interfaces.md "Columnar rules input"). The SQL is compiled against these;
# narrower declarations keep every widening cast in the SQL, so wider inputs (int64 money) work too.
PERSON_TYPES = {"person_id": "int64", "household_id": "int64", "age": "int32", "wage": "int32", "business": "int32",
                "property": "int32", "transfer": "int32", "social_insurance": "int32", "income_tax": "int32",
                "medical_extra": "int32", "disability_kind": "string", "disability_grade": "int32",
                "serious_illness": "boolean"}
HOUSEHOLD_TYPES = {"household_id": "int64", "area_type": "string", "financial": "int32", "vehicle_count": "int32",
                   "max_vehicle_value": "int32", "residential_properties": "int32",
                   "business_registered_capital": "int32"}
_NAMES = ("jz_persons", "jz_households", "jz_decided")


@lru_cache(maxsize=32)
def compiled_sql(policy: str, as_of: date) -> CompiledSql:
    """The DuckDB statements (:class:`CompiledSql`) over tables named jz_persons, jz_households,
    jz_members and jz_decided. Compiling the Ibis expressions costs about as much as a tenth of a million-household
    run, so it is done once per policy and date (policies are cached by the loader the same way)."""
    return _compile(policy, as_of)


def _compile(policy: str | Policy, as_of: date) -> CompiledSql:
    """Compilation for a policy object (e.g. one with data-entered dated values laid over its files,
    :mod:`jiuzhu.rules.params.overlay`): cached by the exact integer literals in force on ``as_of``,
    which are all the SQL depends on, so two objects with the same values share one compilation."""
    return _compile_literals(tuple(sorted(area_literals(policy, as_of).items())))


_MEMBERS = "jz_members"
_MEMBERS_TYPES = {"person_id": "int64", "household_id": "int64", "counted": "int64", "special": "int8",
                  "able": "int8", "single": "boolean"}


class CompiledSql(NamedTuple):
    """The DuckDB statements of one policy and date: ``members`` (the per-person columns of every
    person, from jz_persons), ``households`` (the decisions ordered by household, with area_type
    last, from jz_households and the table jz_members that ``members`` filled), ``single_person``
    (the enrollments, from jz_members and jz_decided = the edge households with their area type) and
    ``households_direct`` (the decisions straight from jz_persons, when no enrollments are wanted)."""

    members: str
    households: str
    single_person: str
    households_direct: str


@lru_cache(maxsize=64)
def _compile_literals(key: tuple) -> CompiledSql:
    by_area = dict(key)
    p = ibis.table(PERSON_TYPES, name=_NAMES[0])
    h = ibis.table(HOUSEHOLD_TYPES, name=_NAMES[1])
    members = ibis.table(_MEMBERS_TYPES, name=_MEMBERS)
    # the edge households with their area type, handed over from the decisions (so the enrollments
    # read neither the households nor the persons again)
    edge = ibis.table({"household_id": "int64", "area_type": "string"}, name=_NAMES[2])

    def sql(expr) -> str:
        return str(ibis.to_sql(expr, dialect="duckdb"))

    return CompiledSql(
        members=sql(_members(p, by_area[AREA_TYPES[0]])),
        households=sql(_decisions(h, _totals(members), by_area, with_area=True).order_by("household_id")),
        single_person=sql(_single_from_members(members, edge, by_area).order_by(["household_id", "person_id"])),
        households_direct=sql(_households_expr(p, h, by_area, with_area=True).order_by("household_id")),
    )


def evaluate_dibao_table(persons: pa.Table, households: pa.Table, *, policy: str | Policy, as_of: date,
                         con=None, single_person: bool = True) -> DibaoTables:
    """Evaluate program dibao for every household of the two tables.

    Returns :class:`DibaoTables`: ``households`` = ``household_id, status, class, monthly_amount_fen``
    ordered by household_id, and ``single_person`` = ``household_id, person_id, monthly_amount_fen``
    for the single-person enrollments of edge households. ``policy`` is a policy name or a loaded
    :class:`Policy`. ``con`` is an Ibis DuckDB backend (a new
    in-memory one by default). ``single_person=False`` skips the single-person enrollments (returned
    empty) for callers that need only the household decisions. Raises ``ValueError`` for missing columns, an unknown area type, or a
    household without persons."""
    _check_inputs(persons, households)
    raw = (con if con is not None else duckdb_connection()).con
    try:
        raw.register(_NAMES[0], persons.select(list(PERSON_COLUMNS)))
        raw.register(_NAMES[1], households.select(list(HOUSEHOLD_COLUMNS)))
        return run_compiled(raw, policy=policy, as_of=as_of, households=households.num_rows,
                            single_person=single_person)
    finally:
        for name in _NAMES[:2]:
            raw.unregister(name)


def run_compiled(raw, *, policy: str | Policy, as_of: date, households: int, single_person: bool = True,
                 on_households: Callable[[pa.Table], object] | None = None) -> DibaoTables:
    """The compiled statements on a raw DuckDB connection where ``jz_persons`` and ``jz_households``
    (tables or views with the declared columns) hold ``households`` households. ``on_households`` is
    called with the household decisions as soon as they are known (e.g. to start writing them while
    the single-person enrollments are computed).

    With the enrollments, the persons are read once: their per-person columns go to a temporary
    table that both the household totals and the enrollments read (reading a Parquet file of
    persons a second time costs more than the table)."""
    compiled = (_compile if isinstance(policy, Policy) else compiled_sql)(policy, as_of)
    if not single_person:
        decided = _output(_decided(raw, compiled.households_direct, households))
        if on_households is not None:
            on_households(decided)
        return DibaoTables(decided, SINGLE_PERSON_SCHEMA.empty_table())
    raw.execute(f"CREATE OR REPLACE TEMP TABLE {_MEMBERS} AS {compiled.members}")
    try:
        result = _decided(raw, compiled.households, households)
        decided = _output(result)
        if on_households is not None:
            on_households(decided)
        edge = result.filter(pc.equal(result.column("status"), "edge")).select(["household_id", "area_type"])
        raw.register(_NAMES[2], edge)
        try:
            singles = raw.sql(compiled.single_person).to_arrow_table()
        finally:
            raw.unregister(_NAMES[2])
    finally:
        raw.execute(f"DROP TABLE IF EXISTS {_MEMBERS}")
    return DibaoTables(decided, singles.cast(SINGLE_PERSON_SCHEMA))


def _decided(raw, sql: str, households: int) -> pa.Table:
    """The household decisions (with area_type last, checked against the area types)."""
    result = raw.sql(sql).to_arrow_table()
    if result.num_rows != households:
        raise ValueError(f"{households - result.num_rows} households have no persons "
                         "(or household_id is duplicated)")
    unknown = set(pc.unique(result.column("area_type")).to_pylist()) - set(AREA_TYPES)
    if unknown:
        raise ValueError(f"households.area_type has unknown values: {sorted(map(str, unknown))}")
    return result


def _output(decided: pa.Table) -> pa.Table:
    return decided.select(OUTPUT_SCHEMA.names).cast(OUTPUT_SCHEMA)


# the literals the member totals read (:func:`_members`); policies equal in these share the totals
_MEMBER_TERMS = ("income_scale", "deduction_rate_scaled", "deduction_cap_scaled", "special_age_elderly",
                 "special_age_minor", "special_disability_max", "special_mental_max", "special_illness",
                 "labour_age_elderly", "labour_age_child", "labour_mental_max", "labour_physical_max",
                 "labour_visual_max", "labour_illness")
_TOTALS = "jz_member_totals"
_TOTALS_TYPES = {"household_id": "!int64", "size": "!int64", "income": "!int64", "specials": "!int64",
                 "able": "!int64"}


def _member_terms(by_area: dict[str, Literals]) -> tuple:
    return tuple(getattr(by_area[AREA_TYPES[0]], name) for name in _MEMBER_TERMS)


@lru_cache(maxsize=64)
def _compile_split(key: tuple) -> tuple[str, str]:
    """(member totals SQL over jz_persons, decisions SQL over jz_households and jz_member_totals)."""
    by_area = dict(key)
    p = ibis.table(PERSON_TYPES, name=_NAMES[0])
    h = ibis.table(HOUSEHOLD_TYPES, name=_NAMES[1])
    totals = ibis.table(_TOTALS_TYPES, name=_TOTALS)
    return (str(ibis.to_sql(_member_totals(p, by_area[AREA_TYPES[0]]), dialect="duckdb")),
            str(ibis.to_sql(_decisions(h, totals, by_area).order_by("household_id"), dialect="duckdb")))


def evaluate_dibao_pair(persons: pa.Table, households: pa.Table, *, before: str | Policy, after: str | Policy,
                        as_of: date, con=None) -> tuple[DibaoTables, DibaoTables]:
    """The household decisions under two policies on the same day (a simulation), as two
    :func:`evaluate_dibao_table` calls with ``single_person=False`` would return them. When the two
    policies count income and classify members alike (a change of standards, tiers, add-ons, edge
    multiplier or assets), the member totals — the grouping of every person, most of the work — are
    computed once and only the decisions twice; otherwise the two evaluations run in full."""
    lits = [area_literals(p, as_of) for p in (before, after)]
    if _member_terms(lits[0]) != _member_terms(lits[1]):
        return (evaluate_dibao_table(persons, households, policy=before, as_of=as_of, con=con, single_person=False),
                evaluate_dibao_table(persons, households, policy=after, as_of=as_of, con=con, single_person=False))
    _check_inputs(persons, households)
    (totals_sql, old_sql), (_, new_sql) = (_compile_split(tuple(sorted(by.items()))) for by in lits)
    raw = (con if con is not None else duckdb_connection()).con
    out = []
    try:
        raw.register(_NAMES[0], persons.select(list(PERSON_COLUMNS)))
        raw.register(_NAMES[1], households.select(list(HOUSEHOLD_COLUMNS)))
        raw.register(_TOTALS, raw.sql(totals_sql).to_arrow_table())
        for sql in (old_sql, new_sql):
            result = raw.sql(sql).to_arrow_table()
            if result.num_rows != households.num_rows:
                raise ValueError(f"{households.num_rows - result.num_rows} households have no persons "
                                 "(or household_id is duplicated)")
            out.append(DibaoTables(result.cast(OUTPUT_SCHEMA), SINGLE_PERSON_SCHEMA.empty_table()))
    finally:
        for name in (*_NAMES[:2], _TOTALS):
            raw.unregister(name)
    return out[0], out[1]


__all__ = ["FEN", "OUTPUT_SCHEMA", "SINGLE_PERSON_SCHEMA", "CompiledSql", "DibaoTables", "area_literals", "compiled_sql", "dibao_expr", "run_compiled",
           "evaluate_dibao_pair", "evaluate_dibao_table", "single_person_expr"]
