"""The county dashboard's panels, shaped from the facts (selectors.facts): each panel is a chart
(categories + series, for jiuzhu/bar_chart.js) and the table under it (headers + rows), and becomes one
sheet of the xlsx export. Pure shaping: no queries. No personal data: facts are counts and sums."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jiuzhu.rules.monitoring import ALERT_TYPE_LABELS, DISPOSITIONS
from jiuzhu.rules.workflow.states import STEP_LABELS

PROGRAM_LABELS = {"dibao": "低保", "tekun": "特困"}
OUTCOMES = {"pending": "待处置", **DISPOSITIONS}
ZERO = Decimal(0)


@dataclass
class Panel:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    chart: dict = field(default_factory=dict)
    stack: str = ""
    note: str = ""

    @property
    def data_id(self) -> str:
        return f"chart-data-{self.key}"


class Facts:
    """Sums of fact values by any of (month, region, program, metric, category)."""

    FIELDS = ("month", "region", "program", "category")

    def __init__(self, rows: list[dict]):
        self.by_metric: dict[str, list[tuple]] = defaultdict(list)
        for r in rows:
            self.by_metric[r["metric"]].append((r["month"], r["region"], r["program"], r["category"], r["value"]))
        self._sums: dict[tuple, dict] = {}

    def sum(self, metric: str, **where) -> Decimal:
        """The sum of ``metric`` over the rows matching ``where`` (month, region, program, category;
        None matches all). Each (metric, fields given) pattern is summed once, then looked up."""
        fields = tuple(i for i, name in enumerate(self.FIELDS) if where.get(name) is not None)
        sums = self._sums.get((metric, fields))
        if sums is None:
            sums = self._sums[(metric, fields)] = defaultdict(lambda: ZERO)
            for row in self.by_metric.get(metric, ()):
                sums[tuple(row[i] for i in fields)] += row[4]
        return sums.get(tuple(where[self.FIELDS[i]] for i in fields), ZERO)

    def hist(self, *, month=None, region=None) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for m, reg, _p, c, v in self.by_metric.get("cases.wd_hist", ()):
            if (month is None or m == month) and (region is None or reg == region):
                out[int(c)] += int(v)
        return out


    def step_hists(self, *, months=None, region=None) -> dict[str, dict[int, int]]:
        """step → {working days: count} over ``months`` (None: all) and ``region``."""
        out: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for m, reg, _p, c, v in self.by_metric.get("steps.wd_hist", ()):
            if (months is None or m in months) and (region is None or reg == region):
                step, _, wd = c.rpartition(":")
                out[step][int(wd)] += int(v)
        return out


def median(hist: dict[int, int]) -> Decimal | None:
    n = sum(hist.values())
    if not n:
        return None
    values = sorted(hist)
    cumulative, lower, upper = 0, None, None
    for v in values:
        cumulative += hist[v]
        if lower is None and cumulative >= (n + 1) // 2:
            lower = v
        if cumulative >= n // 2 + 1:
            upper = v
            break
    return (Decimal(lower + upper) / 2).quantize(Decimal("0.1"))


def _share(part, whole) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


def _int(value: Decimal) -> int:
    return int(value)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _per_capita(amount: Decimal, persons: Decimal) -> Decimal | None:
    return (amount / persons).quantize(Decimal("0.01")) if persons else None


def _chart(categories, series: list[tuple[str, list]]) -> dict:
    return {"categories": list(categories),
            "series": [{"name": name, "data": [float(x) if isinstance(x, Decimal) else (x or 0) for x in data]}
                       for name, data in series]}


def _month_label(m: date) -> str:
    return f"{m:%Y-%m}"


def build(rows: list[dict], *, month: date, months: list[date], towns: list[tuple[str, str]]) -> list[Panel]:
    f = Facts(rows)
    return [enrolled_by_township(f, month, towns), enrolled_by_month(f, months),
            by_township_and_month(f, "enrolled_matrix", "在保人数（按乡镇和月份）", "enrolled.persons", months, towns),
            paid_by_township(f, month, towns), paid_by_month(f, months),
            by_township_and_month(f, "paid_matrix", "发放金额（元，按乡镇和月份）", "paid.amount", months, towns),
            flows(f, months), processing(f, months), overdue(f, month, towns),
            steps(f, month, months), alerts(f, month), review(f, month, towns), register(f, month, towns)]


def enrolled_by_township(f: Facts, month: date, towns) -> Panel:
    p = Panel("enrolled_township", f"在保户数和人数（按乡镇，{month:%Y年%m月}末）",
              ["乡镇", "低保户数", "低保人数", "其中城市户数", "其中农村户数", "特困人数", "集中供养", "分散供养", "合计户数", "合计人数"])
    for code, name in towns:
        row = dict(month=month, region=code)
        dh, dp = f.sum("enrolled.households", program="dibao", **row), f.sum("enrolled.persons", program="dibao", **row)
        tp = f.sum("enrolled.persons", program="tekun", **row)
        p.rows.append([name, _int(dh), _int(dp),
                       _int(f.sum("enrolled.households", program="dibao", category="urban", **row)),
                       _int(f.sum("enrolled.households", program="dibao", category="rural", **row)), _int(tp),
                       _int(f.sum("tekun.persons", category="centralized", **row)),
                       _int(f.sum("tekun.persons", category="dispersed", **row)),
                       _int(f.sum("enrolled.households", **row)), _int(f.sum("enrolled.persons", **row))])
    p.chart = _chart([r[0] for r in p.rows], [("低保户数", [r[1] for r in p.rows]), ("低保人数", [r[2] for r in p.rows]),
                                              ("特困人数", [r[5] for r in p.rows])])
    return p


def enrolled_by_month(f: Facts, months) -> Panel:
    p = Panel("enrolled_month", "在保户数和人数（按月）", ["月份", "低保户数", "低保人数", "特困人数", "合计户数", "合计人数"])
    for m in months:
        p.rows.append([_month_label(m), _int(f.sum("enrolled.households", month=m, program="dibao")),
                       _int(f.sum("enrolled.persons", month=m, program="dibao")),
                       _int(f.sum("enrolled.persons", month=m, program="tekun")),
                       _int(f.sum("enrolled.households", month=m)), _int(f.sum("enrolled.persons", month=m))])
    p.chart = _chart([r[0] for r in p.rows], [("低保户数", [r[1] for r in p.rows]), ("低保人数", [r[2] for r in p.rows]),
                                              ("特困人数", [r[3] for r in p.rows])])
    return p


def by_township_and_month(f: Facts, key: str, title: str, metric: str, months, towns) -> Panel:
    """One row per township, one column per month (低保 and 特困 together); a chart series per township."""
    money = metric == "paid.amount"
    shape = _money if money else _int
    p = Panel(key, title, ["乡镇", *(_month_label(m) for m in months)], note="低保、特困合计")
    for code, name in towns:
        p.rows.append([name, *(shape(f.sum(metric, month=m, region=code)) for m in months)])
    p.chart = _chart([_month_label(m) for m in months], [(r[0], r[1:]) for r in p.rows])
    return p


def _paid_row(f: Facts, **where) -> list:
    da, dp = f.sum("paid.amount", program="dibao", **where), f.sum("paid.persons", program="dibao", **where)
    ta = f.sum("paid.amount", program="tekun", **where)
    return [_money(da), _int(dp), _per_capita(da, dp), _money(ta), _int(f.sum("paid.persons", program="tekun", **where)),
            _money(f.sum("paid.amount", **where))]


PAID_HEADERS = ["低保金额（元）", "低保人数", "低保人均补差（元）", "特困金额（元）", "特困人数", "合计金额（元）"]


def paid_by_township(f: Facts, month: date, towns) -> Panel:
    p = Panel("paid_township", f"发放金额（按乡镇，{month:%Y年%m月}）", ["乡镇", *PAID_HEADERS],
              note="已审核批次的发放明细（失败未补发的不计）")
    for code, name in towns:
        p.rows.append([name, *_paid_row(f, month=month, region=code)])
    p.chart = _chart([r[0] for r in p.rows], [("低保金额", [r[1] for r in p.rows]), ("特困金额", [r[4] for r in p.rows])])
    p.stack = "amount"
    return p


def paid_by_month(f: Facts, months) -> Panel:
    p = Panel("paid_month", "发放金额（按月）", ["月份", *PAID_HEADERS])
    for m in months:
        p.rows.append([_month_label(m), *_paid_row(f, month=m)])
    p.chart = _chart([r[0] for r in p.rows], [("低保金额", [r[1] for r in p.rows]), ("特困金额", [r[4] for r in p.rows])])
    p.stack = "amount"
    return p


def flows(f: Facts, months) -> Panel:
    p = Panel("flows", "新增、调整、停保（按月）", ["月份", "新增", "调整", "停保"])
    for m in months:
        p.rows.append([_month_label(m), *(_int(f.sum(k, month=m)) for k in ("enroll.new", "enroll.adjusted", "enroll.stopped"))])
    p.chart = _chart([r[0] for r in p.rows], [(h, [r[i] for r in p.rows]) for i, h in enumerate(p.headers[1:], 1)])
    return p


def processing(f: Facts, months) -> Panel:
    p = Panel("processing", "审核确认办理时长（按月办结）",
              ["月份", "受理申请", "办结申请", "计时件数", "20个工作日内办结", "占比（%）", "中位时长（工作日）"],
              note="时长自总时限起算日至办结日，按工作日计")
    for m in months:
        measured, within = f.sum("cases.measured", month=m), f.sum("cases.within_limit", month=m)
        p.rows.append([_month_label(m), _int(f.sum("cases.submitted", month=m, category="application")),
                       _int(f.sum("cases.closed", month=m, category="application")), _int(measured), _int(within),
                       _share(within, measured), median(f.hist(month=m))])
    p.chart = _chart([r[0] for r in p.rows], [("20个工作日内办结占比（%）", [r[5] for r in p.rows]),
                                              ("中位时长（工作日）", [r[6] for r in p.rows])])
    return p


def steps(f: Facts, month: date, months) -> Panel:
    """Median working days per step: for the selected month and over the whole window."""
    p = Panel("steps", "各环节办理时长（工作日，按完成月份）",
              ["环节", "本月完成", "本月中位数", "本月按时完成率（%）", f"近{len(months)}个月完成", f"近{len(months)}个月中位数",
               "近期按时完成率（%）"],
              note="自该环节起算日至完成日的工作日数；按时指不晚于截止日")
    now, window = f.step_hists(months={month}), f.step_hists(months=set(months))
    order = [s for s in STEP_LABELS if s in window] + sorted(s for s in window if s not in STEP_LABELS)
    for step in order:
        n_now = _int(f.sum("steps.met", month=month, category=step))
        n_all = sum(_int(f.sum("steps.met", month=m, category=step)) for m in months)
        on_now = f.sum("steps.on_time", month=month, category=step)
        on_all = sum(f.sum("steps.on_time", month=m, category=step) for m in months)
        p.rows.append([STEP_LABELS.get(step, step), n_now, median(now.get(step, {})), _share(on_now, n_now),
                       n_all, median(window[step]), _share(on_all, n_all)])
    p.chart = _chart([r[0] for r in p.rows], [("本月中位数", [r[2] for r in p.rows]),
                                              (f"近{len(months)}个月中位数", [r[5] for r in p.rows])])
    return p


def overdue(f: Facts, month: date, towns) -> Panel:
    p = Panel("overdue", f"逾期未办结案件（按乡镇，{month:%Y年%m月}末或今日）", ["乡镇", "在办案件", "其中逾期", "逾期占比（%）"])
    for code, name in towns:
        open_, late = f.sum("cases.open", month=month, region=code), f.sum("cases.overdue_open", month=month, region=code)
        p.rows.append([name, _int(open_), _int(late), _share(late, open_)])
    p.chart = _chart([r[0] for r in p.rows], [("其中逾期", [r[2] for r in p.rows]), ("在办案件", [r[1] for r in p.rows])])
    return p


def alerts(f: Facts, month: date) -> Panel:
    p = Panel("alerts", f"预警按类型和处置方式（{month:%Y年%m月}发现）", ["预警类型", *OUTCOMES.values(), "合计"])
    p.stack = "outcome"
    for code, label in ALERT_TYPE_LABELS.items():
        counts = [_int(f.sum("alerts", month=month, category=f"{code}:{o}")) for o in OUTCOMES]
        p.rows.append([label, *counts, sum(counts)])
    p.chart = _chart([r[0] for r in p.rows], [(label, [r[i] for r in p.rows]) for i, label in enumerate(OUTCOMES.values(), 1)])
    return p


def review(f: Facts, month: date, towns) -> Panel:
    p = Panel("review", f"{month.year} 年度年审进度（按乡镇）", ["乡镇", "复核任务", "已决定", "已取消", "完成率（%）"])
    for code, name in towns:
        total, done = f.sum("review.total", month=month, region=code), f.sum("review.done", month=month, region=code)
        p.rows.append([name, _int(total), _int(done), _int(f.sum("review.cancelled", month=month, region=code)),
                       _share(done, total)])
    p.chart = _chart([r[0] for r in p.rows], [("已决定", [r[2] for r in p.rows]), ("复核任务", [r[1] for r in p.rows])])
    return p


def register(f: Facts, month: date, towns) -> Panel:
    p = Panel("register", f"低收入人口登记（按乡镇，{month:%Y年%m月}）", ["乡镇", "低保边缘家庭", "刚性支出困难家庭", "当月临时救助"])
    for code, name in towns:
        w = dict(month=month, region=code)
        p.rows.append([name, _int(f.sum("register.households", category="edge", **w)),
                       _int(f.sum("register.households", category="rigid_expenditure", **w)),
                       _int(f.sum("register.temporary", **w))])
    p.chart = _chart([r[0] for r in p.rows], [(h, [r[i] for r in p.rows]) for i, h in enumerate(p.headers[1:], 1)])
    return p
