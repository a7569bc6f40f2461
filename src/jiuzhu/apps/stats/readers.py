"""The statistics job's Arrow inputs for one month and region range, read in bulk with the payroll
snapshot's reader (``payments.snapshot.read_table``: PostgreSQL COPY, SQLite one fetch). Only the
columns the facts need; no model instances.

Timestamps (case submission and closing, report dates) become local dates in SQL: ``AT TIME ZONE``
on PostgreSQL, a fixed offset on SQLite (the project's zone, Asia/Shanghai, has no daylight saving).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
from django.conf import settings
from django.db import connection, transaction

from jiuzhu.apps.cases.models import Case, CaseDeadline, CaseEvent, CaseRecord
from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange
from jiuzhu.apps.monitoring.models import Alert, LowIncomeEntry
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.payments.snapshot import read_table
from jiuzhu.apps.registry.models import Household
from jiuzhu.apps.reviews.models import ReviewCampaign
from jiuzhu.apps.verification.models import VerificationReport
from jiuzhu.apps.workcalendar.selectors import work_calendar
from jiuzhu.batch import stats
from jiuzhu.rules.calendar import CalendarYearMissing, is_workday

ENR, CHG, HH = Enrollment._meta.db_table, EnrollmentChange._meta.db_table, Household._meta.db_table
LINE, BATCH = PaymentLine._meta.db_table, PayrollBatch._meta.db_table
CASE, DEADLINE, RECORD = Case._meta.db_table, CaseDeadline._meta.db_table, CaseRecord._meta.db_table
CAMPAIGN, ALERT, REGISTER = ReviewCampaign._meta.db_table, Alert._meta.db_table, LowIncomeEntry._meta.db_table
REPORT, EVENT = VerificationReport._meta.db_table, CaseEvent._meta.db_table
OBJECTION_ACTIONS = ("record_objection",)


def _pg() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def bulk_reads() -> Iterator[None]:
    """One transaction for the month's reads, with PostgreSQL's JIT compilation off: for these scans of
    a million rows it costs more than it saves (about 0.7 s for the enrollments, whose per-row
    support-mode subquery inflates the planner's estimate)."""
    with transaction.atomic():
        if _pg():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")
        yield


def _fen(column: str) -> str:
    return f"({column} * 100)::bigint" if _pg() else f"CAST(ROUND({column} * 100) AS INTEGER)"


def _local_date(column: str) -> str:
    if _pg():
        return f"({column} AT TIME ZONE '{settings.TIME_ZONE}')::date"
    offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset() or timedelta(0)
    return f"date({column}, '{int(offset.total_seconds() // 60):+d} minutes')"


def _ts(day: date):
    """Local midnight of ``day`` as a query parameter for a timestamp column."""
    moment = datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
    if _pg():
        return moment
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None).isoformat(" ")


def _support_mode() -> str:
    """The tekun support mode (集中/分散供养) recorded at confirmation, when there is one."""
    field = "r.data ->> 'support_mode'" if _pg() else "json_extract(r.data, '$.support_mode')"
    return (f"CASE WHEN e.program = 'tekun' THEN COALESCE((SELECT MAX({field}) FROM {RECORD} r "
            "WHERE r.case_id = e.case_id AND r.kind = 'confirmation'), '') ELSE '' END")


def enrollments_query(low: str, high: str, month: date) -> tuple[str, tuple]:
    """Enrollments that may be enrolled in ``month`` or started/stopped then: started by its end and
    not stopped before it (columns as ``stats.ENROLLMENTS_SCHEMA``)."""
    sql = ("SELECT e.id, e.program, e.household_id, e.region_id, e.persons, e.start_month, e.status, "
           f"e.graduating_until, e.stopped_month, h.area_type, {_support_mode()} AS support_mode FROM {ENR} e JOIN {HH} h ON h.id = e.household_id "
           "WHERE e.region_id >= %s AND e.region_id <= %s AND e.start_month <= %s "
           "AND (e.stopped_month IS NULL OR e.stopped_month >= %s)")
    return sql, (low, high, stats.month_end(month), month)


def changes_query(low: str, high: str, month: date) -> tuple[str, tuple]:
    """Changes effective in or after ``month``: the later ones give the terms in force, those of the
    month the adjustments and stops."""
    sql = (f"SELECT c.enrollment_id, c.id, c.effective_month, c.kind, c.old_status, c.new_status, "
           f"{_fen('c.old_amount')} AS old_amount_fen, {_fen('c.new_amount')} AS new_amount_fen, c.old_class, c.new_class "
           f"FROM {CHG} c JOIN {ENR} e ON e.id = c.enrollment_id "
           "WHERE c.effective_month >= %s AND e.region_id >= %s AND e.region_id <= %s")
    return sql, (month, low, high)


def lines_query(low: str, high: str, month: date) -> tuple[str, tuple]:
    """The month's payment lines in approved (or reconciled) batches, failed ones left out (a failed
    line is paid, if at all, by the line carried into a later batch, which holds the same month).
    Enrollments' lines only: a case's line (临时救助 by bank) is counted by its case record
    (read_temporary), on its payment day, and reconciled against the 临时救助台账."""
    sql = (f"SELECT l.region_id, l.program, l.enrollment_id, l.household_id, l.persons, {_fen('l.amount')} AS amount_fen "
           f"FROM {LINE} l JOIN {BATCH} b ON b.id = l.batch_id "
           "WHERE l.month = %s AND l.status <> 'failed' AND b.status IN ('approved', 'reconciled') "
           "AND l.enrollment_id IS NOT NULL AND l.region_id >= %s AND l.region_id <= %s")
    return sql, (month, low, high)


# the inputs with a row per enrollment (stats.ROW_INPUTS): their queries and columns
ROW_QUERIES = {"enrollments": (enrollments_query, stats.ENROLLMENTS_SCHEMA),
               "changes": (changes_query, stats.CHANGES_SCHEMA), "lines": (lines_query, stats.LINES_SCHEMA)}


def read_rows(name: str, low: str, high: str, month: date) -> pa.Table:
    query, schema = ROW_QUERIES[name]
    return read_table(*query(low, high, month), schema)


def read_cases(low: str, high: str, month: date) -> pa.Table:
    """Cases submitted by the month's end and still open at its start or closed since, plus the
    cases of the month's year's annual review (their progress counts the closed ones too); whether
    each has a 核对 report, and the reason given when it was closed."""
    sql = (f"SELECT c.id, c.program, c.kind, c.region_id, c.state, {_local_date('c.submitted_at')}, "
           f"{_local_date('c.closed_at')}, c.overall_started_on, k.year, "
           f"EXISTS (SELECT 1 FROM {REPORT} v WHERE v.case_id = c.id), "
           f"CASE WHEN c.closed_at IS NULL THEN '' ELSE COALESCE((SELECT e.reason FROM {EVENT} e "
           "WHERE e.case_id = c.id AND e.to_state = c.state ORDER BY e.at DESC, e.id DESC LIMIT 1), '') END "
           f"FROM {CASE} c LEFT JOIN {CAMPAIGN} k ON k.id = c.campaign_id "
           "WHERE c.region_id >= %s AND c.region_id <= %s AND c.submitted_at < %s "
           "AND (c.closed_at IS NULL OR c.closed_at >= %s OR k.year = %s)")
    end = stats.month_end(month) + timedelta(days=1)
    return read_table(sql, (low, high, _ts(end), _ts(month), month.year), stats.CASES_SCHEMA)


def read_late(low: str, high: str, cut: date) -> pa.Table:
    """Cases with a supervised deadline that was running and past due on ``cut`` (due before it,
    started on or before it, not met or cancelled by then)."""
    sql = (f"SELECT DISTINCT d.case_id, d.step FROM {DEADLINE} d JOIN {CASE} c ON c.id = d.case_id "
           "WHERE d.supervised AND d.due < %s AND d.starts_on <= %s AND (d.met_on IS NULL OR d.met_on > %s) "
           "AND c.region_id >= %s AND c.region_id <= %s")
    return read_table(sql, (cut, cut, cut, low, high), stats.LATE_SCHEMA)


def read_steps(low: str, high: str, month: date) -> pa.Table:
    """Working-day deadlines met in ``month`` (the overall one carries the case's extension)."""
    sql = (f"SELECT d.case_id, c.program, c.region_id, d.step, d.starts_on, d.met_on, d.due, "
           f"(d.step = 'overall' AND c.extended) FROM {DEADLINE} d JOIN {CASE} c ON c.id = d.case_id "
           "WHERE d.unit = 'wd' AND d.met_on >= %s AND d.met_on <= %s AND c.region_id >= %s AND c.region_id <= %s")
    return read_table(sql, (month, stats.month_end(month), low, high), stats.STEPS_SCHEMA)


def read_alerts(low: str, high: str, month: date) -> pa.Table:
    sql = (f"SELECT a.region_id, a.type, a.detected_on, a.disposition, a.disposed_on, a.due_date FROM {ALERT} a "
           "WHERE a.region_id >= %s AND a.region_id <= %s AND a.detected_on >= %s AND a.detected_on <= %s")
    return read_table(sql, (low, high, month, stats.month_end(month)), stats.ALERTS_SCHEMA)


def read_objections(low: str, high: str, month: date) -> pa.Table:
    """Objections recorded in the month (公示异议 of applications, 拟终止异议 of tekun rechecks)."""
    placeholders = ", ".join(["%s"] * len(OBJECTION_ACTIONS))
    sql = (f"SELECT e.case_id, c.program, c.region_id FROM {EVENT} e JOIN {CASE} c ON c.id = e.case_id "
           f"WHERE e.action IN ({placeholders}) AND e.at >= %s AND e.at < %s "
           "AND c.region_id >= %s AND c.region_id <= %s")
    end = stats.month_end(month) + timedelta(days=1)
    return read_table(sql, (*OBJECTION_ACTIONS, _ts(month), _ts(end), low, high), stats.OBJECTIONS_SCHEMA)


def read_register(low: str, high: str, month: date) -> pa.Table:
    sql = (f"SELECT r.region_id, r.category, r.recognized_on, r.valid_until FROM {REGISTER} r "
           "WHERE r.region_id >= %s AND r.region_id <= %s AND r.recognized_on <= %s "
           "AND (r.valid_until IS NULL OR r.valid_until >= %s OR r.category = 'temporary')")
    return read_table(sql, (low, high, stats.month_end(month), month), stats.REGISTER_SCHEMA)


def read_reports(low: str, high: str, month: date) -> pa.Table:
    sql = (f"SELECT v.region_id, v.conclusion, {_local_date('v.created_at')} FROM {REPORT} v "
           "WHERE v.region_id >= %s AND v.region_id <= %s AND v.created_at >= %s AND v.created_at < %s")
    end = stats.month_end(month) + timedelta(days=1)
    return read_table(sql, (low, high, _ts(month), _ts(end)), stats.REPORTS_SCHEMA)


def read_temporary(low: str, high: str, month: date) -> pa.Table:
    """临时救助 payments that may fall in ``month``: 先行救助 (paid the day it was recorded) and the stages
    paid (``paid_on``), recorded since the month began (a payment is recorded on or after its day)."""
    if _pg():
        amount, paid = "(r.data ->> 'amount')::numeric", "(r.data ->> 'paid_on')::date"
    else:
        amount, paid = "CAST(json_extract(r.data, '$.amount') AS REAL)", "json_extract(r.data, '$.paid_on')"
    sql = (f"SELECT c.region_id, c.id, c.kind, r.kind, {_fen(amount)}, COALESCE({paid}, {_local_date('e.at')}) "
           f"FROM {RECORD} r JOIN {CASE} c ON c.id = r.case_id JOIN {EVENT} e ON e.id = r.event_id "
           "WHERE c.program = 'temporary' AND r.kind IN ('ta_advance', 'ta_payment') AND e.at >= %s "
           "AND c.region_id >= %s AND c.region_id <= %s")
    return read_table(sql, (_ts(month), low, high), stats.TEMPORARY_SCHEMA)


def workdays_table(cases: pa.Table, steps: pa.Table | None = None) -> pa.Table:
    """The cumulative working-day index over the dates the closed cases and the met steps span (from
    the earliest start to the latest closing). Days of a year outside the calendar stop the index
    there (their cases are not timed)."""
    started = [d for d in cases.column("started_on").to_pylist() if d is not None]
    closed = [d for d in cases.column("closed_on").to_pylist() if d is not None]
    if steps is not None and steps.num_rows:
        started += [d for d in steps.column("starts_on").to_pylist() if d is not None]
        closed += [d for d in steps.column("met_on").to_pylist() if d is not None]
    if not started or not closed:
        return stats.WORKDAYS_SCHEMA.empty_table()
    cal = work_calendar()
    day, last = min(started), max(closed)
    days, counts, n = [], [], 0
    while day <= last:
        try:
            n += is_workday(cal, day)
        except CalendarYearMissing:
            break
        days.append(day)
        counts.append(n)
        day += timedelta(days=1)
    return pa.table({"day": pa.array(days, pa.date32()), "n": pa.array(counts, pa.int64())})


STEPS = ("读取在保对象", "读取发放明细", "读取案件", "读取预警与登记", "计算统计")


def _read_apart(name: str, low: str, high: str, month: date) -> pa.Table:
    """``read_rows`` on this thread's own connection (closed afterwards)."""
    try:
        with bulk_reads():
            return read_rows(name, low, high, month)
    finally:
        connection.close()


def read_inputs(low: str, high: str, month: date, cut: date, progress=None) -> dict[str, pa.Table]:
    """Every input of the month's statistics. On PostgreSQL (``JIUZHU_STATS_PARALLEL_READS``) the month's
    payment lines are read on a second connection while this one reads the enrollments and the rest:
    the server's scan and the client's parsing of the two largest inputs overlap on two cores. Each
    statement sees the data committed when it starts, as on one connection in READ COMMITTED."""
    apart = None
    if _pg() and getattr(settings, "JIUZHU_STATS_PARALLEL_READS", False):
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stats-lines")
        apart = pool.submit(_read_apart, "lines", low, high, month)
        pool.shutdown(wait=False)
    try:
        with bulk_reads():
            out = _read_inputs(low, high, month, cut, progress, apart)
    finally:
        if apart is not None and not apart.done():
            apart.cancel()
    return out


def _read_inputs(low: str, high: str, month: date, cut: date, progress=None, apart: Future | None = None,
                 ) -> dict[str, pa.Table]:
    step = progress or (lambda label, done, total: None)
    total = len(STEPS)
    step(STEPS[0], 0, total)
    out = {name: read_rows(name, low, high, month) for name in ("enrollments", "changes")}
    step(STEPS[1], 1, total)
    if apart is None:
        out["lines"] = read_rows("lines", low, high, month)
    step(STEPS[2], 2, total)
    out["cases"] = read_cases(low, high, month)
    out["late"] = read_late(low, high, cut)
    out["steps"] = read_steps(low, high, month)
    out["workdays"] = workdays_table(out["cases"], out["steps"])
    step(STEPS[3], 3, total)
    out["alerts"] = read_alerts(low, high, month)
    out["register"] = read_register(low, high, month)
    out["reports"] = read_reports(low, high, month)
    out["objections"] = read_objections(low, high, month)
    out["temporary"] = read_temporary(low, high, month)
    if apart is not None:
        out["lines"] = apart.result()
    step(STEPS[4], 4, total)
    return out
