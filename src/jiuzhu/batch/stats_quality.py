"""Efficiency and quality facts (办理效率与质量, issue 17 §3), part of the monthly statistics
(:mod:`jiuzhu.batch.stats`): outcomes and their reasons, 核对率, overdue cases by step, objections and
alerts handled within their due date. Pure frame transforms over the same inputs; the per-step
working days are ``steps.*`` in stats.py.

* ``cases.outcome`` — cases closed in the month, category ``kind:state`` (approved, rejected,
  closed_ineligible, withdrawn, terminated, rechecked, cancelled);
* ``cases.reason`` — the same for the refusing outcomes, category ``state:reason`` (the reason given
  when the case was closed, first 40 characters; "" when none was given);
* ``verify.closed`` / ``verify.with_report`` — cases closed in the month / those with a 核对 report,
  category the kind; ``review.with_report`` — the year's 年审 rechecks with a report;
* ``cases.overdue_step`` — open cases late in a supervised step on T, category the step;
* ``objections`` — objections recorded in the month (公示异议, 拟终止异议);
* ``alerts.handled`` / ``alerts.handled_on_time`` — the month's alerts disposed of by T / by their
  due date, category the type.
"""

from __future__ import annotations

from datetime import date

import ibis

from .stats import ALL, _fact, month_end, township

REFUSALS = ("rejected", "closed_ineligible", "withdrawn", "terminated")
REASON_CHARS = 40


def quality_facts(t: dict, *, month: date, cut: date) -> list:
    first, last, t_ = ibis.literal(month), ibis.literal(month_end(month)), ibis.literal(cut)
    c = t["cases"].mutate(town=township(t["cases"].region))
    closed = c.filter((c.closed_on >= first) & (c.closed_on <= last))
    closed = closed.mutate(key=closed.kind + ":" + closed.state)
    outcome = closed.group_by(["town", "program", "key"]).aggregate(n=closed.case_id.count())
    refused = closed.filter(closed.state.isin(REFUSALS))
    refused = refused.mutate(key=refused.state + ":" + refused.reason.fill_null("").strip().substr(0, REASON_CHARS))
    reasons = refused.group_by(["town", "program", "key"]).aggregate(n=refused.case_id.count())
    verify = closed.group_by(["town", "program", "kind"]).aggregate(
        n=closed.case_id.count(), reported=closed.has_report.cast("int64").sum())
    review = c.filter((c.campaign_year == month.year) & (c.submitted_on <= t_) & c.has_report)
    review = review.group_by(["town", "program"]).aggregate(n=review.case_id.count())

    open_on_t = c.filter((c.submitted_on <= t_) & (c.closed_on.isnull() | (c.closed_on > t_)))
    late = t["late"]
    late = open_on_t.join(late, open_on_t.case_id == late.case_id)
    late = late.group_by(["town", "program", "step"]).aggregate(n=late.case_id.nunique())

    o = t["objections"].mutate(town=township(t["objections"].region))
    objections = o.group_by(["town", "program"]).aggregate(n=o.case_id.count())

    a = t["alerts"]
    a = a.filter((a.detected_on >= first) & (a.detected_on <= last) & a.disposed_on.notnull()
                 & (a.disposed_on <= t_) & (a.disposition != ""))
    a = a.mutate(town=township(a.region))
    handled = a.group_by(["town", "type"]).aggregate(
        n=a.type.count(), on_time=(a.due_date.isnull() | (a.disposed_on <= a.due_date)).cast("int64").sum())
    blank, everything = ibis.literal(""), ibis.literal(ALL)
    return [
        _fact(outcome, outcome.program, "cases.outcome", outcome.key, outcome.n),
        _fact(reasons, reasons.program, "cases.reason", reasons.key, reasons.n),
        _fact(verify, verify.program, "verify.closed", verify.kind, verify.n),
        _fact(verify, verify.program, "verify.with_report", verify.kind, verify.reported),
        _fact(review, review.program, "review.with_report", blank, review.n),
        _fact(late, late.program, "cases.overdue_step", late.step, late.n),
        _fact(objections, objections.program, "objections", blank, objections.n),
        _fact(handled, everything, "alerts.handled", handled.type, handled.n),
        _fact(handled, everything, "alerts.handled_on_time", handled.type, handled.on_time),
    ]
