"""The monthly statistical return (月度统计报表, issue 17 §2): for one month and a county (or one
township), by township — enrolled households and persons (urban/rural, dibao/tekun with 集中/分散,
edge and rigid-expenditure households), amounts paid and 人均补差, new / adjusted / stopped, temporary
assistance — plus the check of the amounts against the payroll ledger (发放明细) to the fen.

The figures are computed afresh from the raw rows with the statistics job (readers + batch.stats, in
memory: the stored dashboard facts are neither read nor changed), so a return always reflects the
data as it stands. The ledger check sums the payment lines again with a plain SQL aggregate in
Decimal, independently of the columnar job; an export with any difference is refused
(:class:`LedgerMismatch`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.apps.programs.temporary_ledger import ledger_rows, town_totals
from jiuzhu.apps.regions.codes import level_of, subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.batch import stats
from jiuzhu.rules.errors import DomainError

from . import readers
from .panels import Facts, Panel, _int, _money, _per_capita

ZERO = Decimal(0)
FEN = Decimal("0.01")
PROGRAMS = (("dibao", "低保"), ("tekun", "特困"))
TEMPORARY_NOTE = ("临时救助案件中该月发放的救助（先行救助按登记日、分阶段救助按发放日计入所属月份；实物按折价计），"
                  "救助户次为该月有发放的案件数；金额与临时救助台账逐笔相加核对（表5）")
TEMPORARY = ("temporary", "临时救助")


class LedgerMismatch(DomainError):
    status = 409


@dataclass
class ReturnData:
    month: date
    region: str
    region_name: str
    towns: list[tuple[str, str]]
    tables: list[Panel]
    check: Panel
    mismatches: list[dict] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.mismatches

    def require_balanced(self) -> None:
        if self.mismatches:
            first = self.mismatches[0]
            raise LedgerMismatch(
                "stats.ledger_mismatch",
                f"统计的发放金额与发放台账不一致（{first['town_name']}{first['program_label']}：统计 {first['stats']} 元，"
                f"台账 {first['ledger']} 元），报表不能导出；请核对发放明细后重新生成",
                mismatches=[{k: str(v) for k, v in m.items()} for m in self.mismatches])


def compute_facts(low: str, high: str, month: date, today: date) -> list[dict]:
    """The month's facts for the region range, in the shape of ``selectors.facts`` (not stored)."""
    inputs = readers.read_inputs(low, high, month, stats.cutoff(month, today))
    table = stats.stat_facts(inputs, month=month, today=today)
    cols = {name: table.column(name).to_pylist() for name in stats.FACTS_SCHEMA.names}
    return [{"month": month, "region": r, "program": p, "metric": m, "category": c,
             "value": Decimal(int(v)).scaleb(-int(s))}
            for r, p, m, c, v, s in zip(cols["region"], cols["program"], cols["metric"], cols["category"],
                                        cols["value"], cols["scale"])]


def ledger_amounts(low: str, high: str, month: date) -> dict[tuple[str, str], Decimal]:
    """(township, program) → the month's amount in the payroll ledger: lines of approved or
    reconciled batches, failed ones left out (a re-issued line holds the same month). A case's line
    (临时救助 by bank) is left out: 临时救助 is checked against its own 台账, from the case records."""
    lines = (PaymentLine.objects.filter(month=month, region_id__gte=low, region_id__lte=high,
                                        batch__status__in=["approved", "reconciled"], enrollment__isnull=False)
             .exclude(status="failed").values("region_id", "program").annotate(total=Sum("amount")))
    out: dict[tuple[str, str], Decimal] = {}
    for row in lines:
        key = (row["region_id"][:9] + "000", row["program"])
        out[key] = out.get(key, ZERO) + (row["total"] or ZERO)
    return out


def _towns(code: str) -> list[tuple[str, str]]:
    if level_of(code) >= 4:
        town = code[:9] + "000"
        return list(Region.objects.filter(code=town).values_list("code", "name"))
    low, high = subtree_range(code)
    return list(Region.objects.filter(level=4, code__gte=low, code__lte=high).order_by("code").values_list("code", "name"))


def _with_total(panel: Panel, first_sum_col: int = 1) -> Panel:
    """Append a 合计 row: sums of the numeric columns (ratios are recomputed by the caller)."""
    total: list = ["合计"]
    for j in range(first_sum_col, len(panel.headers)):
        values = [r[j] for r in panel.rows if isinstance(r[j], int | Decimal)]
        total.append(sum(values, start=type(values[0])(0)) if values else 0)
    panel.rows.append(total)
    return panel


def enrolled_table(f: Facts, month: date, towns) -> Panel:
    p = Panel("return_enrolled", "表1 在保对象户数和人数",
              ["乡镇", "低保城市户数", "低保城市人数", "低保农村户数", "低保农村人数", "低保合计户数", "低保合计人数",
               "特困城市人数", "特困农村人数", "其中集中供养", "其中分散供养", "供养方式未记录", "特困合计人数",
               "低保边缘家庭户数", "刚性支出困难家庭户数"],
              note="月末在保（含暂停、渐退期）；城乡按家庭的城乡类别；集中/分散为审核确认时记录的供养方式")
    for code, name in towns:
        w = dict(month=month, region=code)
        d = [_int(f.sum(m, program="dibao", category=a, **w))
             for a in ("urban", "rural") for m in ("enrolled.households", "enrolled.persons")]
        p.rows.append([name, *d, _int(f.sum("enrolled.households", program="dibao", **w)),
                       _int(f.sum("enrolled.persons", program="dibao", **w)),
                       _int(f.sum("enrolled.persons", program="tekun", category="urban", **w)),
                       _int(f.sum("enrolled.persons", program="tekun", category="rural", **w)),
                       *(_int(f.sum("tekun.persons", category=m, **w)) for m in ("centralized", "dispersed", "unrecorded")),
                       _int(f.sum("enrolled.persons", program="tekun", **w)),
                       _int(f.sum("register.households", category="edge", **w)),
                       _int(f.sum("register.households", category="rigid_expenditure", **w))])
    return _with_total(p)


def paid_table(f: Facts, month: date, towns) -> Panel:
    p = Panel("return_paid", "表2 资金发放",
              ["乡镇", "低保发放户数", "低保发放人数", "低保金额（元）", "低保人均补差（元）",
               "特困发放人数", "特困金额（元）", "特困人均（元）", "合计金额（元）"],
              note="该月已审核或已对账批次的发放明细，发放失败未补发的不计；人均补差 = 金额 ÷ 人数，四舍五入到分")
    for code, name in towns:
        p.rows.append(_paid_row(f, month=month, region=code, name=name))
    p.rows.append(_paid_row(f, month=month, region=None, name="合计"))
    return p


def _paid_row(f: Facts, *, month, region, name) -> list:
    w = dict(month=month, region=region)
    da, dp = f.sum("paid.amount", program="dibao", **w), f.sum("paid.persons", program="dibao", **w)
    ta, tp = f.sum("paid.amount", program="tekun", **w), f.sum("paid.persons", program="tekun", **w)
    return [name, _int(f.sum("paid.households", program="dibao", **w)), _int(dp), _money(da), _per_capita(da, dp),
            _int(tp), _money(ta), _per_capita(ta, tp), _money(da + ta)]


def flows_table(f: Facts, month: date, towns) -> Panel:
    p = Panel("return_flows", "表3 新增、调整、停保",
              ["乡镇", *(f"{label}{k}" for _, label in PROGRAMS for k in ("新增", "调整", "停保"))],
              note="新增：起始月份为本月；调整：本月生效的金额或类别变更；停保：本月生效的停保（户数）")
    for code, name in towns:
        p.rows.append([name, *(_int(f.sum(m, month=month, region=code, program=prog))
                               for prog, _ in PROGRAMS for m in ("enroll.new", "enroll.adjusted", "enroll.stopped"))])
    return _with_total(p)


def temporary_table(f: Facts, month: date, towns) -> Panel:
    p = Panel("return_temporary", "表4 临时救助",
              ["乡镇", "救助户次", "其中急难型", "其中支出型", "救助金额（元）", "急难型金额（元）", "支出型金额（元）",
               "其中先行救助（元）"], note=TEMPORARY_NOTE)
    for code, name in towns:
        w = dict(month=month, region=code, program="temporary")
        p.rows.append([name, _int(f.sum("temporary.cases", **w)),
                       *(_int(f.sum("temporary.cases", category=k, **w)) for k in ("emergency", "expenditure")),
                       _money(f.sum("temporary.amount", **w)),
                       *(_money(f.sum("temporary.amount", category=k, **w)) for k in ("emergency", "expenditure")),
                       _money(f.sum("temporary.advance", **w))])
    return _with_total(p)


def temporary_ledger_amounts(low: str, high: str, month: date) -> dict[tuple[str, str], Decimal]:
    """(township, "temporary") → the month's total in the 临时救助台账, its rows added up in Decimal."""
    return {(town, TEMPORARY[0]): t["amount"] for town, t in town_totals(ledger_rows(low, high, month)).items()}


def check_table(f: Facts, month: date, towns, ledger: dict) -> tuple[Panel, list[dict]]:
    p = Panel("return_check", "表5 与发放台账核对", ["乡镇", "项目", "报表金额（元）", "发放台账金额（元）", "差额（元）", "结果"],
              note="发放台账：该月已审核或已对账批次的发放明细（不含发放失败未补发的）逐笔相加，精确到分；"
                   "临时救助与临时救助台账逐笔相加核对")
    mismatches = []
    names = dict(towns)
    keys = sorted({(c, prog) for c, _ in towns for prog, _ in (*PROGRAMS, TEMPORARY)} | set(ledger))  # a ledger row never hides
    totals = [ZERO, ZERO]
    labels = dict([*PROGRAMS, TEMPORARY])
    for code, prog in keys:
        metric = "temporary.amount" if prog == TEMPORARY[0] else "paid.amount"  # 临时救助: against its 台账
        got = _money(f.sum(metric, month=month, region=code, program=prog))
        want = _money(ledger.get((code, prog), ZERO))
        if not got and not want:
            continue
        totals[0] += got
        totals[1] += want
        ok = got == want
        p.rows.append([names.get(code, code), labels.get(prog, prog), got, want, got - want, "一致" if ok else "不一致"])
        if not ok:
            mismatches.append({"town": code, "town_name": names.get(code, code), "program": prog,
                               "program_label": labels.get(prog, prog), "stats": got, "ledger": want})
    p.rows.append(["合计", "", totals[0], totals[1], totals[0] - totals[1], "一致" if totals[0] == totals[1] else "不一致"])
    return p, mismatches


def build_return(*, region_code: str, month: date, today: date, facts_rows: list[dict] | None = None) -> ReturnData:
    """The return of ``month`` for ``region_code`` (a county or a township; checked by the caller)."""
    low, high = subtree_range(region_code)
    with readers.bulk_reads():
        rows = facts_rows if facts_rows is not None else compute_facts(low, high, month, today)
        ledger = {**ledger_amounts(low, high, month), **temporary_ledger_amounts(low, high, month)}
    towns = _towns(region_code)
    f = Facts(rows)
    check, mismatches = check_table(f, month, towns, ledger)
    name = Region.objects.filter(code=region_code).values_list("name", flat=True).first() or region_code
    tables = [enrolled_table(f, month, towns), paid_table(f, month, towns), flows_table(f, month, towns),
              temporary_table(f, month, towns)]
    return ReturnData(month=month, region=region_code, region_name=name, towns=towns, tables=tables, check=check,
                      mismatches=mismatches)
