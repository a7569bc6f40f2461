"""低收入和支出型贫困家庭认定 (年审 plan 四(三); R-LI-02, R-LI-03, R-LI-05): where a recognition starts,
what the township's opinion is from the rules engine's results, how long it lasts, why it ends.

Pure: the app (``jiuzhu.apps.lowincome``) evaluates the case twice through the rules engine — as dibao
(the 1.5× edge line, ``edge.multiplier``) and, when 刚性支出 is declared, as ``rigid_expenditure`` (the
province's rules, rules/rigid.py) — and ``opinion`` turns the two results into the opinion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# 年审 plan 四(三)2: "对象自主申报和主动发现相结合" — where a recognition starts.
SOURCES = {
    "application": "本人申请（自主申报）",
    "temporary": "主动发现：近年享受过临时救助",
    "graduation": "主动发现：低保渐退或退出对象（享受过延退政策）",
    "denied_dibao": "主动发现：低保申请未获批准或核对不符",
    "referral": "部门推送（医疗、教育、住房等部门）",
    "poverty_monitoring": "主动发现：致贫返贫农村贫困户",
}
# 年审 plan 四(三)3 "动态新增和清退": why an entry leaves the 台账.
REMOVAL_REASONS = {
    "income_above": "家庭人均收入超过认定标准",
    "assets": "家庭财产状况不再符合规定",
    "enrolled": "已纳入低保或特困供养",
    "moved_away": "户籍迁出本辖区",
    "deceased": "家庭成员均已死亡",
    "refused_review": "无正当理由拒不配合年审复核",
    "other": "其他原因",
}
RECHECK_OUTCOMES = {"keep": "继续认定", "remove": "清退"}
CATEGORY_WORDS = {"edge": "低收入家庭（低保边缘）", "rigid_expenditure": "支出型贫困家庭（刚性支出困难）"}
DEFAULT_VALIDITY_MONTHS = 12  # R-LI-05: a recognition lasts at most 12 months, then re-apply
EXPENDITURE_ITEMS = ("medical", "education", "rehabilitation", "living", "other")


@dataclass(frozen=True)
class Opinion:
    grant: bool
    category: str  # "edge" | "rigid_expenditure" | ""
    reasons: tuple[str, ...]  # why not, in Chinese (empty when granted)
    summary: str


def opinion(dibao_result: dict, rigid_result: dict | None, covered_by: str = "") -> Opinion:
    """The township's opinion from the dibao evaluation (``status`` dibao / edge / ineligible) and, when
    rigid expenditure was declared, the 刚性支出 evaluation. A household enrolled in dibao or 特困
    (``covered_by``) is not recognized (R-LI-02, R-LI-03 (1)); one below the dibao standard is told to
    apply for dibao."""
    pci, standard = dibao_result.get("per_capita_income", ""), dibao_result.get("standard", "")
    if covered_by:
        return Opinion(False, "", (f"该家庭已享受{covered_by}，不另行认定低收入家庭",), "已纳入低保或特困")
    status = dibao_result.get("status")
    if status == "edge":
        return Opinion(True, "edge", (), f"家庭月人均收入 {pci} 元，不低于低保标准 {standard} 元且低于其 1.5 倍"
                                           "（edge.multiplier），财产符合规定：认定为低收入家庭（低保边缘）")
    if status == "dibao":
        return Opinion(False, "", (f"家庭月人均收入 {pci} 元低于低保标准 {standard} 元，符合低保条件，"
                                   "应申请最低生活保障",), "符合低保条件")
    if rigid_result is not None and rigid_result.get("eligible"):
        block = rigid_result.get("rigid_expenditure") or {}
        return Opinion(True, "rigid_expenditure", (),
                       f"近12个月刚性支出 {block.get('expenditure_total')} 元超过家庭收入的 "
                       f"{block.get('expenditure_ratio')} 倍：认定为支出型贫困家庭（刚性支出困难）")
    reasons = [f"家庭月人均收入 {pci} 元或家庭财产不符合低收入家庭（低保边缘）认定条件"
               f"（{'、'.join(dibao_result.get('reasons') or []) or '—'}）"]
    if rigid_result is not None:
        reasons.append("不符合支出型贫困家庭认定条件（" + "、".join(rigid_result.get("reasons") or []) + "）")
    return Opinion(False, "", tuple(reasons), "不符合认定条件")


def valid_until(start: date, months: int) -> date:
    """The last day of a recognition of ``months`` months starting on ``start`` (R-LI-05)."""
    if months < 1:
        raise ValueError("validity must be at least one month")
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    day = min(start.day, _days_in(year, month))
    return date(year, month, day) - timedelta(days=1)


def _days_in(year: int, month: int) -> int:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day
