"""Monthly statistics facts (月度统计): one month's aggregates per township × program × metric, computed
from the raw rows of enrollments, payroll lines, cases, deadlines, alerts, the low-income register and
verification reports. A pure frame transform (Ibis over DuckDB): no Django, no database, no per-row
Python. Money is integer fen.

Everything is derived from the data as it stands, so any past month can be recomputed:

* the enrollment row holds the latest decision; the status in force in month M is the old one of
  its earliest change effective after M (:func:`in_force`, the same rule as the payroll's);
* an enrollment is *enrolled at the end of M* when its status in force is live (active, suspended,
  graduating — a graduation period ended before M does not count), it started on or before M and is
  not stopped by M (``stopped_month`` null or after M);
* the *cut-off* ``T`` of M is its last day, or ``today`` for the running month: open cases, overdue
  deadlines, 年审 progress and alert outcomes are read "as they stood on T" from their dates
  (``closed_on``, ``met_on``, ``disposed_on``);
* processing time is counted in working days from the start of the overall time limit to the closing
  date (``n(closed) − n(started)`` over the cumulative working-day index ``WORKDAYS``); ``cases.wd_hist`` keeps its distribution
  (category = working days, zero-padded) so a median over several townships stays exact.

Output (:data:`FACTS_SCHEMA`): ``value`` is an integer in units of 10^-``scale`` (scale 0 counts,
1 tenths, 2 fen).
"""

from __future__ import annotations

import calendar
import functools
from datetime import date

import ibis
import pyarrow as pa

from .engines import duckdb_connection

ENROLLMENTS_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("program", pa.string()), ("household_id", pa.int64()),
    ("region", pa.string()), ("persons", pa.int32()),  # no amount or class: no fact counts them
    ("start_month", pa.date32()), ("status", pa.string()), ("graduating_until", pa.date32()),
    ("stopped_month", pa.date32()), ("area_type", pa.string()), ("support_mode", pa.string()),
])
CHANGES_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("change_id", pa.int64()), ("effective_month", pa.date32()),
    ("kind", pa.string()), ("old_status", pa.string()), ("new_status", pa.string()),
    ("old_amount_fen", pa.int64()), ("new_amount_fen", pa.int64()), ("old_class", pa.string()),
    ("new_class", pa.string()),
])
LINES_SCHEMA = pa.schema([
    ("region", pa.string()), ("program", pa.string()), ("enrollment_id", pa.int64()),
    ("household_id", pa.int64()), ("persons", pa.int32()), ("amount_fen", pa.int64()),
])
CASES_SCHEMA = pa.schema([
    ("case_id", pa.int64()), ("program", pa.string()), ("kind", pa.string()), ("region", pa.string()),
    ("state", pa.string()), ("submitted_on", pa.date32()), ("closed_on", pa.date32()),
    ("started_on", pa.date32()), ("campaign_year", pa.int64()), ("has_report", pa.bool_()),
    ("reason", pa.string()),  # the reason given on the event that closed the case
])
# supervised deadlines overdue on T (a case may be late in several steps)
LATE_SCHEMA = pa.schema([("case_id", pa.int64()), ("step", pa.string())])
STEPS_SCHEMA = pa.schema([  # working-day deadlines met in the month (one row per step of a case)
    ("case_id", pa.int64()), ("program", pa.string()), ("region", pa.string()), ("step", pa.string()),
    ("starts_on", pa.date32()), ("met_on", pa.date32()), ("due", pa.date32()), ("extended", pa.bool_()),
])
ALERTS_SCHEMA = pa.schema([
    ("region", pa.string()), ("type", pa.string()), ("detected_on", pa.date32()),
    ("disposition", pa.string()), ("disposed_on", pa.date32()), ("due_date", pa.date32()),
])
OBJECTIONS_SCHEMA = pa.schema([("case_id", pa.int64()), ("program", pa.string()), ("region", pa.string())])
REGISTER_SCHEMA = pa.schema([
    ("region", pa.string()), ("category", pa.string()), ("recognized_on", pa.date32()),
    ("valid_until", pa.date32()),
])
REPORTS_SCHEMA = pa.schema([("region", pa.string()), ("conclusion", pa.string()), ("created_on", pa.date32())])
TEMPORARY_SCHEMA = pa.schema([  # 临时救助 payments: 先行救助 and each stage paid (a payment's day: paid_on)
    ("region", pa.string()), ("case_id", pa.int64()), ("kind", pa.string()), ("payment", pa.string()),
    ("amount_fen", pa.int64()), ("paid_on", pa.date32()),
])
WORKDAYS_SCHEMA = pa.schema([("day", pa.date32()), ("n", pa.int64())])
FACTS_SCHEMA = pa.schema([
    ("region", pa.string()), ("program", pa.string()), ("metric", pa.string()), ("category", pa.string()),
    ("value", pa.int64()), ("scale", pa.int8()),
])

LIVE = ("active", "suspended", "graduating")
ALL = "all"  # the program of facts that belong to no program (alerts, register, verification)
LIMIT_WD = 20  # 审核确认 within 20 working days (R-WF overall limit)
ADJUST_KINDS = ("adjust", "standard", "recheck")
INPUTS = {"enrollments": ENROLLMENTS_SCHEMA, "changes": CHANGES_SCHEMA, "lines": LINES_SCHEMA,
          "cases": CASES_SCHEMA, "late": LATE_SCHEMA, "steps": STEPS_SCHEMA, "alerts": ALERTS_SCHEMA, "register": REGISTER_SCHEMA,
          "reports": REPORTS_SCHEMA, "workdays": WORKDAYS_SCHEMA,
          "objections": OBJECTIONS_SCHEMA, "temporary": TEMPORARY_SCHEMA}


def month_end(month: date) -> date:
    return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def cutoff(month: date, today: date) -> date:
    """T: the month's last day, or today while the month runs."""
    return min(month_end(month), today)


def township(region):
    return region.substr(0, 9) + "000"


def in_force(e, changes, month: date):
    """``e`` with the status in force in ``month`` (see the module docstring)."""
    later = changes.filter(changes.effective_month > ibis.literal(month))
    later = later.mutate(rank=ibis.row_number().over(group_by=later.enrollment_id,
                                                     order_by=[later.effective_month, later.change_id]))
    first = later.filter(later.rank == 0).select(changed_id=later.enrollment_id, f_status=later.old_status)
    j = e.left_join(first, e.enrollment_id == first.changed_id)
    return j.mutate(status=ibis.ifelse(j.changed_id.notnull(), j.f_status, j.status)).drop("changed_id", "f_status")


def enrolled(e, month: date):
    m = ibis.literal(month)
    return (e.status.isin(LIVE) & (e.start_month <= m)
            & (e.stopped_month.isnull() | (e.stopped_month > m))
            & ~((e.status == "graduating") & e.graduating_until.notnull() & (e.graduating_until < m)))


def _fact(t, program, metric: str, category, value, scale: int = 0):
    return t.select(region=t.town, program=program, metric=ibis.literal(metric),
                    category=category, value=value.cast("int64"), scale=ibis.literal(scale).cast("int8"))


def _enrollment_facts(e, changes, month: date):
    e = in_force(e, changes, month)
    e = e.filter(enrolled(e, month)).mutate(town=township(e.region))
    by_area = e.group_by(["town", "program", "area_type"]).aggregate(
        households=e.household_id.nunique(), persons=e.persons.sum())
    tk = e.filter(e.program == "tekun")
    mode = ibis.ifelse(tk.support_mode == "", "unrecorded", tk.support_mode)
    tk = tk.mutate(mode=mode)
    by_mode = tk.group_by(["town", "program", "mode"]).aggregate(persons=tk.persons.sum())
    return [
        _fact(by_area, by_area.program, "enrolled.households", by_area.area_type, by_area.households),
        _fact(by_area, by_area.program, "enrolled.persons", by_area.area_type, by_area.persons),
        _fact(by_mode, by_mode.program, "tekun.persons", by_mode.mode, by_mode.persons),
    ]


def _flow_facts(e, changes, month: date):
    m = ibis.literal(month)
    new = e.filter(e.start_month == m).mutate(town=township(e.region))
    new = new.group_by(["town", "program"]).aggregate(n=new.enrollment_id.nunique())
    c = changes.filter(changes.effective_month == m)
    c = c.join(e.select("enrollment_id", "program", "region"), "enrollment_id")
    c = c.mutate(town=township(c.region))
    adjusted = c.filter(c.kind.isin(ADJUST_KINDS) & c.new_status.isin(LIVE)
                        & ((c.new_amount_fen != c.old_amount_fen) | (c.new_class != c.old_class)))
    adjusted = adjusted.group_by(["town", "program"]).aggregate(n=adjusted.enrollment_id.nunique())
    stopped = c.filter((c.new_status == "stopped") & (c.old_status != "stopped"))
    stopped = stopped.group_by(["town", "program"]).aggregate(n=stopped.enrollment_id.nunique())
    return [_fact(t, t.program, name, ibis.literal(""), t.n)
            for t, name in ((new, "enroll.new"), (adjusted, "enroll.adjusted"), (stopped, "enroll.stopped"))]


def _paid_facts(lines):
    per = lines.mutate(town=township(lines.region)).group_by(["town", "program", "enrollment_id"]).aggregate(
        household_id=lines.household_id.max(), persons=lines.persons.max(), amount=lines.amount_fen.sum())
    t = per.group_by(["town", "program"]).aggregate(
        households=per.household_id.nunique(), persons=per.persons.sum().cast("int64"),
        amount=per.amount.sum().cast("int64"))
    # 人均补差: the month's amount per person paid, rounded half up to the fen
    per_capita = ibis.ifelse(t.persons > 0, (t.amount * 2 + t.persons) // (t.persons * 2), 0)
    blank = ibis.literal("")
    return [_fact(t, t.program, "paid.amount", blank, t.amount, 2),
            _fact(t, t.program, "paid.households", blank, t.households),
            _fact(t, t.program, "paid.persons", blank, t.persons),
            _fact(t, t.program, "paid.per_capita", blank, per_capita, 2)]


def _case_facts(cases, late, workdays, month: date, cut: date):
    first, last, t_ = ibis.literal(month), ibis.literal(month_end(month)), ibis.literal(cut)
    c = cases.mutate(town=township(cases.region))
    sub = c.filter((c.submitted_on >= first) & (c.submitted_on <= last))
    sub = sub.group_by(["town", "program", "kind"]).aggregate(n=sub.case_id.count())
    closed = c.filter((c.closed_on >= first) & (c.closed_on <= last))
    done = closed.group_by(["town", "program", "kind"]).aggregate(n=closed.case_id.count())
    timed = closed.filter((closed.kind == "application") & closed.started_on.notnull())
    w1 = workdays.select(s_day=workdays.day, s_n=workdays.n)
    w2 = workdays.select(c_day=workdays.day, c_n=workdays.n)
    timed = timed.join(w1, timed.started_on == w1.s_day).join(w2, timed.closed_on == w2.c_day)
    timed = timed.mutate(wd=timed.c_n - timed.s_n)
    speed = timed.group_by(["town", "program"]).aggregate(
        measured=timed.case_id.count(), within=(timed.wd <= LIMIT_WD).cast("int64").sum(),
        median=timed.wd.median())
    hist = timed.group_by(["town", "program", "wd"]).aggregate(n=timed.case_id.count())
    share = ibis.ifelse(speed.measured > 0, (speed.within * 2000 + speed.measured) // (speed.measured * 2), 0)
    open_on_t = c.filter((c.submitted_on <= t_) & (c.closed_on.isnull() | (c.closed_on > t_)))
    overdue = open_on_t.semi_join(late, "case_id")
    overdue = overdue.group_by(["town", "program"]).aggregate(n=overdue.case_id.count())
    still_open = open_on_t.group_by(["town", "program"]).aggregate(n=open_on_t.case_id.count())
    rv = c.filter((c.campaign_year == month.year) & (c.submitted_on <= t_))
    rv = rv.mutate(closed=rv.closed_on.notnull() & (rv.closed_on <= t_))
    review = rv.group_by(["town", "program"]).aggregate(
        total=rv.case_id.count(), done=(rv.closed & (rv.state != "cancelled")).cast("int64").sum(),
        cancelled=(rv.closed & (rv.state == "cancelled")).cast("int64").sum())
    blank = ibis.literal("")
    return [
        _fact(sub, sub.program, "cases.submitted", sub.kind, sub.n),
        _fact(done, done.program, "cases.closed", done.kind, done.n),
        _fact(speed, speed.program, "cases.measured", blank, speed.measured),
        _fact(speed, speed.program, "cases.within_limit", blank, speed.within),
        _fact(speed, speed.program, "cases.within_limit_share", blank, share, 1),
        _fact(speed, speed.program, "cases.median_wd", blank, (speed.median * 10).round(), 1),
        _fact(hist, hist.program, "cases.wd_hist", hist.wd.cast("string").lpad(3, "0"), hist.n),
        _fact(overdue, overdue.program, "cases.overdue_open", blank, overdue.n),
        _fact(still_open, still_open.program, "cases.open", blank, still_open.n),
        _fact(review, review.program, "review.total", blank, review.total),
        _fact(review, review.program, "review.done", blank, review.done),
        _fact(review, review.program, "review.cancelled", blank, review.cancelled),
    ]


def _step_facts(steps, workdays):
    """Per step: the distribution of working days from its start to the day it was met
    (``cases.step_hist``, category ``step:wd``), how many were met by their due date and how many had
    their limit extended (延期)."""
    w1 = workdays.select(s_day=workdays.day, s_n=workdays.n)
    w2 = workdays.select(m_day=workdays.day, m_n=workdays.n)
    t = steps.mutate(town=township(steps.region))
    t = t.join(w1, t.starts_on == w1.s_day).join(w2, t.met_on == w2.m_day)
    t = t.mutate(wd=t.m_n - t.s_n)
    hist = t.group_by(["town", "program", "step", "wd"]).aggregate(n=t.case_id.count())
    s = steps.mutate(town=township(steps.region))
    met = s.group_by(["town", "program", "step"]).aggregate(
        n=s.case_id.count(), on_time=(s.met_on <= s.due).cast("int64").sum(),
        extended=s.extended.cast("int64").sum())
    return [_fact(hist, hist.program, "steps.wd_hist", hist.step + ":" + hist.wd.cast("string").lpad(3, "0"), hist.n),
            _fact(met, met.program, "steps.met", met.step, met.n),
            _fact(met, met.program, "steps.on_time", met.step, met.on_time),
            _fact(met, met.program, "steps.extended", met.step, met.extended)]


def _other_facts(alerts, register, reports, month: date, cut: date):
    first, last, t_ = ibis.literal(month), ibis.literal(month_end(month)), ibis.literal(cut)
    everything = ibis.literal(ALL)
    a = alerts.filter((alerts.detected_on >= first) & (alerts.detected_on <= last))
    outcome = ibis.ifelse(a.disposed_on.notnull() & (a.disposed_on <= t_) & (a.disposition != ""),
                          a.disposition, "pending")
    a = a.mutate(town=township(a.region), key=a.type + ":" + outcome)
    a = a.group_by(["town", "key"]).aggregate(n=a.type.count())
    r = register
    valid = r.filter((r.category != "temporary") & (r.recognized_on <= t_)
                     & (r.valid_until.isnull() | (r.valid_until >= t_)))
    valid = valid.mutate(town=township(valid.region))
    valid = valid.group_by(["town", "category"]).aggregate(n=valid.category.count())
    temp = r.filter((r.category == "temporary") & (r.recognized_on >= first) & (r.recognized_on <= last))
    temp = temp.mutate(town=township(temp.region))
    temp = temp.group_by(["town", "category"]).aggregate(n=temp.category.count())
    v = reports.filter((reports.created_on >= first) & (reports.created_on <= last))
    v = v.mutate(town=township(v.region))
    v = v.group_by(["town", "conclusion"]).aggregate(n=v.conclusion.count())
    return [_fact(a, everything, "alerts", a.key, a.n),
            _fact(valid, everything, "register.households", valid.category, valid.n),
            _fact(temp, everything, "register.temporary", temp.category, temp.n),
            _fact(v, everything, "verification.reports", v.conclusion, v.n)]


def _temporary_facts(payments, month: date):
    """临时救助 of the month by township and kind (急难型/支出型): the cases paid and the amount paid (先行救助
    and stages, by payment day), and of it the amount paid first (先行救助)."""
    p = payments.filter((payments.paid_on >= ibis.literal(month)) & (payments.paid_on <= ibis.literal(month_end(month))))
    p = p.mutate(town=township(p.region))
    t = p.group_by(["town", "kind"]).aggregate(
        cases=p.case_id.nunique(), amount=p.amount_fen.sum().cast("int64"),
        advance=ibis.ifelse(p.payment == "ta_advance", p.amount_fen, 0).sum().cast("int64"))
    program = ibis.literal("temporary")
    return [_fact(t, program, "temporary.cases", t.kind, t.cases),
            _fact(t, program, "temporary.amount", t.kind, t.amount, 2),
            _fact(t, program, "temporary.advance", t.kind, t.advance, 2)]


def facts_expr(t: dict, *, month: date, today: date):
    """The union of every fact expression over the input tables ``t`` (name → Ibis table)."""
    from .stats_quality import quality_facts  # it builds on this module's helpers

    cut = cutoff(month, today)
    e, changes = t["enrollments"], t["changes"]
    exprs = [*_enrollment_facts(e, changes, month), *_flow_facts(e, changes, month), *_paid_facts(t["lines"]),
             *_case_facts(t["cases"], t["late"], t["workdays"], month, cut), *_step_facts(t["steps"], t["workdays"]),
             *_other_facts(t["alerts"], t["register"], t["reports"], month, cut),
             *_temporary_facts(t["temporary"], month), *quality_facts(t, month=month, cut=cut)]
    out = ibis.union(*exprs)
    return out.filter(out.value != 0).order_by(["region", "program", "metric", "category"])


@functools.lru_cache(maxsize=64)
def facts_sql(month: date, cut: date) -> str:
    """The DuckDB SQL of :func:`facts_expr` over the tables ``stats_<input>`` — compiled once per
    (month, cut-off) and process: compiling the expression costs more than running it on 10 000 rows."""
    tables = {name: ibis.table(schema, name=f"stats_{name}") for name, schema in INPUTS.items()}
    return str(ibis.to_sql(facts_expr(tables, month=month, today=cut), dialect="duckdb", pretty=False))


def stat_facts(inputs: dict[str, pa.Table], *, month: date, today: date, con=None) -> pa.Table:
    """:data:`FACTS_SCHEMA` rows for ``month`` (the 1st) from the Arrow ``inputs`` (:data:`INPUTS`;
    a missing one is empty). Zero values are left out. DuckDB (the default) runs the cached SQL over
    the registered Arrow tables; another Ibis backend (``con``) runs the expression."""
    arrow = {}
    for name, schema in INPUTS.items():
        table = inputs.get(name)
        arrow[name] = schema.empty_table() if table is None else table.select(schema.names).cast(schema)
    if con is None or getattr(con, "name", "") == "duckdb":
        con = con if con is not None else duckdb_connection()
        raw = con.con
        for name, table in arrow.items():
            raw.register(f"stats_{name}", table)
        try:
            result = raw.sql(facts_sql(month, cutoff(month, today))).to_arrow_table()
        finally:
            for name in arrow:
                raw.unregister(f"stats_{name}")
    else:
        tables = {name: ibis.memtable(table) for name, table in arrow.items()}
        result = con.to_pyarrow(facts_expr(tables, month=month, today=today))
    return result.select(FACTS_SCHEMA.names).cast(FACTS_SCHEMA)


__all__ = ["FACTS_SCHEMA", "INPUTS", "LIMIT_WD", "cutoff", "month_end", "stat_facts"]
