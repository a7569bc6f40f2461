"""The period of a pilot evaluation report (试点评估报告, issue 17 §4): the mid-term report (the
pilot's first half year), the final report (the whole year), the report on 审核时长 due by 20
December (January to November: the months complete by then) or a custom range of months. Input
is validated by a pydantic model with the project's Chinese error translator (core.validation):
a bad value names its field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from jiuzhu.core.validation import validate
from jiuzhu.rules.errors import ValidationFailed

KINDS = {"midterm": "中期评估报告", "final": "工作总结报告", "dec20": "审核时长评估总结报告", "custom": "评估报告"}
KIND_NOTES = {"midterm": "1—6 月", "final": "全年", "dec20": "1—11 月，12 月 20 日前报送", "custom": "自选起止月份"}
PRESET_MONTHS = {"midterm": (1, 6), "final": (1, 12), "dec20": (1, 11)}
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodQuery(BaseModel):
    kind: Literal["midterm", "final", "dec20", "custom"] = Field(title="报告类型")
    year: int | None = Field(default=None, ge=2000, le=2100, title="年度")
    start: str | None = Field(default=None, title="起始月份")
    end: str | None = Field(default=None, title="结束月份")

    @field_validator("start", "end")
    @classmethod
    def _month(cls, value: str | None, info) -> str | None:
        if value is not None and not _MONTH.match(value):
            title = "起始月份" if info.field_name == "start" else "结束月份"
            raise ValueError(f"{info.field_name}|{title}“{value[:20]}”格式错误，应为 YYYY-MM（如 2026-01）")
        return value

    @model_validator(mode="after")
    def _range(self):
        if self.kind == "custom":
            if not self.start:
                raise ValueError("start|自定义期间须填写起始月份")
            if not self.end:
                raise ValueError("end|自定义期间须填写结束月份")
            if self.end < self.start:
                raise ValueError(f"end|结束月份 {self.end} 不能早于起始月份 {self.start}")
        return self


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day of the first month
    end: date  # first day of the last month

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def span(self) -> str:
        first, last = f"{self.start.year}年{self.start.month}月", f"{self.end.year}年{self.end.month}月"
        return first if first == last else f"{first}至{last}"

    @property
    def query(self) -> str:
        base = f"kind={self.kind}"
        if self.kind == "custom":
            return f"{base}&start={self.start:%Y-%m}&end={self.end:%Y-%m}"
        return f"{base}&year={self.start.year}"


def _first(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def parse_period(raw: dict, *, today: date) -> Period:
    """``{"kind", "year", "start", "end"}`` (strings from a form; blanks are absent) → the Period.
    A preset reaching past this month ends with this month; a custom end after it is refused."""
    data = {k: str(v).strip() for k, v in raw.items() if k in PeriodQuery.model_fields and str(v or "").strip()}
    if "year" in data and not data["year"].isdigit():
        raise ValidationFailed("stats.period", f"年度“{data['year'][:10]}”应为四位数字年份（如 2026）", field="year")
    q: PeriodQuery = validate(PeriodQuery, data, code="stats.period")  # type: ignore[assignment]
    this_month = today.replace(day=1)
    if q.kind == "custom":
        start, end = _first(q.start or ""), _first(q.end or "")
        if end > this_month:
            raise ValidationFailed("stats.period", f"结束月份 {q.end} 晚于本月 {this_month:%Y-%m}，尚无统计", field="end")
        return Period(q.kind, start, end)
    year = q.year or today.year
    first, last = PRESET_MONTHS[q.kind]
    start, end = date(year, first, 1), date(year, last, 1)
    if start > this_month:
        raise ValidationFailed("stats.period", f"{year} 年尚未开始，不能生成该年度的{KINDS[q.kind]}", field="year")
    return Period(q.kind, start, min(end, this_month))
