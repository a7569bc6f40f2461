"""Columnar monthly payroll (社会化发放, R-DB-05/06): which enrollments are paid for a month, and the
totals by township and class.

A pure frame transform over Arrow tables, written as Ibis expressions compiled to DuckDB: no
database, no Django, no per-row Python. Money is integer fen. Inputs:

* ``enrollments`` (:data:`ENROLLMENT_SCHEMA`): the live enrollments of the batch region, with
  ``has_account`` = the household has a bank account on file;
* ``taken`` (:data:`TAKEN_SCHEMA`): enrollments that already have a payment line for the month, in
  any status (a failed line is re-paid only by carrying it, never by a fresh line);
* ``carry`` (:data:`CARRY_SCHEMA`): failed lines not yet carried whose (enrollment, month) holds no
  other live line — each becomes a new line for its own month with ``carried_from`` set;
* ``changes`` (:data:`CHANGES_SCHEMA`, optional): the enrollments' changes effective after the month.

The enrollment row holds the latest decision, but a change decided in May is effective from June
(``EnrollmentChange.effective_month``): a May payroll prepared after the decision still pays May's
terms. So the status, amount and class paid are the *terms in force* (:func:`in_force`): the old
values of the enrollment's earliest change effective after the month (by effective month, then
change id), or the row's values when there is none — the columnar twin of
``apps.enrollment.selectors._terms``. ``start_month``, ``graduating_until``, ``stopped_month`` and
``persons`` are the row's (a stop or graduation writes the month it takes effect there).

An enrollment is payable for month M (R-DB-05: from its start month, monthly while enrolled) when
``start_month ≤ M``, its status in force is active, or graduating with ``graduating_until ≥ M`` (R-DM-04),
it is not stopped before M (``stopped_month`` null or after M), and its amount in force is positive.
Suspended and stopped enrollments are not paid. Lines need a bank account (R-DB-06): payable
enrollments of households without one are left out and counted in ``summary["missing_account"]``
(they get a line in a supplementary batch once the account is entered).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import NamedTuple

import ibis
import pyarrow as pa

from .engines import duckdb_connection

ENROLLMENT_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("program", pa.string()), ("household_id", pa.int64()),
    ("region", pa.string()), ("klass", pa.string()), ("amount_fen", pa.int64()), ("persons", pa.int32()),
    ("start_month", pa.date32()), ("status", pa.string()), ("graduating_until", pa.date32()),
    ("stopped_month", pa.date32()), ("has_account", pa.bool_()),
])
TAKEN_SCHEMA = pa.schema([("enrollment_id", pa.int64())])
CHANGES_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("change_id", pa.int64()), ("effective_month", pa.date32()),
    ("old_status", pa.string()), ("old_amount_fen", pa.int64()), ("old_class", pa.string()),
])
CARRY_SCHEMA = pa.schema([
    ("line_id", pa.int64()), ("enrollment_id", pa.int64()), ("household_id", pa.int64()), ("region", pa.string()),
    ("month", pa.date32()), ("program", pa.string()), ("klass", pa.string()), ("persons", pa.int32()),
    ("amount_fen", pa.int64()), ("has_account", pa.bool_()),
])
LINES_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("household_id", pa.int64()), ("region", pa.string()), ("month", pa.date32()),
    ("program", pa.string()), ("klass", pa.string()), ("persons", pa.int32()), ("amount_fen", pa.int64()),
    ("carried_from", pa.int64()),
])
TOTALS_SCHEMA = pa.schema([
    ("township", pa.string()), ("klass", pa.string()), ("households", pa.int64()), ("persons", pa.int64()),
    ("lines", pa.int64()), ("amount_fen", pa.int64()),
])
PAYABLE_STATUSES = ("active", "graduating")
_NAMES = ("jz_pay_enrollments", "jz_pay_taken", "jz_pay_carry", "jz_pay_lines", "jz_pay_changes")


class PayrollTables(NamedTuple):
    """``lines`` (:data:`LINES_SCHEMA`, by carried_from then enrollment), ``totals``
    (:data:`TOTALS_SCHEMA`, by township and class) and ``summary`` (households, persons, lines,
    amount_fen, carried, missing_account)."""

    lines: pa.Table
    totals: pa.Table
    summary: dict


def month_first(value: date) -> date:
    return date(value.year, value.month, 1)


def in_force(e, changes, month: date):
    """``e`` with ``status``, ``amount_fen`` and ``klass`` replaced by the terms in force in ``month``:
    the old values of each enrollment's earliest change effective after ``month``, if any."""
    m = ibis.literal(month)
    later = changes.filter(changes.effective_month > m)
    later = later.mutate(rank=ibis.row_number().over(group_by=later.enrollment_id,
                                                     order_by=[later.effective_month, later.change_id]))
    first = later.filter(later.rank == 0).select(
        changed_id=later.enrollment_id, old_status=later.old_status, old_amount_fen=later.old_amount_fen,
        old_class=later.old_class)
    j = e.left_join(first, e.enrollment_id == first.changed_id)
    changed = j.changed_id.notnull()
    return j.select(
        *[c for c in ENROLLMENT_SCHEMA.names if c not in ("status", "amount_fen", "klass")],
        status=ibis.ifelse(changed, j.old_status, j.status),
        amount_fen=ibis.ifelse(changed, j.old_amount_fen, j.amount_fen),
        klass=ibis.ifelse(changed, j.old_class, j.klass),
    )


def payable(e, month: date):
    """Boolean expression: enrollment row ``e`` (terms in force already applied, see :func:`in_force`)
    is payable for ``month`` (see the module docstring)."""
    m = ibis.literal(month)
    return (
        e.status.isin(PAYABLE_STATUSES)
        & (e.start_month <= m)
        & ((e.status == "active") | (e.graduating_until.notnull() & (e.graduating_until >= m)))
        & (e.stopped_month.isnull() | (e.stopped_month > m))
        & (e.amount_fen > 0)
    )


def _in_region(column, low: str, high: str):
    return (column >= low) & (column <= high)


def _township(region):
    return region.substr(0, 9) + "000"


def lines_expr(e, taken, carry, *, month: date, low: str, high: str, changes=None):
    """The Ibis expression for the new lines: fresh lines for payable enrollments (on the terms in
    force in ``month`` when ``changes`` is given) without a line for ``month``, plus carried lines for
    failed ones, inside the region range [low, high]."""
    if changes is not None:
        e = in_force(e, changes, month)
    due = e.filter(payable(e, month), _in_region(e.region, low, high), e.has_account)
    fresh = due.anti_join(taken, "enrollment_id").select(
        "enrollment_id", "household_id", "region", month=ibis.literal(month), program=due.program,
        klass=due.klass, persons=due.persons, amount_fen=due.amount_fen,
        carried_from=ibis.null().cast("int64"))
    # Carried lines: for months up to this one, one per (enrollment, month) — the latest failed line.
    c = carry.filter(carry.month <= ibis.literal(month), _in_region(carry.region, low, high), carry.has_account)
    c = c.mutate(rank=ibis.row_number().over(group_by=[c.enrollment_id, c.month], order_by=ibis.desc(c.line_id)))
    carried = c.filter(c.rank == 0).select(
        "enrollment_id", "household_id", "region", "month", "program", "klass", "persons", "amount_fen",
        carried_from=c.line_id)
    return fresh.union(carried).order_by([ibis.asc("carried_from", nulls_first=True), "enrollment_id", "month"])


def missing_account_expr(e, taken, *, month: date, low: str, high: str, changes=None):
    if changes is not None:
        e = in_force(e, changes, month)
    due = e.filter(payable(e, month), _in_region(e.region, low, high), ~e.has_account)
    return due.anti_join(taken, "enrollment_id").count()


def totals_expr(lines):
    """Totals by township and class: households counted once, persons once per enrollment."""
    per = lines.group_by([_township(lines.region).name("township"), "klass", "enrollment_id"]).aggregate(
        household_id=lines.household_id.max(), persons=lines.persons.max(), lines=lines.count(),
        amount_fen=lines.amount_fen.sum())
    return per.group_by(["township", "klass"]).aggregate(
        households=per.household_id.nunique(), persons=per.persons.sum().cast("int64"),
        lines=per.lines.sum().cast("int64"), amount_fen=per.amount_fen.sum().cast("int64"),
    ).order_by(["township", "klass"])


def summary_expr(lines):
    per = lines.group_by("enrollment_id").aggregate(persons=lines.persons.max())
    return lines.aggregate(households=lines.household_id.nunique(), lines=lines.count(),
                           amount_fen=lines.amount_fen.sum(), carried=lines.carried_from.count()), per.persons.sum()


def _schema(schema: pa.Schema) -> dict:
    return {f.name: ibis.dtype(f.type) for f in schema}


@lru_cache(maxsize=64)
def compiled_sql(month: date, low: str, high: str) -> dict[str, str]:
    """DuckDB SQL for lines, missing accounts, totals and summary over the tables in ``_NAMES``."""
    e = ibis.table(_schema(ENROLLMENT_SCHEMA), name=_NAMES[0])
    taken = ibis.table(_schema(TAKEN_SCHEMA), name=_NAMES[1])
    carry = ibis.table(_schema(CARRY_SCHEMA), name=_NAMES[2])
    lines = ibis.table(_schema(LINES_SCHEMA), name=_NAMES[3])
    changes = ibis.table(_schema(CHANGES_SCHEMA), name=_NAMES[4])
    summary, persons = summary_expr(lines)

    def sql(expr) -> str:
        return str(ibis.to_sql(expr, dialect="duckdb"))

    return {
        "lines": sql(lines_expr(e, taken, carry, month=month, low=low, high=high, changes=changes)),
        "missing": sql(missing_account_expr(e, taken, month=month, low=low, high=high, changes=changes)),
        "totals": sql(totals_expr(lines)),
        "summary": sql(summary),
        "persons": sql(persons.name("persons")),
    }


def payroll_tables(enrollments: pa.Table, taken: pa.Table, carry: pa.Table, *, month: date,
                   region_range: tuple[str, str], changes: pa.Table | None = None, con=None) -> PayrollTables:
    """New lines and totals for ``month`` over the region code range ``region_range`` (inclusive).
    ``changes``: the enrollments' changes effective after ``month`` (none: the rows are in force)."""
    month = month_first(month)
    queries = compiled_sql(month, *region_range)
    raw = (con if con is not None else duckdb_connection()).con
    if changes is None:
        changes = CHANGES_SCHEMA.empty_table()
    inputs = ((_NAMES[0], enrollments, ENROLLMENT_SCHEMA), (_NAMES[1], taken, TAKEN_SCHEMA),
              (_NAMES[2], carry, CARRY_SCHEMA), (_NAMES[4], changes, CHANGES_SCHEMA))
    try:
        for name, table, schema in inputs:
            raw.register(name, table.select(schema.names).cast(schema))
        lines = raw.sql(queries["lines"]).to_arrow_table().select(LINES_SCHEMA.names).cast(LINES_SCHEMA)
        missing = raw.sql(queries["missing"]).fetchall()[0][0]
        raw.register(_NAMES[3], lines)
        totals = raw.sql(queries["totals"]).to_arrow_table().cast(TOTALS_SCHEMA)
        households, count, amount, carried = raw.sql(queries["summary"]).fetchall()[0]
        persons = raw.sql(queries["persons"]).fetchall()[0][0]
    finally:
        for name in _NAMES:
            try:
                raw.unregister(name)
            except Exception:  # noqa: BLE001, S110 — not registered after an early failure
                pass
    summary = {"households": int(households or 0), "persons": int(persons or 0), "lines": int(count or 0),
               "amount_fen": int(amount or 0), "carried": int(carried or 0), "missing_account": int(missing or 0)}
    return PayrollTables(lines, totals, summary)


def empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


__all__ = ["CARRY_SCHEMA", "CHANGES_SCHEMA", "ENROLLMENT_SCHEMA", "LINES_SCHEMA", "TAKEN_SCHEMA", "TOTALS_SCHEMA", "PayrollTables",
           "in_force", "lines_expr", "month_first", "payable", "payroll_tables", "totals_expr"]
