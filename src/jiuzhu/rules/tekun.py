"""特困人员救助供养 (tekun): identification (R-TK-01..05) and support amounts (R-TK-13, R-TK-14)."""

from __future__ import annotations

from decimal import Decimal

from .classify import age_on, without_labour_capacity
from .explain import Trace, yuan
from .model import Decision, HouseholdFacts
from .rounding import round_yuan
from .terms import Terms

TK_LABOUR = "TK_LABOUR"
TK_INCOME = "TK_INCOME"
TK_OBLIGORS = "TK_OBLIGORS"


def care_level(adl_failed: int, terms: Terms) -> tuple[str, Decimal]:
    """Self-care category from failed ADLs (R-TK-14): 0 self_care, 1–3 partial, 4–6 full; with its ratio."""
    if adl_failed >= terms.tekun_adl_full_from:
        return "full", terms.care_ratio_full
    if adl_failed >= terms.tekun_adl_partial_from:
        return "partial", terms.care_ratio_partial
    return "self_care", terms.care_ratio_self_care


def evaluate_tekun(facts: HouseholdFacts, pci: Decimal, asset_codes: list[str], terms: Terms, trace: Trace) -> Decision:
    """Tekun decision: no labour capacity unless a minor (R-TK-01, R-TK-02, R-TK-05), no livelihood
    source (R-TK-03: income below the standard, assets within limits), no able obligor (R-TK-04)."""
    member = facts.members[0]
    age = age_on(member.birth_date, facts.as_of)
    reasons: list[str] = []
    unable = without_labour_capacity(member, facts.as_of, terms)
    minor = age < terms.tekun_minor_age
    if not unable and not minor:
        reasons.append(TK_LABOUR)
    trace.add("R-TK-02", f"年龄 {age} 岁；无劳动能力：{'是' if unable else '否'}；未成年人：{'是' if minor else '否'}",
              "符合" if TK_LABOUR not in reasons else "不符合")
    if pci >= terms.standard:
        reasons.append(TK_INCOME)
    trace.add("R-TK-03", f"人均收入 {yuan(pci)} 与低保标准 {yuan(terms.standard)} 比较（须低于标准）",
              "符合" if TK_INCOME not in reasons else "不符合")
    reasons.extend(asset_codes)
    trace.add("R-TK-03", "财产符合特困财产规定", "符合" if not asset_codes else "、".join(asset_codes))
    if facts.obligors_able:
        reasons.append(TK_OBLIGORS)
    trace.add("R-TK-04", "无法定义务人或义务人无履行能力", "不符合" if facts.obligors_able else "符合")
    if reasons:
        trace.add("R-TK-01", "不符合特困人员认定条件", "、".join(sorted(reasons)))
        return Decision(status="ineligible", eligible=False, reasons=tuple(reasons))
    if terms.tekun_basic_standard is not None:  # the region publishes an amount, not a multiple
        basic = round_yuan(terms.tekun_basic_standard)
        trace.add("R-TK-13", f"基本生活标准（本地公布金额；出处：{terms.tekun_basic_source}）", basic)
    else:
        basic = round_yuan(terms.tekun_basic_multiplier * terms.standard)
        trace.add("R-TK-13", f"基本生活标准 = {terms.tekun_basic_multiplier} × 低保标准 {yuan(terms.standard)}（取整到元）", basic)
    level, ratio = care_level(member.adl_failed, terms)
    care = round_yuan(ratio * terms.standard)
    trace.add("R-TK-14", f"生活自理能力：{member.adl_failed} 项日常生活活动不能自理 → {level}；照料护理标准 = "
                         f"{ratio} × 低保标准（取整到元）", care)
    amount = basic + care
    trace.add("R-TK-13", f"月供养金 = 基本生活 {basic} + 照料护理 {care}", amount)
    return Decision(status="tekun", eligible=True, monthly_amount=amount, care_level=level)
