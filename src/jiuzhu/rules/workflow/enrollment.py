"""The enrollment lifecycle as data (workflow.md "After approval"; national-rules §8, §10.4).

Each change kind: which statuses it may start from, the status it leads to (None keeps it), who may
make it directly, and the default legal ground printed on the 附件9 调整(停发)告知书. Every change
takes effect from the 1st of the month after the decision (R-DB-05 by analogy; R-TK-16 "stop from
next month"). Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .model import CASEWORKER, COUNTY


@dataclass(frozen=True)
class EnrollmentTransition:
    kind: str
    label: str
    from_statuses: frozenset[str]
    to_status: str | None  # None: the status stays (adjust)
    notice: bool  # a written notice (附件9) goes to the household (R-DM-03)


_T = EnrollmentTransition
TRANSITIONS: dict[str, EnrollmentTransition] = {t.kind: t for t in (
    _T("adjust", "调整保障金", frozenset({"active", "suspended"}), None, True),
    _T("suspend", "暂停发放", frozenset({"active"}), "suspended", True),
    _T("resume", "恢复发放", frozenset({"suspended"}), "active", True),
    _T("stop", "停止保障", frozenset({"active", "suspended", "graduating"}), "stopped", True),
    _T("graduate", "渐退", frozenset({"active"}), "graduating", True),
)}

# Who may decide a change outside a recheck: the township caseworker (乡镇经办, for the township
# that holds the delegated power) and county civil affairs (R-DM-03, S2 art.32). A recheck's
# decision goes through the recheck table instead (its deciding level).
CHANGE_ROLES = frozenset({CASEWORKER, COUNTY})

STATUS_LABELS = {"active": "在保", "suspended": "暂停", "stopped": "停保", "graduating": "渐退期"}

LEGAL_GROUNDS = {
    ("dibao", "adjust"): "《社会救助暂行办法》第十三条；《最低生活保障审核确认办法》第三十一条、第三十二条",
    ("dibao", "suspend"): "《最低生活保障审核确认办法》第三十二条",
    ("dibao", "resume"): "《最低生活保障审核确认办法》第三十一条",
    ("dibao", "stop"): "《社会救助暂行办法》第十三条第三款；《最低生活保障审核确认办法》第三十二条",
    ("dibao", "graduate"): "《最低生活保障审核确认办法》第三十三条（渐退）",
    ("tekun", "adjust"): "《特困人员认定办法》第二十条",
    ("tekun", "suspend"): "《特困人员认定办法》第二十四条",
    ("tekun", "resume"): "《特困人员认定办法》第二十四条",
    ("tekun", "stop"): "《特困人员认定办法》第二十四条、第二十五条、第二十六条",
    ("tekun", "graduate"): "《特困人员认定办法》第二十四条",
}
DEATH_RECHECK_GROUND = "成员死亡后三个月内完成复核（R-DM-05，民政部等《关于进一步做好最低生活保障等社会救助兜底工作的通知》）"


def first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def graduation_end(effective: date, months: int) -> tuple[date, date]:
    """(last day paid, first month not paid) of a graduation period of ``months`` from ``effective``."""
    stop = add_months(effective, months)
    return stop - timedelta(days=1), stop


def recheck_interval(program: str, klass: str, stable_months: int, unstable_months: int) -> int:
    """R-DM-02: yearly for stable households (classes A, B), half-yearly for unstable ones (C, D);
    特困 persons yearly (R-TK-17)."""
    if program == "tekun":
        return 12
    return stable_months if klass in ("A", "B", "") else unstable_months
