"""§20 checks: a region's parameters against national bounds (national-rules.md §19, §20).

Local values may be stricter than national rules; looser or out-of-range values are not rejected
here (they may be lawful local policy, e.g. long 渐退 periods) but listed as warnings so that the
legal basis is documented. Bounds come from params/bounds/national.yaml (dated, cited).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .bound_warning import BoundWarning
from .graduation import national_bounds
from .params import Policy
from .policy_params import keys_with_prefix, optional_entry
from .tier_checks import tier_warnings

__all__ = ["BoundWarning", "national_bound_warnings"]


# (region parameter, national bound parameter, comparison, rule id, Chinese wording)
_MAX_CHECKS = (
    ("workflow.investigation_start_wd", "bound.workflow.investigation_start_wd", "WF-4", "入户调查启动时限（工作日）"),
    ("workflow.verification_start_wd", "bound.workflow.verification_start_wd", "WF-5", "发起核对时限（工作日）"),
    ("workflow.county_confirm_wd", "bound.workflow.county_confirm_wd", "WF-10", "县级审核确认时限（工作日）"),
    ("workflow.special_total_wd", "bound.workflow.special_total_wd", "R-WF 总时限", "特殊情况总时限（工作日）"),
    ("workflow.denial_notice_wd", "bound.workflow.denial_notice_wd", "WF-11", "不予批准告知时限（工作日）"),
    ("dibao.recheck_months.stable", "bound.recheck_months.stable", "R-DM-02", "收入稳定家庭复核周期（月）"),
    ("dibao.recheck_months.unstable", "bound.recheck_months.unstable", "R-DM-02", "收入不稳定家庭复核周期（月）"),
    ("dibao.death_recheck_months", "bound.death_recheck_months", "R-DM-05", "成员死亡后复核办结时限（月）"),
    ("rigid.validity_months", "bound.rigid.validity_months", "R-LI-05", "刚性支出困难家庭认定有效期（月）"),
    ("edge.validity_months", "bound.rigid.validity_months", "R-LI-05", "低收入家庭（低保边缘）认定有效期（月）"),
)
_MIN_CHECKS = (
    ("workflow.publicity_days", "bound.workflow.publicity_days_min", "WF-7", "村（居）公示天数"),
)


def _warn(out, key, entry, bound_text, rule, message):
    out.append(BoundWarning(parameter=key, value=entry.value, bound=bound_text, rule=rule, message=message,
                            source=entry.source))


def national_bound_warnings(policy: Policy, as_of: date) -> list[BoundWarning]:
    """Parameters of ``policy`` in force on ``as_of`` that differ from national bounds (§20).

    Checks: edge multiplier outside [1.5, 2] (R-LI-02); each 渐退 period above 6 months (R-DM-04);
    workflow limits above national caps (total 30 wd, 20 if delegated, special 45; step limits
    3 / 3 / 10 / 3; publicity ≥ 7 days); recheck intervals (R-DM-02); death recheck (R-DM-05);
    rigid-expenditure look-back ≠ 12 and validity > 12 months (R-LI-03, R-LI-05); fewer than 3
    tiers when 分档 is selected (R-DB-03, seed plan); 分档 tiers that leave households below the standard
    after dibao (:func:`.tier_checks.tier_warnings`). Missing optional parameters are not checked."""
    bounds = national_bounds()
    out: list[BoundWarning] = []

    def bound(key: str) -> Decimal:
        return bounds.lookup(key, as_of)

    edge = optional_entry(policy, "edge.multiplier", as_of)
    low, high = bound("bound.edge.multiplier.min"), bound("bound.edge.multiplier.max")
    if edge is not None and not low <= edge.value <= high:
        _warn(out, "edge.multiplier", edge, f"∈ [{low}, {high}]", "R-LI-02",
              f"低保边缘家庭收入倍数 {edge.value} 超出国家参考范围 [{low}, {high}]")
    cap = bound("graduation.national_max_months")
    for key in keys_with_prefix(policy, "graduation.months."):
        entry = policy.entry(key, as_of)
        if entry.value > cap:
            _warn(out, key, entry, f"≤ {cap}", "R-DM-04",
                  f"渐退期 {entry.value} 个月超过国家“原则上不超过{cap}个月”：地方政策，需注明法律依据")
    total = optional_entry(policy, "workflow.total_wd", as_of)
    if total is not None:
        delegated = optional_entry(policy, "workflow.delegated", as_of)
        is_delegated = delegated is not None and delegated.value == 1
        limit = bound("bound.workflow.total_wd_delegated" if is_delegated else "bound.workflow.total_wd")
        if total.value > limit:
            _warn(out, "workflow.total_wd", total, f"≤ {limit}", "R-WF 总时限",
                  f"审核确认总时限 {total.value} 个工作日超过国家上限 {limit}（{'委托乡镇审核确认' if is_delegated else '县级审核确认'}）")
    for key, bound_key, rule, words in _MAX_CHECKS:
        entry = optional_entry(policy, key, as_of)
        if entry is not None and entry.value > bound(bound_key):
            _warn(out, key, entry, f"≤ {bound(bound_key)}", rule, f"{words} {entry.value} 超过国家上限 {bound(bound_key)}")
    for key, bound_key, rule, words in _MIN_CHECKS:
        entry = optional_entry(policy, key, as_of)
        if entry is not None and entry.value < bound(bound_key):
            _warn(out, key, entry, f"≥ {bound(bound_key)}", rule, f"{words} {entry.value} 少于国家规定 {bound(bound_key)}")
    lookback = optional_entry(policy, "rigid.lookback_months", as_of)
    if lookback is not None and lookback.value != bound("bound.rigid.lookback_months"):
        _warn(out, "rigid.lookback_months", lookback, f"= {bound('bound.rigid.lookback_months')}", "R-LI-03",
              f"刚性支出回溯期 {lookback.value} 个月不同于国家规定的申请前 {bound('bound.rigid.lookback_months')} 个月")
    method = optional_entry(policy, "dibao.method", as_of)
    count = optional_entry(policy, "dibao.tiers.count", as_of)
    if method is not None and method.value == "tiered" and count is not None and count.value < bound("bound.dibao.tiers.min_count"):
        _warn(out, "dibao.tiers.count", count, f"≥ {bound('bound.dibao.tiers.min_count')}", "R-DB-03",
              f"分档数 {count.value} 少于原则上的 {bound('bound.dibao.tiers.min_count')} 档")
    out.extend(tier_warnings(policy, as_of))
    return out
