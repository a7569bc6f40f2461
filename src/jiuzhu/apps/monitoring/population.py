"""The monitored population of a region as the scan's Arrow input (one query, no per-row ORM work).

Monitored (R-LI-01, R-LI-08): co-resident members of households with a live dibao / 特困 enrollment,
households in the low-income register (低保边缘、刚性支出困难 while valid; 临时救助 recently), and
households whose dibao / 特困 enrollment stopped recently (近两年退出). A household holding several
statuses gets the first of jiuzhu.rules.monitoring.CATEGORIES.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection

from jiuzhu.apps.cases.config import region_configs
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.payments.snapshot import read_table
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.batch.monitoring import POPULATION_SCHEMA
from jiuzhu.rules.monitoring import CATEGORY_RANK

from .models import Alert, LowIncomeEntry

RAW_SCHEMA = pa.schema([
    ("person_id", pa.int64()), ("household_id", pa.int64()), ("region", pa.string()), ("bidx", pa.string()),
    ("rank", pa.int64()), ("is_head", pa.bool_()), ("earning", pa.int64()),
])


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _flag(condition: str) -> str:
    return f"({condition})" if _pg() else f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _fen(expr: str) -> str:
    return f"(({expr}) * 100)::bigint" if _pg() else f"CAST(ROUND(({expr}) * 100) AS INTEGER)"


def population_sql() -> str:
    enr, low = Enrollment._meta.db_table, LowIncomeEntry._meta.db_table
    hh, mem, person = Household._meta.db_table, Membership._meta.db_table, Person._meta.db_table
    r = CATEGORY_RANK
    live = "', '".join(Enrollment.LIVE)
    return f"""
        WITH st AS (
            SELECT e.household_id AS hid, CASE e.program WHEN 'tekun' THEN {r['tekun']} ELSE {r['dibao']} END AS rk
              FROM {enr} e WHERE e.status IN ('{live}') AND e.program IN ('dibao', 'tekun')
            UNION ALL
            SELECT e.household_id, {r['left']} FROM {enr} e
             WHERE e.status = 'stopped' AND e.program IN ('dibao', 'tekun') AND e.stopped_month >= %s
            UNION ALL
            SELECT l.household_id, CASE l.category WHEN 'edge' THEN {r['edge']}
                                    WHEN 'rigid_expenditure' THEN {r['rigid_expenditure']} ELSE {r['temporary']} END
              FROM {low} l
             WHERE l.recognized_on <= %s
               AND ((l.category <> 'temporary' AND (l.valid_until IS NULL OR l.valid_until >= %s))
                    OR (l.category = 'temporary' AND l.recognized_on >= %s))
        ), best AS (SELECT hid, MIN(rk) AS rk FROM st GROUP BY hid)
        SELECT m.person_id, m.household_id, h.region_id, p.id_number_bidx, best.rk,
               {_flag('h.head_id = m.person_id')}, {_fen('p.wage + p.business')}
          FROM best JOIN {hh} h ON h.id = best.hid
          JOIN {mem} m ON m.household_id = h.id AND m.end_date IS NULL AND m.co_resident
          JOIN {person} p ON p.id = m.person_id
         WHERE h.region_id BETWEEN %s AND %s
         ORDER BY m.person_id"""


def policy_column(regions) -> pa.Array:
    """Each row's region policy name (one config query for the distinct regions)."""
    distinct = pc.unique(regions).to_pylist()
    configs = region_configs(distinct)
    return pc.take(pa.array([configs[c].policy for c in distinct], pa.string()),
                   pc.index_in(regions, value_set=pa.array(distinct, pa.string())))


def null_if_empty(bidx):
    """A person without a blind index (empty text) is not matchable: null."""
    return pc.if_else(pc.equal(bidx, ""), pa.scalar(None, pa.string()), bidx)


def monitored_population(low: str, high: str, *, as_of: date, left_since: date, temporary_since: date) -> pa.Table:
    """:data:`POPULATION_SCHEMA` rows of the region range [low, high] (policy filled by the region's)."""
    raw = read_table(population_sql(), (left_since, as_of, as_of, temporary_since, low, high), RAW_SCHEMA)
    by_rank = {rank: code for code, rank in CATEGORY_RANK.items()}
    ranks = raw.column("rank").to_pylist()
    regions = raw.column("region")
    policy, bidx = policy_column(regions), null_if_empty(raw.column("bidx"))
    return pa.table({
        "person_id": raw.column("person_id"), "household_id": raw.column("household_id"), "region": regions,
        "bidx": bidx, "category": pa.array([by_rank[r] for r in ranks], pa.string()),
        "is_head": raw.column("is_head"), "earning": raw.column("earning"), "policy": policy,
    }, schema=POPULATION_SCHEMA)


def known_keys(low: str, high: str) -> pa.Table:
    """Dedup keys already stored for the persons now living in the range (they may have moved in)."""
    alert, mem, hh = Alert._meta.db_table, Membership._meta.db_table, Household._meta.db_table
    sql = (f"SELECT a.dedup_key FROM {alert} a JOIN {mem} m ON m.person_id = a.person_id AND m.end_date IS NULL "
           f"JOIN {hh} h ON h.id = m.household_id WHERE h.region_id BETWEEN %s AND %s")
    return read_table(sql, (low, high), pa.schema([("dedup_key", pa.string())]))
