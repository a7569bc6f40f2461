"""The 自查自纠 inputs read from the database in bulk (one SQL statement each into Arrow, no per-row ORM):
the persons covered by live enrollments (for the department checks), and the two database checks —
households above the line on their last verification (R-DB-01) and enrollments whose approval met a
supervised deadline late (R-WF limits) — as hits in jiuzhu.batch.selfcheck.HITS_SCHEMA."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
from django.db import connection

from jiuzhu.apps.cases.models import CaseDeadline
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.standard import region_policies
from jiuzhu.apps.monitoring.population import null_if_empty, policy_column
from jiuzhu.apps.payments.snapshot import read_table
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.apps.verification.models import VerificationReport
from jiuzhu.batch.selfcheck import HITS_SCHEMA, POPULATION_SCHEMA
from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.workflow.states import STEP_LABELS

RAW_SCHEMA = pa.schema([("enrollment_id", pa.int64()), ("person_id", pa.int64()), ("household_id", pa.int64()),
                        ("region", pa.string()), ("bidx", pa.string()), ("started", pa.date32())])
LINE_SCHEMA = pa.schema([("enrollment_id", pa.int64()), ("household_id", pa.int64()), ("region", pa.string()),
                         ("as_of", pa.date32()), ("per_capita", pa.string()), ("area_type", pa.string()),
                         ("report_id", pa.int64())])
LATE_SCHEMA = pa.schema([("enrollment_id", pa.int64()), ("household_id", pa.int64()), ("region", pa.string()),
                         ("met_on", pa.date32()), ("steps", pa.int64()), ("step", pa.string()),
                         ("late_days", pa.int64())])


def _live() -> str:
    return "', '".join(Enrollment.LIVE)


def covered_population(low: str, high: str) -> pa.Table:
    """One row per (live enrollment, covered person): the co-resident members of an enrolled household,
    or the one person of a single-person enrollment (R-HH-06)."""
    enr, mem, person = Enrollment._meta.db_table, Membership._meta.db_table, Person._meta.db_table
    sql = f"""
        SELECT e.id, m.person_id, e.household_id, e.region_id, p.id_number_bidx, e.start_month
          FROM {enr} e
          JOIN {mem} m ON m.household_id = e.household_id AND m.end_date IS NULL AND m.co_resident
          JOIN {person} p ON p.id = m.person_id
         WHERE e.status IN ('{_live()}') AND e.region_id BETWEEN %s AND %s
           AND (e.person_id IS NULL OR e.person_id = m.person_id)
         ORDER BY e.id, m.person_id"""  # noqa: S608  (table names from the models; values are parameters)
    raw = read_table(sql, (low, high), RAW_SCHEMA)
    regions = raw.column("region")
    policy, bidx = policy_column(regions), null_if_empty(raw.column("bidx"))
    return pa.table({"enrollment_id": raw.column("enrollment_id"), "person_id": raw.column("person_id"),
                     "household_id": raw.column("household_id"), "region": regions, "bidx": bidx,
                     "started": raw.column("started"), "policy": policy}, schema=POPULATION_SCHEMA)


def _json_text(column: str, *path: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column}::jsonb #>> '{{{','.join(path)}}}')"
    return f"json_extract({column}, '$.{'.'.join(path)}')"


def _to_fen(text) -> int | None:
    try:
        return int((Decimal(str(text)) * 100).to_integral_value())
    except (ArithmeticError, ValueError, TypeError):
        return None


def above_line(low: str, high: str, as_of: date) -> pa.Table:
    """R-DB-01: live enrollments whose household's latest verification report (on or before ``as_of``)
    gives a per-capita monthly income above the dibao standard in force on the report's date."""
    enr, rep, hh = Enrollment._meta.db_table, VerificationReport._meta.db_table, Household._meta.db_table
    sql = f"""
        WITH last AS (SELECT household_id, MAX(id) AS id FROM {rep} WHERE as_of <= %s GROUP BY household_id)
        SELECT e.id, e.household_id, e.region_id, r.as_of, {_json_text('r.data', 'totals', 'per_capita_monthly')},
               h.area_type, r.id
          FROM {enr} e JOIN last ON last.household_id = e.household_id
          JOIN {rep} r ON r.id = last.id JOIN {hh} h ON h.id = e.household_id
         WHERE e.status IN ('{_live()}') AND e.region_id BETWEEN %s AND %s
         ORDER BY e.id"""  # noqa: S608
    raw = read_table(sql, (as_of, low, high), LINE_SCHEMA).to_pylist()
    policies = region_policies({r["region"] for r in raw})
    standards: dict = {}
    rows = []
    for r in raw:
        key = (policies[r["region"]][0], r["area_type"], r["as_of"])
        if key not in standards:
            try:
                standards[key] = _to_fen(policies[r["region"]][1].lookup(f"dibao.standard.{r['area_type']}", r["as_of"]))
            except DomainError:
                standards[key] = None
        line, income = standards[key], _to_fen(r["per_capita"])
        if line is None or income is None or income <= line:
            continue
        rows.append({"check": "above_line", "enrollment_id": r["enrollment_id"], "person_id": None,
                     "household_id": r["household_id"], "region": r["region"], "event_date": r["as_of"],
                     "amount_fen": income,
                     "detail": f"核对报告 {r['report_id']}：人均月收入 {income / 100:.2f} 元，标准 {line / 100:.2f} 元"})
    return pa.Table.from_pylist(rows, schema=HITS_SCHEMA)


def late_approvals(low: str, high: str, as_of: date) -> pa.Table:
    """Live enrollments whose case met a supervised deadline after its due date (on or before ``as_of``)."""
    enr, dl = Enrollment._meta.db_table, CaseDeadline._meta.db_table
    late = ("(d.met_on - d.due)" if connection.vendor == "postgresql"
            else "CAST(julianday(d.met_on) - julianday(d.due) AS INTEGER)")
    sql = f"""
        SELECT e.id, e.household_id, e.region_id, MAX(d.met_on), COUNT(*), MIN(d.step), MAX({late})
          FROM {enr} e JOIN {dl} d ON d.case_id = e.case_id
         WHERE e.status IN ('{_live()}') AND e.region_id BETWEEN %s AND %s
           AND d.supervised AND d.met_on IS NOT NULL AND d.met_on > d.due AND d.met_on <= %s
         GROUP BY e.id, e.household_id, e.region_id
         ORDER BY e.id"""  # noqa: S608
    raw = read_table(sql, (low, high, as_of), LATE_SCHEMA).to_pylist()
    rows = [{"check": "late_approval", "enrollment_id": r["enrollment_id"], "person_id": None,
             "household_id": r["household_id"], "region": r["region"], "event_date": r["met_on"], "amount_fen": 0,
             "detail": f"{r['steps']}个环节超时限完成（{STEP_LABELS.get(r['step'], r['step'])}等，最多超 {r['late_days']} 天）"}
            for r in raw]
    return pa.Table.from_pylist(rows, schema=HITS_SCHEMA)
