"""The efficiency and quality report's panels (办理效率与质量, issue 17 §3), shaped from the monthly
facts like the dashboard's (panels.py): processing time distribution and share within 20 working
days with extensions, time per step, overdue by township and step, 核对率, outcomes with denial and
withdrawal rates and reasons, objections, rechecks on time and alerts handled by their due date.
Pure shaping: no queries, no personal data."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from jiuzhu.rules.monitoring import ALERT_TYPE_LABELS
from jiuzhu.rules.workflow.states import STATE_LABELS, STEP_LABELS

from .panels import ZERO, Facts, Panel, _chart, _int, _month_label, _share, median, steps

BUCKETS = ((0, 5), (6, 10), (11, 15), (16, 20), (21, 30), (31, 45), (46, None))
REFUSALS = ("rejected", "closed_ineligible", "withdrawn", "terminated")


def build(rows: list[dict], *, month: date, months: list[date], towns: list[tuple[str, str]]) -> list[Panel]:
    f = Facts(rows)
    return [distribution(f, months), steps(f, month, months), overdue_steps(f, month, towns), verify_rate(f, month, towns),
            outcomes(f, month, towns), reasons(f, month), on_time(f, month, towns)]


def _bucket_label(low: int, high: int | None) -> str:
    return f"{low}–{high} 个工作日" if high is not None else f"{low} 个工作日以上"


def distribution(f: Facts, months) -> Panel:
    p = Panel("distribution", "申请办理时长分布（按月办结）",
              ["月份", *(_bucket_label(lo, hi) for lo, hi in BUCKETS), "计时件数", "20个工作日内（%）", "中位数", "延期办理"],
              note="自总时限起算日至办结日的工作日数；延期办理为本月办结且依规定延长了总时限的件数")
    for m in months:
        hist = f.hist(month=m)
        counts = [sum(n for wd, n in hist.items() if wd >= lo and (hi is None or wd <= hi)) for lo, hi in BUCKETS]
        measured = sum(counts)
        within = sum(n for wd, n in hist.items() if wd <= 20)
        p.rows.append([_month_label(m), *counts, measured, _share(within, measured), median(hist),
                       _int(f.sum("steps.extended", month=m, category="overall"))])
    p.chart = _chart([r[0] for r in p.rows], [(h, [r[i] for r in p.rows]) for i, h in enumerate(p.headers[1:8], 1)])
    p.stack = "bucket"
    return p


def overdue_steps(f: Facts, month: date, towns) -> Panel:
    present = sorted({c for _m, _r, _p, c, _v in f.by_metric.get("cases.overdue_step", ()) if _m == month},
                     key=lambda s: (list(STEP_LABELS).index(s) if s in STEP_LABELS else 99, s))
    p = Panel("overdue_steps", f"逾期未办结案件（按乡镇和环节，{month:%Y年%m月}末或今日）",
              ["乡镇", "逾期案件", *(STEP_LABELS.get(s, s) for s in present)],
              note="一件案件可能在多个环节逾期，因此各环节之和可能大于逾期案件数")
    for code, name in towns:
        w = dict(month=month, region=code)
        p.rows.append([name, _int(f.sum("cases.overdue_open", **w)),
                       *(_int(f.sum("cases.overdue_step", category=s, **w)) for s in present)])
    p.chart = _chart([r[0] for r in p.rows], [(h, [r[i] for r in p.rows]) for i, h in enumerate(p.headers[2:], 2)])
    p.stack = "step"
    return p


def verify_rate(f: Facts, month: date, towns) -> Panel:
    p = Panel("verify_rate", f"核对率（按乡镇，{month:%Y年%m月}）",
              ["乡镇", "办结申请", "其中有核对报告", "申请核对率（%）", f"{month.year}年度年审复核", "其中有核对报告",
               "年审核对率（%）"],
              note="申请：本月办结的申请；年审：该年度年审已生成的复核（截至月末）")
    for code, name in towns:
        w = dict(month=month, region=code)
        closed, reported = f.sum("verify.closed", category="application", **w), f.sum("verify.with_report", category="application", **w)
        review, review_reported = f.sum("review.total", **w), f.sum("review.with_report", **w)
        p.rows.append([name, _int(closed), _int(reported), _share(reported, closed), _int(review), _int(review_reported),
                       _share(review_reported, review)])
    p.chart = _chart([r[0] for r in p.rows], [("申请核对率（%）", [r[3] for r in p.rows]), ("年审核对率（%）", [r[6] for r in p.rows])])
    return p


def outcomes(f: Facts, month: date, towns) -> Panel:
    p = Panel("outcomes", f"申请办结结果（按乡镇，{month:%Y年%m月}）",
              ["乡镇", "办结申请", "批准", "不予批准", "核对不符", "撤回", "终止", "不予批准率（%）", "撤回率（%）", "公示异议"])
    for code, name in towns:
        w = dict(month=month, region=code)
        n = {s: _int(f.sum("cases.outcome", category=f"application:{s}", **w))
             for s in ("approved", "rejected", "closed_ineligible", "withdrawn", "terminated")}
        total = _int(f.sum("verify.closed", category="application", **w))
        p.rows.append([name, total, n["approved"], n["rejected"], n["closed_ineligible"], n["withdrawn"], n["terminated"],
                       _share(n["rejected"] + n["closed_ineligible"], total), _share(n["withdrawn"], total),
                       _int(f.sum("objections", **w))])
    p.chart = _chart([r[0] for r in p.rows], [(h, [r[i] for r in p.rows]) for i, h in enumerate(p.headers[2:7], 2)])
    p.stack = "outcome"
    return p


def reasons(f: Facts, month: date) -> Panel:
    p = Panel("reasons", f"不予批准、撤回和终止的原因（{month:%Y年%m月}）", ["结果", "原因", "件数"],
              note="原因为办结时填写的理由（前 40 字）；申请与复核合计")
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for m, _r, _p, c, v in f.by_metric.get("cases.reason", ()):
        if m == month:
            state, _, reason = c.partition(":")
            counts[(state, reason)] += int(v)
    for (state, reason), n in sorted(counts.items(), key=lambda kv: (REFUSALS.index(kv[0][0]) if kv[0][0] in REFUSALS else 9, -kv[1])):
        p.rows.append([STATE_LABELS.get(state, state), reason or "（未填写）", n])
    p.chart = _chart([f"{r[0]}：{r[1]}"[:24] for r in p.rows], [("件数", [r[2] for r in p.rows])])
    return p


def on_time(f: Facts, month: date, towns) -> Panel:
    p = Panel("on_time", f"复核与预警按期处置（按乡镇，{month:%Y年%m月}）",
              ["乡镇", "复核办结", "按期办结", "复核按期率（%）", "异议处理完成", "按期完成", "预警已处置", "按期处置",
               "预警按期率（%）"],
              note="复核、异议处理按其办理期限；预警为本月发现且截至月末已处置的，按其处置期限")
    for code, name in towns:
        w = dict(month=month, region=code)
        rc, rc_ok = f.sum("steps.met", category="recheck", **w), f.sum("steps.on_time", category="recheck", **w)
        ob, ob_ok = f.sum("steps.met", category="objection_handling", **w), f.sum("steps.on_time", category="objection_handling", **w)
        al = sum((f.sum("alerts.handled", category=t, **w) for t in ALERT_TYPE_LABELS), ZERO)
        al_ok = sum((f.sum("alerts.handled_on_time", category=t, **w) for t in ALERT_TYPE_LABELS), ZERO)
        p.rows.append([name, _int(rc), _int(rc_ok), _share(rc_ok, rc), _int(ob), _int(ob_ok), _int(al), _int(al_ok),
                       _share(al_ok, al)])
    p.chart = _chart([r[0] for r in p.rows], [("复核按期率（%）", [r[3] for r in p.rows]), ("预警按期率（%）", [r[8] for r in p.rows])])
    return p
