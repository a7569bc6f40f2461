"""Pure rules of the optional procedure steps of the 社会救助年审 plan 三(2) (issue 20 §2, §4).

- R-PUB-APP (申请情况公示, plan 三(2)二): "自受理申请的次日起在申请人所在的村(居)委员会公示申请情况，
  公示期不少于5个工作日" — the notice runs from the day after acceptance until the end of the Nth
  working day after it (N = ``notice.application_wd``, never below 5).
- R-HEAR (民主听证, plan 三(2)五): "对公示有异议或核对有预警人员，应组织开展民主听证" — a 核对 result
  warns when it differs from the declaration beyond the tolerance (the report's conclusion
  ``inconsistent``) or when the household's assets are near a limit (``hearing.asset_warning_ratio``
  of the limit or more).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .calendar import WorkCalendar, add_workdays
from .explain import yuan
from .params import Policy
from .terms import Terms

APPLICATION_NOTICE_KEY = "notice.application_wd"
APPLICATION_NOTICE_MIN_WD = 5  # 年审 plan 三(2)二: 公示期不少于5个工作日
ASSET_WARNING_KEY = "hearing.asset_warning_ratio"


@dataclass(frozen=True)
class NoticeSpan:
    starts_on: date
    ends_on: date
    workdays: int
    source: str


def application_notice_span(policy: Policy, calendar: WorkCalendar, accepted_on: date) -> NoticeSpan:
    """The 申请情况公示 of an application accepted on ``accepted_on`` (R-PUB-APP): from the next day to
    the end of the Nth working day after acceptance. A policy without the parameter, or with fewer
    than 5, gets the plan's minimum of 5 working days."""
    workdays, source = APPLICATION_NOTICE_MIN_WD, "社会救助年审工作方案 三(2)二（公示期不少于5个工作日）"
    if any(v.start <= accepted_on for v in policy.params.get(APPLICATION_NOTICE_KEY, ())):
        entry = policy.entry(APPLICATION_NOTICE_KEY, accepted_on)
        workdays, source = max(int(entry.value), APPLICATION_NOTICE_MIN_WD), entry.source
    return NoticeSpan(accepted_on + timedelta(days=1), add_workdays(calendar, accepted_on, workdays), workdays, source)


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


def asset_warning_ratio(policy: Policy, as_of: date) -> Decimal | None:
    """The share of an asset limit from which 核对 warns (None: the region warns on differences only)."""
    if not any(v.start <= as_of for v in policy.params.get(ASSET_WARNING_KEY, ())):
        return None
    return Decimal(policy.lookup(ASSET_WARNING_KEY, as_of))


def verification_warnings(*, conclusion: str, financial: Decimal, vehicle_values: list[Decimal], size: int,
                          terms: Terms | None, ratio: Decimal | None) -> list[Warning]:
    """核对预警 (R-HEAR): the reasons a 核对 result calls for a 民主听证, in a fixed order."""
    out = []
    if conclusion == "inconsistent":
        out.append(Warning("VER_DIFFERENCE", "核对结果与申报不一致（差异超出容差或有成员不可核对）"))
    if ratio is None or terms is None:
        return out
    limit = terms.financial_months * terms.standard * max(size, 1)
    if financial >= ratio * limit:
        out.append(Warning("VER_FINANCIAL_NEAR", f"家庭金融资产 {yuan(financial)} 元，达到上限 {yuan(limit)} 元的 "
                                                 f"{ratio} 倍以上"))
    near = [v for v in vehicle_values if v >= ratio * terms.vehicle_value_limit]
    if near:
        out.append(Warning("VER_VEHICLE_NEAR", f"机动车价值 {yuan(max(near))} 元，达到单辆上限 "
                                               f"{yuan(terms.vehicle_value_limit)} 元的 {ratio} 倍以上"))
    return out
