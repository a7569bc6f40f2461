"""一门受理、协同办理 (综合改革 plan; issue 14 §4) and the follow-up of temporary assistance (§3).

The township window or the village assistant records a household's needs once; each need is either
handled by civil affairs itself (基本生活 → 低保/特困 application, 急难 → 临时救助) or referred to a
department with a response deadline in working days (R-TA-06 转介服务; R-SYS-02 需求推送; R-LI-07
专项救助). Which needs and departments a region offers are dated flags of its policy (1 = offered),
so a region's list is data, not code. Pure data and lookups: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .errors import ValidationFailed
from .monitoring import DEPARTMENTS

# Needs recorded at the window (seed 综合改革 plan 一门受理). ``civil``: handled by civil affairs itself.
NEEDS = {
    "basic_living": "基本生活", "medical": "医疗", "education": "教育", "housing": "住房",
    "employment": "就业", "emergency": "急难",
}
CIVIL_NEEDS = ("basic_living", "emergency")  # open an application here (dibao/tekun, temporary assistance)
# Department a need is referred to by default (the form preselects it; the worker may add others).
NEED_DEPARTMENT = {"medical": "medical", "education": "education", "housing": "housing",
                   "employment": "employment"}
# Departments the intake can refer to: 医保, 教育, 住建, 人社, 残联, 慈善 (codes shared with the alerts).
INTAKE_DEPARTMENTS = ("medical", "education", "housing", "employment", "disability", "charity")

# Region parameters (docs/policy-parameters.md "一门受理"); a policy that does not set one uses DEFAULTS.
DEFAULTS: dict[str, Decimal] = {
    "intake.referral_due_wd": Decimal("10"),
    "temporary.lasting_min_cases": Decimal("2"),
    "temporary.lasting_window_months": Decimal("12"),
    **{f"intake.need.{code}": Decimal("1") for code in NEEDS},
    **{f"intake.department.{code}": Decimal("1") for code in INTAKE_DEPARTMENTS},
}
DEFAULT_SOURCE = "默认值（政策文件未设置；示例值，待核实）"


@dataclass(frozen=True)
class IntakeTerms:
    needs: dict[str, str]  # code → label, the region's list in catalogue order
    departments: dict[str, str]
    due_wd: int  # a referral's response deadline, working days after it is sent
    lasting_min_cases: int  # 困难具有长期性: at least this many temporary-assistance cases …
    lasting_window_months: int  # … granted within this many months
    sources: dict  # key → {"value", "source"} used


def _whole(value, key: str, minimum: int) -> int:
    number = Decimal(value)
    if number != number.to_integral_value() or number < minimum:
        raise ValidationFailed("intake.param", f"一门受理参数“{key}”应为不小于 {minimum} 的整数", field=key)
    return int(number)


def intake_terms(policy, as_of: date) -> IntakeTerms:
    """The region's lists and deadlines on ``as_of`` (``policy``: a loaded Policy, or None for the defaults)."""
    used = {}
    for key, default in DEFAULTS.items():
        if policy is not None and key in getattr(policy, "params", {}):
            entry = policy.entry(key, as_of)
            used[key] = (entry.value, entry.source)
        else:
            used[key] = (default, DEFAULT_SOURCE)
    on = {key for key, (value, _) in used.items()
          if key.startswith(("intake.need.", "intake.department.")) and _whole(value, key, 0)}
    return IntakeTerms(
        needs={c: label for c, label in NEEDS.items() if f"intake.need.{c}" in on},
        departments={c: DEPARTMENTS[c] for c in INTAKE_DEPARTMENTS if f"intake.department.{c}" in on},
        due_wd=_whole(used["intake.referral_due_wd"][0], "intake.referral_due_wd", 1),
        lasting_min_cases=_whole(used["temporary.lasting_min_cases"][0], "temporary.lasting_min_cases", 1),
        lasting_window_months=_whole(used["temporary.lasting_window_months"][0], "temporary.lasting_window_months", 1),
        sources={k: {"value": str(v), "source": s} for k, (v, s) in used.items()},
    )


def lasting_hardship(granted_within_window: int, flagged: bool, terms: IntakeTerms) -> str:
    """Why a household's hardship is lasting (a suggestion to apply for dibao/特困), or "" when it is not:
    the decision flagged it, or it had at least ``lasting_min_cases`` temporary-assistance cases granted
    within ``lasting_window_months`` (R-TA-06 跟进救助; R-LI-07)."""
    if flagged:
        return "临时救助审批时认定困难具有长期性"
    if granted_within_window >= terms.lasting_min_cases:
        return (f"近 {terms.lasting_window_months} 个月内获得临时救助 {granted_within_window} 次"
                f"（达到 {terms.lasting_min_cases} 次）")
    return ""
