"""The pilot evaluation report (试点评估报告, issue 17 §4): 进展情况、受益人群、资金使用、办理效率、
实施效果 for a county and a period (pilot_period.py), shaped from the monthly statistics facts — the
same facts, panels and quality panels as the dashboard, no second counting engine. Each section
has its tables (Panel), the charts drawn as SVG for the PDF (svg_chart.py), its key figures and a
generated sentence quoting them (pilot_report_text.py) that the county edits before export.

Over a period, flows (amounts paid, new / stopped, cases closed, outcomes, verification) are summed
over the months; stocks (enrolled, open and overdue cases, 年审 progress, low-income register) are
read at the period's last month."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jiuzhu.apps.enrollment.standard import region_policies
from jiuzhu.apps.regions.codes import level_of
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.rules.errors import DomainError, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow.states import STATE_LABELS

from . import quality_panels, selectors
from .panels import Facts, Panel, _chart, _int, _money, _month_label, _per_capita, _share, enrolled_by_township, median
from .pilot_period import Period
from .services import months_between
from .svg_chart import bar_chart_svg

SECTIONS = (("progress", "一、进展情况"), ("beneficiaries", "二、受益人群"), ("funds", "三、资金使用"),
            ("efficiency", "四、办理效率"), ("effect", "五、实施效果"))
STOCKS = frozenset({"enrolled.households", "enrolled.persons", "tekun.persons", "cases.open", "cases.overdue_open",
                    "cases.overdue_step", "review.total", "review.done", "review.cancelled", "review.with_report",
                    "register.households"})
RATIOS = frozenset({"paid.per_capita", "cases.within_limit_share", "cases.median_wd"})  # not summable
FLOOR_KEY = "dibao.township_avg_benefit_min.{area}"  # seed 年审方案: 月人均补差 城市 ≥ 490、农村 ≥ 355 元
KIND_LABELS = {"application": "申请", "recheck": "复核"}
OUTCOME_LABELS = {**STATE_LABELS, "decided": "已决定"}


@dataclass
class Chart:
    title: str
    svg: str


@dataclass
class Section:
    key: str
    title: str
    panels: list[Panel]
    charts: list[Chart]
    generated: str = ""
    text: str = ""


@dataclass
class PilotReport:
    region: str
    region_name: str
    period: Period
    towns: list[tuple[str, str]]
    sections: list[Section]
    figures: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # months of the period without computed facts

    @property
    def title(self) -> str:
        return f"{self.region_name}社会救助试点{self.period.label}（{self.period.span}）"

    @property
    def panels(self) -> list[Panel]:
        return [p for s in self.sections for p in s.panels]


def check_county(actor, region: str = "") -> tuple[str, str]:
    """(code, name) of the county whose report ``actor`` may read: their own county, or a county in
    their scope given as ``region``. Township users (and village staff) are refused: the report is
    the county's."""
    selectors.check_reader(actor)
    own = getattr(actor, "region_id", "") or ""
    if not own or level_of(own) >= 4:
        raise Forbidden("forbidden", "试点评估报告是县级报告，乡镇和村工作人员不能查看")
    code = str(region or "").strip() or own
    if not (len(code) == 12 and code.isdigit() and level_of(code) == 3):
        raise ValidationFailed("stats.region", f"区划（region）“{code[:20]}”不是县级区划", field="region")
    name = Region.objects.filter(code=code).values_list("name", flat=True).first()
    if name is None or not in_scope(actor, code):
        raise NotFound("not_found", "区划不存在或不在您的管辖范围内", field="region")
    return code, name


def period_facts(rows: list[dict], end: date) -> Facts:
    """The facts collapsed onto ``end``: flows summed over the period, stocks at ``end`` only."""
    out = []
    for r in rows:
        if r["metric"] in RATIOS:
            continue
        if r["metric"] in STOCKS:
            if r["month"] == end:
                out.append(r)
        else:
            out.append({**r, "month": end})
    return Facts(out)


def _svg(panel: Panel, *, stacked: bool = False, title: str = "") -> Chart:
    title = title or panel.title
    return Chart(title, bar_chart_svg(panel.chart, title=title, stacked=stacked))


def build_report(*, actor, region: str, period: Period, texts: dict | None = None) -> PilotReport:
    """The report of ``period`` for the county ``region`` in the actor's scope; ``texts`` (a saved
    draft's) replace the generated sentences."""
    from .pilot_report_text import sentences

    code, name = check_county(actor, region)
    towns = [t for t in selectors.townships_visible(actor=actor) if t[0].startswith(code[:6])]
    months = months_between(period.start, period.end)
    rows = selectors.facts(actor=actor, first=period.start, last=period.end)
    f, fp = Facts(rows), period_facts(rows, period.end)
    figures: dict = {}
    sections = [progress(f, fp, months, period.end, figures), beneficiaries(f, period.end, months, towns, figures),
                funds(f, fp, period.end, months, towns, figures), efficiency(f, fp, period.end, months, towns, figures),
                effect(fp, period.end, towns, figures)]
    generated = sentences(figures, period)
    for s in sections:
        s.generated = generated[s.key]
        s.text = str((texts or {}).get(s.key) or s.generated)
    seen = {r["month"] for r in rows}
    missing = [_month_label(m) for m in months if m not in seen]
    return PilotReport(code, name, period, towns, sections, figures, missing)


def progress(f: Facts, fp: Facts, months, end: date, fig: dict) -> Section:
    p = Panel("progress_month", "受理、办结和在保变动（按月）",
              ["月份", "受理申请", "办结申请", "新增", "调整", "停保", "月末在保户数", "月末在保人数"],
              note="新增、调整、停保为在保记录数（低保、特困合计）；在保含暂停和渐退期")
    for m in months:
        p.rows.append([_month_label(m), _int(f.sum("cases.submitted", month=m, category="application")),
                       _int(f.sum("cases.closed", month=m, category="application")),
                       *(_int(f.sum(k, month=m)) for k in ("enroll.new", "enroll.adjusted", "enroll.stopped")),
                       _int(f.sum("enrolled.households", month=m)), _int(f.sum("enrolled.persons", month=m))])
    p.rows.append(["合计", *(sum(r[i] for r in p.rows) for i in range(1, 6)), p.rows[-1][6], p.rows[-1][7]])
    p.chart = _chart([r[0] for r in p.rows[:-1]], [(h, [r[i] for r in p.rows[:-1]]) for i, h in ((3, "新增"), (5, "停保"))])
    states = Panel("progress_states", "期间办结案件（按类型和结果）", ["类型", "结果", "件数"],
                   note="办结日期在期间内的案件；期末在办、逾期为最后一个月月末（本月为今日）")
    outcome: dict[str, int] = {}
    for _m, _r, _p, category, value in fp.by_metric.get("cases.outcome", ()):
        outcome[category] = outcome.get(category, 0) + int(value)
    for category, n in sorted(outcome.items()):
        kind, _, state = category.partition(":")
        states.rows.append([KIND_LABELS.get(kind, kind), STATE_LABELS.get(state, state), n])
    open_, late = _int(fp.sum("cases.open")), _int(fp.sum("cases.overdue_open"))
    states.rows += [["在办", "期末在办案件", open_], ["在办", "其中逾期", late]]
    states.chart = _chart([f"{r[0]}{r[1]}" for r in states.rows], [("件数", [r[2] for r in states.rows])])
    total = p.rows[-1]
    fig.update(submitted=total[1], closed=total[2], new=total[3], adjusted=total[4], stopped=total[5],
               households_end=total[6], persons_end=total[7],
               approved=outcome.get("application:approved", 0), open_end=open_, overdue_end=late)
    return Section("progress", SECTIONS[0][1], [p, states], [_svg(p, title="新增和停保（按月）")])


def beneficiaries(f: Facts, end: date, months, towns, fig: dict) -> Section:
    p = Panel("beneficiaries", f"救助对象构成（{end:%Y年%m月}末）", ["项目", "城乡或供养方式", "户数", "人数"],
              note="在保含暂停和渐退期；特困人员按人计，低保边缘、刚性支出困难家庭为低收入人口登记中有效的家庭")
    w = dict(month=end)
    for program, label in (("dibao", "低保"), ("tekun", "特困")):
        for area, area_label in (("urban", "城市"), ("rural", "农村")):
            p.rows.append([label, area_label, _int(f.sum("enrolled.households", program=program, category=area, **w)),
                           _int(f.sum("enrolled.persons", program=program, category=area, **w))])
    for mode, mode_label in (("centralized", "集中供养"), ("dispersed", "分散供养")):
        p.rows.append(["特困", mode_label, None, _int(f.sum("tekun.persons", category=mode, **w))])
    for cat, cat_label in (("edge", "低保边缘家庭"), ("rigid_expenditure", "刚性支出困难家庭")):
        p.rows.append(["低收入人口", cat_label, _int(f.sum("register.households", category=cat, **w)), None])
    p.chart = _chart([f"{r[0]}{r[1]}" for r in p.rows[:4]], [("人数", [r[3] for r in p.rows[:4]])])
    town = enrolled_by_township(f, end, towns)
    town.title = f"在保户数和人数（按乡镇，{end:%Y年%m月}末）"
    fig.update(dibao_households=_int(f.sum("enrolled.households", program="dibao", **w)),
               dibao_persons=_int(f.sum("enrolled.persons", program="dibao", **w)),
               tekun_persons=_int(f.sum("enrolled.persons", program="tekun", **w)),
               urban_persons=p.rows[0][3] + p.rows[2][3], rural_persons=p.rows[1][3] + p.rows[3][3],
               centralized=p.rows[4][3], dispersed=p.rows[5][3], edge=p.rows[6][2], rigid=p.rows[7][2])
    return Section("beneficiaries", SECTIONS[1][1], [p, town],
                   [_svg(p, title="在保人数（按项目和城乡）"), _svg(town, title="在保户数和人数（按乡镇）")])


def _floors(towns, end: date) -> dict[str, dict[str, Decimal | None]]:
    policies = region_policies([c for c, _ in towns])
    out: dict[str, dict[str, Decimal | None]] = {}
    for code, _name in towns:
        policy = policies[code][1]
        out[code] = {}
        for area in ("urban", "rural"):
            try:
                out[code][area] = Decimal(policy.entry(FLOOR_KEY.format(area=area), end).value)
            except DomainError:  # the region sets no floor
                out[code][area] = None
    return out


def funds(f: Facts, fp: Facts, end: date, months, towns, fig: dict) -> Section:
    by_month = Panel("funds_month", "发放金额（按月）", ["月份", "低保金额（元）", "特困金额（元）", "合计金额（元）", "低保人数",
                                                     "低保人均补差（元）"], note="已审核或已对账批次的发放明细，发放失败未补发的不计")
    for m in months:
        da, dp = f.sum("paid.amount", month=m, program="dibao"), f.sum("paid.persons", month=m, program="dibao")
        by_month.rows.append([_month_label(m), _money(da), _money(f.sum("paid.amount", month=m, program="tekun")),
                              _money(f.sum("paid.amount", month=m)), _int(dp), _per_capita(da, dp)])
    da, dp = fp.sum("paid.amount", program="dibao"), fp.sum("paid.persons", program="dibao")
    by_month.rows.append(["合计", _money(da), _money(fp.sum("paid.amount", program="tekun")), _money(fp.sum("paid.amount")),
                          _int(dp), _per_capita(da, dp)])
    by_month.chart = _chart([r[0] for r in by_month.rows[:-1]], [("低保金额", [r[1] for r in by_month.rows[:-1]]),
                                                                 ("特困金额", [r[2] for r in by_month.rows[:-1]])])
    floors = _floors(towns, end)
    town = Panel("funds_township", "低保人均补差与标准（按乡镇，期间）",
                 ["乡镇", "低保金额（元）", "低保发放人次", "月人均补差（元）", "城市下限（元）", "农村下限（元）", "按城乡人数加权的下限（元）",
                  "是否达到", "特困金额（元）", "合计金额（元）"],
                 note="月人均补差 = 期间低保发放金额 ÷ 各月发放人数之和；下限为县年审方案的乡镇月人均补差下限（城市、农村），"
                      "按期末低保城市、农村在保人数加权")
    below = 0
    for code, name in towns:
        w = dict(region=code)
        amount, persons = fp.sum("paid.amount", program="dibao", **w), fp.sum("paid.persons", program="dibao", **w)
        per = _per_capita(amount, persons)
        urban = fp.sum("enrolled.persons", program="dibao", category="urban", **w)
        rural = fp.sum("enrolled.persons", program="dibao", category="rural", **w)
        fu, fr = floors[code]["urban"], floors[code]["rural"]
        weighted = (_money((fu * urban + fr * rural) / (urban + rural))
                    if fu is not None and fr is not None and urban + rural else None)
        meets = None if per is None or weighted is None else per >= weighted
        below += meets is False
        town.rows.append([name, _money(amount), _int(persons), per, fu, fr, weighted,
                          "—" if meets is None else ("是" if meets else "否"),
                          _money(fp.sum("paid.amount", program="tekun", **w)), _money(fp.sum("paid.amount", **w))])
    town.chart = _chart([r[0] for r in town.rows], [("月人均补差", [r[3] for r in town.rows]),
                                                     ("加权下限", [r[6] for r in town.rows])])
    fig.update(paid_total=by_month.rows[-1][3], paid_dibao=by_month.rows[-1][1], paid_tekun=by_month.rows[-1][2],
               per_capita_dibao=by_month.rows[-1][5], towns_below_floor=below, towns_total=len(towns))
    return Section("funds", SECTIONS[2][1], [by_month, town],
                   [Chart("发放金额（按月）", bar_chart_svg(by_month.chart, title="发放金额（元，按月）", stacked=True)),
                    _svg(town, title="低保月人均补差与下限（元，按乡镇）")])


def efficiency(f: Facts, fp: Facts, end: date, months, towns, fig: dict) -> Section:
    dist = quality_panels.distribution(f, months)
    hist = fp.hist()
    buckets = [sum(n for wd, n in hist.items() if wd >= lo and (hi is None or wd <= hi))
               for lo, hi in quality_panels.BUCKETS]
    measured, within = sum(buckets), sum(n for wd, n in hist.items() if wd <= 20)
    extended = _int(fp.sum("steps.extended", category="overall"))
    dist.rows.append(["合计", *buckets, measured, _share(within, measured), median(hist), extended])
    overall = Panel("efficiency_total", "期间申请办理时长分布", ["办理时长", "件数"])
    overall.rows = [[h, n] for h, n in zip(dist.headers[1:8], buckets, strict=True)]
    overall.chart = _chart([r[0] for r in overall.rows], [("件数", [r[1] for r in overall.rows])])
    late = quality_panels.overdue_steps(f, end, towns)
    fig.update(measured=measured, within=within, within_share=_share(within, measured), median=median(hist),
               extended=extended, overdue_towns=sum(1 for r in late.rows if r[1]))
    return Section("efficiency", SECTIONS[3][1], [dist, late],
                   [_svg(overall, title="申请办理时长分布（件，期间合计）"), _svg(late, stacked=True, title="逾期未办结案件（按乡镇和环节）")])


def effect(fp: Facts, end: date, towns, fig: dict) -> Section:
    verify = quality_panels.verify_rate(fp, end, towns)
    outcomes = quality_panels.outcomes(fp, end, towns)
    reasons = quality_panels.reasons(fp, end)
    on_time = quality_panels.on_time(fp, end, towns)
    verify.title, outcomes.title = "核对率（按乡镇，期间）", "申请办结结果（按乡镇，期间）"
    reasons.title, on_time.title = "不予批准、撤回和终止的原因（期间）", "复核与预警按期处置（按乡镇，期间）"
    verify.note = "申请：期间办结的申请；年审：该年度年审已生成的复核（截至期末）"
    closed, reported = fp.sum("verify.closed", category="application"), fp.sum("verify.with_report", category="application")
    review, review_reported = fp.sum("review.total"), fp.sum("review.with_report")
    rc, rc_ok = fp.sum("steps.met", category="recheck"), fp.sum("steps.on_time", category="recheck")
    n = {s: sum(r[i] for r in outcomes.rows) for i, s in ((1, "closed"), (3, "rejected"), (4, "ineligible"), (5, "withdrawn"),
                                                            (9, "objections"))}
    fig.update(verify_closed=_int(closed), verify_reported=_int(reported), verify_rate=_share(reported, closed),
               review_total=_int(review), review_reported=_int(review_reported), review_rate=_share(review_reported, review),
               denied=n["rejected"] + n["ineligible"], withdrawn=n["withdrawn"], objections=n["objections"],
               denial_rate=_share(n["rejected"] + n["ineligible"], n["closed"]), withdrawal_rate=_share(n["withdrawn"], n["closed"]),
               recheck_met=_int(rc), recheck_on_time=_int(rc_ok), recheck_rate=_share(rc_ok, rc))
    return Section("effect", SECTIONS[4][1], [verify, outcomes, reasons, on_time],
                   [_svg(verify, title="核对率（%，按乡镇）"), _svg(outcomes, stacked=True, title="申请办结结果（件，按乡镇）")])
