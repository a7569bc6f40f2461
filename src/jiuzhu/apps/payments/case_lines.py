"""Case payments in the payroll (issue 14 §2): the bank claims (claims.py) of a region that no live
line pays yet become lines of the batch being prepared — a supplementary batch once the month's
regular batch is approved — so they reach the bank file, the result import and the payroll's
totals like the enrollments' lines. One set-based read per batch; the merge is pyarrow, no per-row
ORM work.

A case line pays ``case`` for ``reference`` (advance / stage-N): program ``temporary``, the month of
the batch, the household's account (payee: the household head, who holds it), one person. A failed
case line is re-issued by the next batch (``carried_from``); the partial unique index
``payment_once_per_case_reference`` allows one live line per case and reference. A claim whose
household has no bank account waits and is counted with the batch's missing accounts.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from jiuzhu.batch.payroll import LINES_SCHEMA, TOTALS_SCHEMA, PayrollTables

from .models import CaseClaim
from .snapshot import HAS_ACCOUNT, HH, LINE, _fen, _flag, read_table

CLAIM = CaseClaim._meta.db_table
PROGRAM = "temporary"
TOTALS_CLASS = "临时救助"
CLAIMS_SCHEMA = pa.schema([
    ("case_id", pa.int64()), ("reference", pa.string()), ("household_id", pa.int64()), ("region", pa.string()),
    ("amount_fen", pa.int64()), ("carried_from", pa.int64()), ("has_account", pa.bool_()),
])


def read_case_claims(low: str, high: str, month_end: date) -> pa.Table:
    """Bank claims of cases in [low, high] paid on or before ``month_end`` without a live line, each
    with the latest failed line it re-issues (if any) and whether its household has an account."""
    sql = (f"SELECT c.case_id, c.reference, c.household_id, c.region_id, {_fen('c.amount')}, "
           f"(SELECT MAX(f.id) FROM {LINE} f WHERE f.case_id = c.case_id AND f.reference = c.reference "
           f"AND f.status = 'failed'), {_flag(HAS_ACCOUNT)} "
           f"FROM {CLAIM} c JOIN {HH} h ON h.id = c.household_id "
           "WHERE c.channel = 'bank' AND c.region_id >= %s AND c.region_id <= %s AND c.paid_on <= %s "
           f"AND NOT EXISTS (SELECT 1 FROM {LINE} l WHERE l.case_id = c.case_id AND l.reference = c.reference "
           "AND l.status <> 'failed') ORDER BY c.id")
    return read_table(sql, (low, high, month_end), CLAIMS_SCHEMA)


def _case_totals(lines: pa.Table) -> pa.Table:
    township = pc.binary_join_element_wise(pc.utf8_slice_codeunits(lines.column("region"), 0, 9), "000", "")
    per = pa.table({"township": township, "household_id": lines.column("household_id"),
                    "amount_fen": lines.column("amount_fen")})
    g = per.group_by("township").aggregate([("household_id", "count_distinct"), ("household_id", "count"),
                                            ("amount_fen", "sum")])
    n = g.num_rows
    return pa.table({
        "township": g.column("township"), "klass": pa.array([TOTALS_CLASS] * n, pa.string()),
        "households": g.column("household_id_count_distinct").cast(pa.int64()),
        "persons": g.column("household_id_count").cast(pa.int64()),
        "lines": g.column("household_id_count").cast(pa.int64()),
        "amount_fen": g.column("amount_fen_sum").cast(pa.int64()),
    }, schema=TOTALS_SCHEMA)


def with_case_lines(tables: PayrollTables, claims: pa.Table, month: date) -> PayrollTables:
    """``tables`` (the enrollments' lines of the batch) with the claims' lines, totals and summary added.
    The lines gain the columns ``case_id`` and ``reference`` (null / empty on an enrollment's line)."""
    due = claims.filter(pc.field("has_account"))
    n, base = due.num_rows, tables.lines
    base = base.append_column("case_id", pa.nulls(base.num_rows, pa.int64())) \
               .append_column("reference", pa.array([""] * base.num_rows, pa.string()))
    if not n:
        return PayrollTables(base, tables.totals, {**tables.summary, "missing_account":
                                                   tables.summary["missing_account"] + claims.num_rows})
    added = pa.table({
        "enrollment_id": pa.nulls(n, pa.int64()), "household_id": due.column("household_id"),
        "region": due.column("region"), "month": pa.array([month] * n, pa.date32()),
        "program": pa.array([PROGRAM] * n, pa.string()), "klass": pa.array([""] * n, pa.string()),
        "persons": pa.array([1] * n, pa.int32()), "amount_fen": due.column("amount_fen"),
        "carried_from": due.column("carried_from"), "case_id": due.column("case_id"),
        "reference": due.column("reference"),
    }, schema=LINES_SCHEMA.append(pa.field("case_id", pa.int64())).append(pa.field("reference", pa.string())))
    # one chunk per column: pyarrow's CSV writer wrote garbage for an all-null column whose first chunk was empty
    lines = pa.concat_tables([base, added]).combine_chunks()
    totals = pa.concat_tables([tables.totals, _case_totals(added)]).sort_by([("township", "ascending"),
                                                                           ("klass", "ascending")])
    s = tables.summary
    summary = {**s, "households": pc.count_distinct(lines.column("household_id")).as_py(),
               "persons": s["persons"] + n, "lines": s["lines"] + n,
               "amount_fen": s["amount_fen"] + pc.sum(added.column("amount_fen")).as_py(),
               "carried": s["carried"] + pc.count(added.column("carried_from")).as_py(),
               "missing_account": s["missing_account"] + claims.num_rows - n}
    return PayrollTables(lines, totals, summary)
