"""Verification matching (家庭经济状况核对, R-VER-04): case persons × department snapshots → items,
per-person and per-household totals, the columnar asset test and the differences to the declaration.

One definition in Ibis, run on DuckDB (default, in-process) or PySpark (``engine="pyspark"``). Inputs:

* ``persons`` (:data:`PERSONS_SCHEMA`): every co-resident member and every obligor of each case, with the
  blind index of the ID number (null when the person has no valid ID: listed as not verifiable) and the
  declared monthly income of members in fen;
* ``households`` (:data:`HOUSEHOLDS_SCHEMA`): one row per case with area type, policy, size and the
  declared assets;
* ``snapshots``: dataset code → Parquet path (or Arrow table) of the snapshot used;
* ``terms`` (:data:`TERMS_SCHEMA`): the asset limits per (policy, area type) as exact integers
  (:func:`asset_terms`).

Outputs are sorted on every key column, so the same inputs give the same tables on either engine.
Money is integer fen; monthly amounts are rounded half up to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ibis
import pyarrow as pa

from jiuzhu.rules.model import AREA_TYPES

from .datasets import ASSET_ITEMS, DATASETS, DEDUCTION_ITEMS, INCOME_ITEMS, ItemRule, period_window
from .dibao_terms import literals_for
from .engines import connect

TOLERANCE_FEN = 100  # a monthly income differs from the declaration when off by more than 1 yuan (rounding)

PERSONS_SCHEMA = pa.schema([
    ("case_id", pa.int64()), ("household_id", pa.int64()), ("role", pa.string()), ("ref_id", pa.int64()),
    ("bidx", pa.string()), ("wage", pa.int64()), ("business", pa.int64()), ("property", pa.int64()),
    ("transfer", pa.int64()),
])
HOUSEHOLDS_SCHEMA = pa.schema([
    ("case_id", pa.int64()), ("household_id", pa.int64()), ("area_type", pa.string()), ("policy", pa.string()),
    ("size", pa.int64()), ("financial", pa.int64()), ("vehicle_count", pa.int64()), ("max_vehicle_value", pa.int64()),
    ("residential_properties", pa.int64()), ("business_capital", pa.int64()),
])
TERMS_SCHEMA = pa.schema([
    ("policy", pa.string()), ("area_type", pa.string()), ("financial_num", pa.int64()), ("financial_den", pa.int64()),
    ("vehicle_value_max_fen", pa.int64()), ("vehicle_count_max", pa.int64()), ("property_max", pa.int64()),
    ("capital_max_fen", pa.int64()),
])
KEYS = ["case_id", "household_id", "role", "ref_id"]
ITEM_SORT = KEYS + ["source", "rule_no", "as_of", "row_no"]
MONTHLY = INCOME_ITEMS + DEDUCTION_ITEMS


@dataclass(frozen=True)
class Result:
    items: pa.Table  # one row per item (period items: one per person, source and rule)
    persons: pa.Table  # per person: verified monthly amounts by item (counted only) and differences
    households: pa.Table  # per case: totals, asset flags, difference and not-verifiable counts


def asset_terms(policies: dict, as_of: date) -> pa.Table:
    """:data:`TERMS_SCHEMA` rows for each policy name (→ loaded :class:`Policy`) and area type on ``as_of``:
    the limits of jiuzhu.rules.assets as exact integers (batch.dibao_terms)."""
    rows = []
    for name, policy in sorted(policies.items()):
        for area in AREA_TYPES:
            lit = literals_for(policy, as_of, area)
            rows.append({"policy": name, "area_type": area, "financial_num": lit.financial_num,
                         "financial_den": lit.financial_den, "vehicle_value_max_fen": lit.vehicle_value_max_fen,
                         "vehicle_count_max": lit.vehicle_count_max, "property_max": lit.property_max,
                         "capital_max_fen": lit.capital_max_fen})
    return pa.Table.from_pylist(rows, schema=TERMS_SCHEMA)


def _source_items(code: str, snap, persons, *, as_of: date, months: int):
    ds = DATASETS[code]
    wanted = {"bidx", "row_no"} | {c for r in ds.rules for c in (r.amount, r.date, r.until, *r.detail,
                                                                  *(w for w, _ in r.when)) if c}
    snap = snap.select(*sorted(wanted))
    joined = snap.join(persons, snap.bidx == persons.bidx).select(
        *KEYS, *sorted(wanted - {"bidx"}))
    start, _ = period_window(as_of, months)
    parts = []
    for rule_no, rule in enumerate(ds.rules):
        parts.append(_rule_items(joined, code, rule_no, rule, as_of=as_of, start=start, months=months))
    return parts


def _rule_items(t, code: str, rule_no: int, rule: ItemRule, *, as_of: date, start: date, months: int):
    cond = [t[col].isin(list(values)) for col, values in rule.when]
    on = t[rule.date]
    cond.append(on <= ibis.literal(as_of))
    if rule.mode == "period":
        cond.append(on >= ibis.literal(start))
    if rule.until:
        cond.append(t[rule.until].isnull() | (t[rule.until] > ibis.literal(as_of)))
    t = t.filter(*cond)
    amount = t[rule.amount].fill_null(0).cast("int64") if rule.amount else ibis.literal(0, type="int64")
    consts = dict(source=ibis.literal(code), rule_no=ibis.literal(rule_no, type="int32"),
                  item=ibis.literal(rule.item), grp=ibis.literal(rule.group or f"{code}:{rule_no}"),
                  counted=ibis.literal(rule.counted_on(as_of)))
    if rule.mode == "period":
        g = t.group_by(KEYS).aggregate(total=amount.sum(), as_of=on.max(), records=t.count())
        half_up = ((g.total * 2 + months) // (2 * months)).cast("int64")
        return g.select(*KEYS, **consts, amount_fen=half_up, as_of=g.as_of, records=g.records.cast("int64"),
                        detail=ibis.literal(""), row_no=ibis.literal(0, type="int64"))
    detail = ibis.literal("")
    for i, col in enumerate(rule.detail):
        piece = t[col].cast("string").fill_null("")
        detail = piece if i == 0 else detail + "|" + piece
    return t.select(*KEYS, **consts, amount_fen=amount, as_of=on, records=ibis.literal(1, type="int64"),
                    detail=detail, row_no=t.row_no)


def _left(left, right, keys):
    """Left join keeping the left's columns and the right's other columns (no suffixed duplicates)."""
    joined = left.left_join(right, [left[k] == right[k] for k in keys])
    return joined.select(*[left[c] for c in left.columns], *[right[c] for c in right.columns if c not in keys])


def _pivot(t, items, value):
    return {item: t.item.isin([item]).ifelse(value, 0).sum().cast("int64") for item in items}


def items_expr(persons, snaps: dict, *, as_of: date, months: int):
    """Every item of every person with a blind index, from every snapshot."""
    valid = persons.filter(persons.bidx.notnull()).select(*KEYS, "bidx")
    parts = []
    for code in sorted(snaps):
        parts += _source_items(code, snaps[code], valid, as_of=as_of, months=months)
    return ibis.union(*parts, distinct=False)


def totals_exprs(items, persons, households, terms):
    """(per-person, per-household) expressions over the items."""
    counted = items.filter(items.counted)
    # one income seen by two departments (same group) counts once: the larger amount
    monthly = counted.filter(counted.item.isin(list(MONTHLY))).group_by(KEYS + ["item", "grp"]).aggregate(
        amount_fen=counted.amount_fen.max())
    per_person = monthly.group_by(KEYS).aggregate(**_pivot(monthly, MONTHLY, monthly.amount_fen))
    p = persons.left_join(per_person, [persons[k] == per_person[k] for k in KEYS]).select(
        *[persons[k] for k in KEYS], verifiable=persons.bidx.notnull(),
        **{f"declared_{k}": persons[k] for k in INCOME_ITEMS},
        **{k: per_person[k].fill_null(0) for k in MONTHLY})
    differs = ibis.literal(False)
    for k in INCOME_ITEMS:
        differs = differs | ((p[k] - p[f"declared_{k}"]).abs() > TOLERANCE_FEN)
    p = p.mutate(differs=(p.role == "member") & p.verifiable & differs)

    members = counted.filter(counted.role == "member")
    assets = members.filter(members.item.isin(list(ASSET_ITEMS) + ["deceased"]))
    hh_assets = assets.group_by(["case_id", "household_id"]).aggregate(
        v_financial=assets.item.isin(["financial"]).ifelse(assets.amount_fen, 0).sum().cast("int64"),
        v_vehicle_count=assets.item.isin(["vehicle"]).ifelse(1, 0).sum().cast("int64"),
        v_max_vehicle_value=assets.item.isin(["vehicle"]).ifelse(assets.amount_fen, 0).max().cast("int64"),
        v_residential=assets.item.isin(["residential_property"]).ifelse(1, 0).sum().cast("int64"),
        v_business_capital=assets.item.isin(["business_capital"]).ifelse(assets.amount_fen, 0).sum().cast("int64"))
    deaths = items.filter((items.role == "member") & items.item.isin(["deceased"]))
    deaths = deaths.group_by(["case_id", "household_id"]).aggregate(deceased=deaths.count().cast("int64"))
    pm = p.filter(p.role == "member")
    hh_income = pm.group_by(["case_id", "household_id"]).aggregate(
        **{f"v_{k}": pm[k].sum().cast("int64") for k in MONTHLY},
        income_differences=pm.differs.ifelse(1, 0).sum().cast("int64"),
        unverifiable_members=pm.verifiable.ifelse(0, 1).sum().cast("int64"))
    unv = persons.filter(persons.bidx.isnull() & (persons.role == "obligor"))
    unv = unv.group_by(["case_id", "household_id"]).aggregate(unverifiable_obligors=unv.count().cast("int64"))

    h = households
    for extra in (hh_assets, deaths, hh_income, unv):
        h = _left(h, extra, ["case_id", "household_id"])
    h = h.join(terms, [h.policy == terms.policy, h.area_type == terms.area_type]).select(
        *[h[c] for c in h.columns], *[terms[c] for c in terms.columns if c not in ("policy", "area_type")])
    filled = {c: h[c].fill_null(0).cast("int64") for c in h.columns if c.startswith("v_") or c in (
        "deceased", "income_differences", "unverifiable_members", "unverifiable_obligors")}
    h = h.mutate(**filled)
    net = sum((h[f"v_{k}"] for k in INCOME_ITEMS), ibis.literal(0, type="int64")) - sum(
        (h[f"v_{k}"] for k in DEDUCTION_ITEMS), ibis.literal(0, type="int64"))
    h = h.mutate(
        net_monthly=net,
        # R-AST-05 limits, inclusive, compared without dividing (as jiuzhu.rules.assets.asset_failures)
        ast_financial=h.v_financial * h.financial_den > h.financial_num * h.size,
        ast_vehicle=(h.v_vehicle_count > h.vehicle_count_max) | (h.v_max_vehicle_value > h.vehicle_value_max_fen),
        ast_property=h.v_residential > h.property_max,
        ast_business=h.v_business_capital > h.capital_max_fen,
        asset_differences=((h.v_financial != h.financial).ifelse(1, 0) + (h.v_vehicle_count != h.vehicle_count).ifelse(1, 0)
                           + (h.v_max_vehicle_value != h.max_vehicle_value).ifelse(1, 0)
                           + (h.v_residential != h.residential_properties).ifelse(1, 0)
                           + (h.v_business_capital != h.business_capital).ifelse(1, 0)).cast("int64"))
    h = h.mutate(consistent=(h.income_differences == 0) & (h.asset_differences == 0) & (h.deceased == 0)
                 & (h.unverifiable_members == 0))
    h = h.drop("financial_num", "financial_den", "vehicle_value_max_fen", "vehicle_count_max", "property_max",
               "capital_max_fen")
    return p, h


def run(persons: pa.Table, households: pa.Table, snapshots: dict, *, as_of: date, terms: pa.Table,
        months: int = 12, engine: str = "duckdb", con=None, progress=None) -> Result:
    """Match and total: see the module docstring. ``progress(label, done, total)`` is called per step."""
    con = con or connect(engine)
    step = progress or (lambda *a: None)
    p_t = _register(con, "jz_persons", persons.cast(PERSONS_SCHEMA))
    h_t = _register(con, "jz_households", households.cast(HOUSEHOLDS_SCHEMA))
    t_t = _register(con, "jz_terms", terms.cast(TERMS_SCHEMA))
    snaps = {code: read_source(con, f"jz_snap_{code}", source) for code, source in sorted(snapshots.items())}
    if not snaps:
        raise ValueError("no snapshot to match")
    step("匹配部门数据", 0, 3)
    items = _materialize(con, "jz_items", items_expr(p_t, snaps, as_of=as_of, months=months))
    items_out = _sorted(items.to_pyarrow(), ITEM_SORT + ["item", "grp", "amount_fen", "detail"])
    step("匹配部门数据", 1, 3)
    p, h = totals_exprs(items, p_t, h_t, t_t)
    persons_out = _sorted(p.to_pyarrow(), KEYS)
    step("匹配部门数据", 2, 3)
    households_out = _sorted(h.to_pyarrow(), ["case_id", "household_id"])
    step("匹配部门数据", 3, 3)
    return Result(items_out, persons_out, households_out)


def run_to_files(persons, households, snapshots: dict, out: Path, *, as_of: date, terms: pa.Table, months: int = 12,
                 engine: str = "duckdb", con=None) -> dict:
    """The same job as :func:`run` for inputs too large for memory: ``persons``, ``households`` and each
    snapshot are Parquet sources (a file, a folder, or a list of files — the parts of a partitioned
    dataset), read by the engine itself; the three result tables are written by the engine, sorted as
    :func:`run` sorts them, to ``out/items.parquet``, ``out/persons.parquet`` and
    ``out/households.parquet`` (DuckDB: one file each, spilling to its temporary directory beyond its
    memory limit; Spark: a folder of parts each). Returns row counts and the households' summary."""
    con = con or connect(engine)
    p_t = read_source(con, "jz_persons", persons)
    h_t = read_source(con, "jz_households", households)
    t_t = _register(con, "jz_terms", terms.cast(TERMS_SCHEMA))
    snaps = {code: read_source(con, f"jz_snap_{code}", source) for code, source in sorted(snapshots.items())}
    if not snaps:
        raise ValueError("no snapshot to match")
    items = _materialize(con, "jz_items", items_expr(p_t, snaps, as_of=as_of, months=months))
    p, h = totals_exprs(items, p_t, h_t, t_t)
    h = _materialize(con, "jz_result_households", h)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, expr, keys in (("items", items, ITEM_SORT + ["item", "grp", "amount_fen", "detail"]),
                             ("persons", p, KEYS), ("households", h, ["case_id", "household_id"])):
        con.to_parquet(expr.order_by(keys), str(out / f"{name}.parquet"))
    failing = h.ast_financial | h.ast_vehicle | h.ast_property | h.ast_business
    summary = h.aggregate(households=h.count(), inconsistent=(~h.consistent).ifelse(1, 0).sum(),
                          asset_failing=failing.ifelse(1, 0).sum()).to_pyarrow().to_pylist()[0]
    return {"items": int(items.count().to_pyarrow().as_py()), **{k: int(v or 0) for k, v in summary.items()}}


def read_source(con, name: str, source):
    """A table of the backend from an Arrow table, a Parquet file or folder, or a list of Parquet files."""
    if isinstance(source, pa.Table):
        return _register(con, name, source)
    paths = [str(source)] if isinstance(source, (str, Path)) else [str(s) for s in source]
    if con.name == "pyspark":
        con._session.read.parquet(*paths).createOrReplaceTempView(name)
        return con.table(name)
    if len(paths) == 1 and Path(paths[0]).is_dir():
        paths = [f"{paths[0]}/*.parquet"]
    return con.read_parquet(paths if len(paths) > 1 else paths[0], table_name=name)


def _register(con, name: str, table: pa.Table):
    if con.name == "pyspark":
        # straight from Arrow: Ibis' memtable goes through pandas, where a null string becomes NaN
        session = con._session
        try:
            frame = session.createDataFrame(table)  # Spark ≥ 4.0 takes a pyarrow.Table
        except (TypeError, ValueError):
            frame = session.createDataFrame(table.to_pandas().astype(object).where(table.to_pandas().notna(), None),
                                            schema=_spark_schema(table.schema))
        frame.createOrReplaceTempView(name)
        return con.table(name)
    return ibis.memtable(table)


def _spark_schema(schema: pa.Schema) -> str:
    names = {pa.int64(): "bigint", pa.string(): "string", pa.date32(): "date", pa.bool_(): "boolean",
             pa.int32(): "int"}
    return ", ".join(f"{f.name} {names.get(f.type, 'string') if not pa.types.is_decimal(f.type) else 'decimal(12,2)'}"
                     for f in schema)


def _materialize(con, name: str, expr):
    """Compute ``expr`` once into a temporary table of the backend (used several times after).
    (Ibis 12 with sqlglot 30 renders ``.cache()`` and ``overwrite=True`` on DuckDB with an empty
    table name; a fresh connection per run and a plain temporary table avoid both.)"""
    if con.name == "pyspark":
        con._run_pre_execute_hooks(expr)  # registers the memtables the expression reads
        frame = con._session.sql(con.compile(expr))
        frame.cache().createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, expr, temp=True)


def _sorted(table: pa.Table, keys: list[str]) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in keys if k in table.column_names])
