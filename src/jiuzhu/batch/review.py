"""Recheck generation for the annual review (社会救助年审) and for due rechecks, as frame transforms.

Input: Arrow snapshots of the live enrollments (:data:`SNAPSHOT_SCHEMA`), of the enrollments that
already have a recheck (open, or in this campaign) and of each village's workflow settings. Output:
the new recheck cases with their first deadline and their ``schedule`` event, as Arrow tables whose
columns are the database columns, ready for a bulk insert (COPY). Computed with Ibis on DuckDB;
no per-row Python. Dates leave as ISO text so one table serves PostgreSQL COPY and SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import pyarrow as pa

from .engines import duckdb_connection

SNAPSHOT_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()),
    ("program", pa.string()),
    ("household_id", pa.int64()),
    ("applicant_id", pa.int64()),
    ("region_id", pa.string()),
    ("next_recheck", pa.date32()),
])
COVERED_SCHEMA = pa.schema([("enrollment_id", pa.int64())])
SETTINGS_SCHEMA = pa.schema([("region_id", pa.string()), ("settings", pa.string())])
MAX_DAYS = 32767  # CaseDeadline.amount is a small integer


@dataclass(frozen=True)
class Constants:
    """Values shared by every row of one run (who, when, which campaign, which calendar)."""

    today: date
    at: str  # the event / submission time, already in the database's text form
    actor_id: int
    actor_name: str
    role: str
    reason: str
    calendar_version: str
    campaign_id: int | None
    due: date | None  # campaign: one date for all; None: each enrollment's recheck date (today if passed)
    due_before: date | None = None  # only enrollments whose recheck date is on or before this day
    rule_id: str = "R-DM-02"


def _run(expr, tables: dict[str, pa.Table]) -> pa.Table:
    """Compile ``expr`` for DuckDB and run it over the Arrow ``tables`` (registered by name)."""
    raw = duckdb_connection().con
    for name, table in tables.items():
        raw.register(name, table)
    return raw.sql(str(ibis.to_sql(expr, dialect="duckdb"))).to_arrow_table()


def _unbound(name: str, schema: pa.Schema):
    return ibis.table(ibis.schema({f.name: ibis.dtype(f.type) for f in schema}), name=name)


def plan(snapshot: pa.Table, covered: pa.Table, settings: pa.Table, c: Constants) -> pa.Table:
    """One row per recheck to open, ordered by enrollment id: enrollments without a recheck yet and
    with someone to name as applicant, their village settings and their due date."""
    e = _unbound("jz_enrollments", SNAPSHOT_SCHEMA)
    done = _unbound("jz_covered", COVERED_SCHEMA)
    s = _unbound("jz_settings", SETTINGS_SCHEMA)
    todo = e.anti_join(done, "enrollment_id").filter(e.applicant_id.notnull())
    if c.due_before is not None:
        todo = todo.filter(todo.next_recheck.notnull() & (todo.next_recheck <= ibis.literal(c.due_before)))
    todo = todo.left_join(s, "region_id").select(todo, s.settings)
    today = ibis.literal(c.today)
    if c.due is not None:
        due = ibis.literal(c.due)
    else:
        due = ibis.ifelse(todo.next_recheck.isnull() | (todo.next_recheck < today), today, todo.next_recheck)
    todo = todo.mutate(due=due.cast("date"))
    todo = todo.mutate(days=ibis.least((todo.due - today).cast("int64"), MAX_DAYS))
    out = todo.select("enrollment_id", "program", "household_id", "applicant_id", "region_id",
                      todo.settings.fill_null("{}").name("settings"), "next_recheck", "due", "days"
                      ).order_by("enrollment_id")
    return _run(out, {"jz_enrollments": snapshot.cast(SNAPSHOT_SCHEMA), "jz_covered": covered.cast(COVERED_SCHEMA),
                      "jz_settings": settings.cast(SETTINGS_SCHEMA)})


def rows(planned: pa.Table, case_ids: list[int], c: Constants) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(cases, deadlines, events) for the planned rechecks; ``case_ids`` are reserved ids in plan order."""
    table = planned.append_column("id", pa.array(case_ids, pa.int64()))
    p = _unbound("jz_planned", table.schema)
    due_text = p.due.cast("string")
    s, b, n = ibis.literal, lambda v: ibis.literal(v, type="boolean"), ibis.null
    cases = p.select(
        id=p.id, program=p.program, kind=s("recheck"), enrollment_id=p.enrollment_id,
        campaign_id=s(c.campaign_id, type="int64") if c.campaign_id else n("int64"),
        household_id=p.household_id, applicant_id=p.applicant_id, region_id=p.region_id, channel=s("recheck"),
        state=s("scheduled"), is_open=b(True), version=s(1, type="int64"), settings=p.settings,
        calendar_version=s(c.calendar_version), relative_flag=b(False), relative_note=s(""),
        overall_started_on=n("string"), extended=b(False), overdue=b(False), task_role=s("township_caseworker"),
        next_step=s("recheck"), next_due=due_text, proposal=s("{}"), decided_status=s(""), decided_class=s(""),
        decided_amount=n("string"), spot_check_sampled=b(False), filed=b(False), submitted_at=s(c.at),
        closed_at=n("string"), created_by_id=s(c.actor_id, type="int64"),
    ).order_by("id")
    deadlines = p.select(
        case_id=p.id, step=s("recheck"), rule_id=s(c.rule_id), amount=p.days.clip(lower=0), unit=s("days"),
        supervised=b(True), starts_on=s(c.today.isoformat()), due=due_text, status=s("open"),
        met_on=n("string"), calendar_version=s(c.calendar_version),
    ).order_by("case_id")
    campaign = str(c.campaign_id) if c.campaign_id else "null"
    events = p.select(
        case_id=p.id, at=s(c.at), action=s("schedule"), actor_id=s(c.actor_id, type="int64"),
        actor_name=s(c.actor_name), role=s(c.role), from_state=s(""), to_state=s("scheduled"), reason=s(c.reason),
        payload=s('{"due": "') + due_text + s(f'", "campaign": {campaign}}}'),
    ).order_by("case_id")
    tables = {"jz_planned": table}
    return _run(cases, tables), _run(deadlines, tables), _run(events, tables)
