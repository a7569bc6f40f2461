"""自查自纠 (self-inspection, issue 15 §5): the checks a county campaign runs over the caseload, their
terms (dated region parameters) and the outcomes of a rectification item.

Seed: 年审工作方案 四(四) 开展社会救助自查自纠 (查政策落实是否规范 … 死亡人员核销、救助审批); national
rules R-DB-01 (eligibility: income below the line and property within the rules), R-AST-01/03/04
(property: deposits, vehicles, housing, market entities per the department registers), R-DM-05 (a
death changes the household), R-PEN-01 (stop and order the refund), R-WF deadlines, R-HH-09 / R-WF-03 (staff near relatives
are filed and handled by others), R-HH-03 / R-TK-15 (a person serving a prison sentence is not a
household member; a 特困 person's support ends).

Pure data: no Django, no columnar engine (those are jiuzhu.batch.selfcheck and
jiuzhu.apps.integrity.selfcheck*)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .workflow.enrollment import add_months


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    rule: str  # rule IDs the hit is measured against
    dataset: str  # the department snapshot it reads ("" = case data in the database)
    hint: str  # what the township should look at


CHECKS: dict[str, Check] = {c.code: c for c in (
    Check("vehicle", "名下有机动车", "R-AST-01、R-AST-04", "vehicle",
          "在保对象名下登记有轿车或货车（摩托车、残疾人代步车除外），核实车辆价值与财产条件"),
    Check("business", "登记有市场主体", "R-AST-03、R-AST-05", "market_entity",
          "在保对象投资、经营或担任法定代表人的市场主体处于存续状态，核实经营收入与认缴出资"),
    Check("public_salary", "领取机关事业单位工资", "R-INC-02(1)、R-DB-01", "housing_fund",
          "在保对象近期由机关、事业单位缴存住房公积金（财政供养人员），核实工资收入"),
    Check("property_purchase", "纳入保障后购买住房", "R-AST-01、R-AST-05", "real_estate",
          "在保对象在纳入保障之后登记取得住宅，核实购房资金来源与财产条件"),
    Check("death", "已死亡仍在保", "R-DM-05、R-PEN-01", "hukou_death",
          "在保对象已登记死亡，核减人数或停保，追回死亡次月起多发的救助金"),
    Check("large_deposit", "大额存款", "R-AST-01、R-AST-03", "bank_deposit",
          "在保对象名下存款、理财等金融资产余额合计超过本地区设定的数额，核实财产条件"),
    Check("prison", "保障期间服刑", "R-HH-03、R-TK-15", "prison",
          "在保对象在保障期间被判处刑罚并服刑（服刑人员不计入家庭成员，特困人员终止供养），核实后核减人数、停保或追回"),
    Check("above_line", "最近一次核对收入超过标准", "R-DB-01", "",
          "在保家庭最近一次家庭经济状况核对的人均月收入高于当时的低保标准，核实是否应调整或停保"),
    Check("late_approval", "超时限审批", "R-WF 办理时限", "",
          "在保对象的审核确认有环节超过规定时限才完成，核实原因并整改"),
    Check("relatives_unfiled", "近亲属未备案", "R-HH-09、R-WF-03", "",
          "在保对象是登记在册的工作人员近亲属，但审批时未作近亲属备案，核实是否应回避、补办备案或重新审核"),
)}

# Employer names that mark a public employer (机关、事业单位) in the 住房公积金 records: the register
# does not carry the 单位性质, so the name decides. A false alarm is closed by the township.
PUBLIC_EMPLOYER_MARKERS = ("人民政府", "人民法院", "人民检察院", "委员会", "机关", "事业单位", "局", "办事处",
                           "学校", "中学", "小学", "医院", "卫生院", "党委", "街道")

OUTCOMES = {"false_alarm": "误报（核实无问题）", "adjust": "调整保障金", "stop": "停保", "recover": "追回多发资金"}
OUTCOME_RULES = {"false_alarm": "", "adjust": "R-DM-02", "stop": "R-DM-05、R-PEN-01", "recover": "R-PEN-01"}

PARAMS = {
    "deposit": "selfcheck.deposit_threshold",
    "salary_months": "selfcheck.salary_lookback_months",
    "rectify_wd": "selfcheck.rectify_working_days",
}


@dataclass(frozen=True)
class SelfCheckTerms:
    policy: str
    deposit_threshold_fen: int  # a person's balances summed must exceed it (equal is not a hit)
    salary_since: date  # public-employer contributions on or after this day
    rectify_working_days: int
    sources: dict  # parameter → (value, source) used


def _int(value) -> int:
    number = Decimal(str(value))
    if number != number.to_integral_value() or number < 0:
        raise ValueError(f"not a non-negative integer: {value}")
    return int(number)


def selfcheck_terms(policy, as_of: date, name: str = "") -> SelfCheckTerms:
    """The campaign's terms under ``policy`` on ``as_of`` (ValidationFailed / DomainError from the
    lookup name a missing parameter and the date)."""
    entries = {key: policy.entry(param, as_of) for key, param in PARAMS.items()}
    deposit = Decimal(str(entries["deposit"].value))
    months = _int(entries["salary_months"].value)
    return SelfCheckTerms(
        policy=name or getattr(policy, "name", ""),
        deposit_threshold_fen=int((deposit * 100).to_integral_value()),
        salary_since=add_months(as_of.replace(day=1), -max(months - 1, 0)),
        rectify_working_days=_int(entries["rectify_wd"].value),
        sources={PARAMS[k]: [str(e.value), e.source] for k, e in entries.items()})


def check_codes(raw) -> list[str]:
    """The chosen checks in catalogue order; unknown codes raise ValueError naming them."""
    chosen = [str(c).strip() for c in (raw or []) if str(c).strip()]
    unknown = [c for c in chosen if c not in CHECKS]
    if unknown:
        raise ValueError("、".join(unknown))
    return [c for c in CHECKS if c in chosen]
