"""Matching the register of staff near relatives against the registry as one frame join (R-WF-03): the
county-wide check (and 自查自纠's "relatives not filed") over millions of persons. Both inputs carry only the
HMAC-SM3 blind index of the ID number, never the number itself; the join is on that column.

Input: :data:`RELATIVES_SCHEMA` (the live register entries) and :data:`PERSONS_SCHEMA` (current household
members: applicants, members, enrolled persons). Output: :data:`MATCH_SCHEMA`, one row per (entry, person),
ordered by region and household. Computed with Ibis on DuckDB; no per-row Python.
"""

from __future__ import annotations

import ibis
import pyarrow as pa

from .engines import duckdb_connection
from .review import _unbound

RELATIVES_SCHEMA = pa.schema([
    ("relative_id", pa.int64()),
    ("staff_id", pa.int64()),
    ("relation", pa.string()),
    ("bidx", pa.string()),
])
PERSONS_SCHEMA = pa.schema([
    ("person_id", pa.int64()),
    ("household_id", pa.int64()),
    ("region_id", pa.string()),
    ("bidx", pa.string()),
])
MATCH_SCHEMA = pa.schema([
    ("relative_id", pa.int64()),
    ("staff_id", pa.int64()),
    ("relation", pa.string()),
    ("person_id", pa.int64()),
    ("household_id", pa.int64()),
    ("region_id", pa.string()),
])


def match_expr():
    """The join of the register and the persons on the blind index."""
    rel = _unbound("relatives", RELATIVES_SCHEMA)
    per = _unbound("persons", PERSONS_SCHEMA)
    joined = rel.join(per, rel.bidx == per.bidx)
    return joined.select(rel.relative_id, rel.staff_id, rel.relation, per.person_id, per.household_id,
                         per.region_id).order_by(["region_id", "household_id", "person_id", "relative_id"])


def match(relatives: pa.Table, persons: pa.Table, *, con=None) -> pa.Table:
    """The (entry, person) pairs whose blind indexes are equal; ``con``: a DuckDB connection to reuse."""
    raw = con or duckdb_connection().con
    raw.register("relatives", relatives)
    raw.register("persons", persons)
    try:
        out = raw.sql(str(ibis.to_sql(match_expr(), dialect="duckdb"))).to_arrow_table()
    finally:
        raw.unregister("relatives")
        raw.unregister("persons")
    return out.cast(MATCH_SCHEMA)
