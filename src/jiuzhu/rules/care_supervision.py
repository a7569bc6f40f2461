"""Supervision of 特困 care (issue 16 §6): the county's spot checks of recorded visits, satisfaction
surveys of persons and guardians, and the quarterly evaluation of each caregiver and institution.

The seed plan (特困人员监护照护试点工作方案 四(三)) asks the townships to supervise care "通过开展督导检查、
巡查探访、满意度调查、绩效评估等方式"; the scales and grade boundaries below are the demo county's local
defaults ([LOCAL], no national figure exists). Pure: no Django, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .errors import ValidationFailed

CHECK_METHODS = {"phone": "电话回访", "onsite": "实地核查"}
CHECK_RESULTS = {"confirmed": "探访属实", "discrepancy": "情况不符", "unreachable": "无法核实"}

RESPONDENTS = {"self": "本人", "guardian": "监护人", "relative": "亲属"}
SURVEY_ITEMS = {"care": "生活照料", "health": "医疗保健", "visits": "探视巡访", "overall": "总体评价"}
SCORES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
SATISFIED_FROM = 3  # [LOCAL] "基本满意" and above count as satisfied in the satisfaction rate

SUBJECT_KINDS = {"caregiver": "委托照料人", "institution": "供养机构"}
# [LOCAL] quarterly evaluation grades on a 100-point score (seed 四(三) 绩效评估)
GRADES = {"excellent": "优秀", "pass": "合格", "fail": "不合格"}
EXCELLENT_FROM = 90
PASS_FROM = 60


def grade_of(score: int) -> str:
    """The grade of a quarterly evaluation: 90 and above 优秀, 60 and above 合格, else 不合格."""
    if not 0 <= score <= 100:
        raise ValidationFailed("care.score", "评分须在 0 到 100 之间", field="score")
    if score >= EXCELLENT_FROM:
        return "excellent"
    return "pass" if score >= PASS_FROM else "fail"


def quarter_start(label: str) -> date:
    """``2026Q4`` → 2026-10-01; anything else is refused naming the field."""
    text = (label or "").strip().upper()
    if len(text) == 6 and text[:4].isdigit() and text[4] == "Q" and text[5] in "1234":
        year = int(text[:4])
        if 2000 <= year <= 2100:
            return date(year, 3 * (int(text[5]) - 1) + 1, 1)
    raise ValidationFailed("care.quarter", "季度格式应为 年份Q季度，如 2026Q4", field="quarter")


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_end(start: date) -> date:
    """The first day after the quarter beginning on ``start``."""
    month = start.month + 3
    return date(start.year + (month > 12), (month - 1) % 12 + 1, 1)


def check_check_date(checked_on: date, *, today: date, visited_on: date) -> None:
    """A spot check is dated on or before today and not before the visit it checks."""
    if checked_on > today:
        raise ValidationFailed("care.checked_on", f"抽查日期 {checked_on.isoformat()} 晚于今天，不能登记",
                               field="checked_on")
    if checked_on < visited_on:
        raise ValidationFailed("care.checked_on", f"抽查日期早于被抽查的探访日期（{visited_on.isoformat()}）",
                               field="checked_on")


def check_survey_date(surveyed_on: date, *, today: date, start_month: date) -> None:
    if surveyed_on > today:
        raise ValidationFailed("care.surveyed_on", f"调查日期 {surveyed_on.isoformat()} 晚于今天，不能登记",
                               field="surveyed_on")
    if surveyed_on < start_month:
        raise ValidationFailed("care.surveyed_on", f"调查日期早于该人员纳入特困供养的月份（{start_month:%Y年%m月}）",
                               field="surveyed_on")


def check_evaluation_quarter(start: date, *, today: date) -> None:
    """A quarter is evaluated once it has begun (the evaluation of the running quarter is a mid-term one)."""
    if start > today:
        raise ValidationFailed("care.quarter", "该季度尚未开始，不能评估", field="quarter")


@dataclass(frozen=True)
class SurveyFigures:
    surveys: int
    mean: Decimal | None  # mean overall score, 1 decimal
    satisfied_rate: str  # share of surveys whose overall score is SATISFIED_FROM or more, "87.5%"


def survey_figures(overall_scores: Iterable[int]) -> SurveyFigures:
    scores = list(overall_scores)
    if not scores:
        return SurveyFigures(0, None, "—")
    mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    satisfied = sum(1 for s in scores if s >= SATISFIED_FROM)
    rate = (Decimal(100 * satisfied) / len(scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return SurveyFigures(len(scores), mean, f"{rate}%")
