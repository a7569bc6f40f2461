"""最低生活保障 (dibao): eligibility, class, amount, recheck; 低保边缘 and single-person enrollment."""

from __future__ import annotations

from decimal import Decimal

from .classify import age_on, is_special, single_person_eligible, without_labour_capacity
from .explain import Trace, yuan
from .income import own_counted_income
from .model import Decision, HouseholdFacts, SinglePersonEnrollment
from .rounding import BENEFIT_UNIT_WORDS, round_benefit
from .terms import Terms

INC_ABOVE_STANDARD = "INC_ABOVE_STANDARD"
INC_ABOVE_EDGE = "INC_ABOVE_EDGE"


def dibao_class(facts: HouseholdFacts, pci: Decimal, terms: Terms) -> str:
    """分类施保 class (R-DB-04): A all members without labour capacity; B any special member;
    C pci below the class-C ratio of the standard; else D."""
    if all(without_labour_capacity(m, facts.as_of, terms) for m in facts.members):
        return "A"
    if any(is_special(m, facts.as_of, terms) for m in facts.members):
        return "B"
    if pci < terms.class_c_ratio * terms.standard:
        return "C"
    return "D"


def trace_members(facts: HouseholdFacts, terms: Terms, trace: Trace) -> None:
    """Each member's age, labour capacity (R-TK-02) and special status (R-DB-04) — the facts of the class."""
    for m in facts.members:
        trace.add("R-DB-04", f"成员 {m.id}：{age_on(m.birth_date, facts.as_of)} 岁；无劳动能力（R-TK-02）："
                             f"{'是' if without_labour_capacity(m, facts.as_of, terms) else '否'}；分类施保对象："
                             f"{'是' if is_special(m, facts.as_of, terms) else '否'}", m.id)


def single_person_enrollments(facts: HouseholdFacts, terms: Terms, trace: Trace) -> tuple[SinglePersonEnrollment, ...]:
    """单人户施保 in an edge household (R-HH-06, R-LI-02): amount =
    round(max(standard − own counted income, minimum) + add-on ratio × standard) to the region's
    benefit unit (whole yuan in the reference policy), in member order."""
    out = []
    unit = terms.benefit_rounding
    for member in facts.members:
        if not single_person_eligible(member, terms):
            continue
        own = own_counted_income(member, terms)
        amount = round_benefit(max(terms.standard - own, terms.per_capita_minimum)
                               + terms.special_addon_ratio * terms.standard, unit)
        trace.add("R-HH-06", f"成员 {member.id} 单人户施保 = max(标准 {yuan(terms.standard)} − 本人计算收入 {yuan(own)}, "
                             f"{yuan(terms.per_capita_minimum)}) + {terms.special_addon_ratio} × 标准"
                             f"（取整到{BENEFIT_UNIT_WORDS[unit]}）", amount)
        out.append(SinglePersonEnrollment(member=member.id, monthly_amount=amount))
    return tuple(out)


def evaluate_dibao(facts: HouseholdFacts, pci: Decimal, asset_codes: list[str], terms: Terms, trace: Trace) -> Decision:
    """Dibao decision (R-DB-01 eligibility, R-DB-03 difference method, R-DB-04 classes and add-ons,
    R-DM-02 recheck interval, R-LI-02 edge households)."""
    size = facts.size
    edge_line = terms.edge_multiplier * terms.standard
    if asset_codes:
        reasons = list(asset_codes) + ([INC_ABOVE_EDGE] if pci >= edge_line else [])
        trace.add("R-DB-01", "家庭财产不符合低保财产规定，不予保障", "、".join(sorted(reasons)))
        return Decision(status="ineligible", eligible=False, reasons=tuple(reasons))
    if pci < terms.standard:
        trace.add("R-DB-01", f"人均收入 {yuan(pci)} 低于低保标准 {yuan(terms.standard)}，且财产符合规定：纳入低保", pci)
        trace_members(facts, terms, trace)
        cls = dibao_class(facts, pci, terms)
        trace.add("R-DB-04", "分类施保类别（A 全部无劳动能力；B 有特殊成员；C 人均收入低于标准 × "
                             f"{terms.class_c_ratio}；D 其他）", cls)
        if cls == "A":
            base = terms.standard * size
            trace.add("R-DB-03", f"基本保障金 = 标准 {yuan(terms.standard)} × {size} 人（A 类全额）", base)
        else:
            base = (terms.standard - pci) * size
            trace.add("R-DB-03", f"基本保障金 = (标准 {yuan(terms.standard)} − 人均收入 {yuan(pci)}) × {size} 人（补差）", base)
        base, addon = floor_and_addon(facts, base, terms, trace)
        amount = round_benefit(base + addon, terms.benefit_rounding)
        trace.add("R-DB-03", f"月保障金 = 基本保障金 {yuan(base)} + 加发 {yuan(addon)}"
                             f"（四舍五入到{BENEFIT_UNIT_WORDS[terms.benefit_rounding]}）", amount)
        months = int(terms.recheck_stable if cls in ("A", "B") else terms.recheck_unstable)
        trace.add("R-DM-02", "复核周期（月）：A、B 类收入稳定，C、D 类收入不稳定", str(months))
        return Decision(status="dibao", eligible=True, monthly_amount=amount, dibao_class=cls, recheck_months=months)
    if pci < edge_line:
        trace.add("R-LI-02", f"人均收入 {yuan(pci)} 不低于低保标准 {yuan(terms.standard)}、低于 {terms.edge_multiplier} 倍"
                             f"（{yuan(edge_line)}）：低保边缘家庭", edge_line)
        enrollments = single_person_enrollments(facts, terms, trace)
        return Decision(status="edge", eligible=False, reasons=(INC_ABOVE_STANDARD,),
                        single_person_enrollments=enrollments)
    trace.add("R-LI-02", f"人均收入 {yuan(pci)} 不低于低保标准的 {terms.edge_multiplier} 倍（{yuan(edge_line)}）：不符合条件", edge_line)
    return Decision(status="ineligible", eligible=False, reasons=(INC_ABOVE_EDGE,))


def floor_and_addon(facts, base, terms, trace):
    """Per-capita minimum benefit and the special-member add-on (R-DB-04), shared by every
    benefit method. Returns (base after the floor, add-on)."""
    size = facts.size
    floor = terms.per_capita_minimum * size
    if base < floor:
        base = floor
        trace.add("R-DB-04", f"不低于人均最低保障金 {yuan(terms.per_capita_minimum)} × {size} 人", base)
    specials = sum(1 for m in facts.members if is_special(m, facts.as_of, terms))
    addon = terms.special_addon_ratio * terms.standard * specials
    trace.add("R-DB-04", f"分类施保加发 = {terms.special_addon_ratio} × 标准 × 特殊成员 {specials} 人", addon)
    return base, addon
