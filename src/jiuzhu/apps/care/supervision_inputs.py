"""What the care supervision services accept (pydantic; errors in Chinese through core.validation)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from jiuzhu.rules.care_supervision import CHECK_METHODS, CHECK_RESULTS, RESPONDENTS, SUBJECT_KINDS, SURVEY_ITEMS

from .inputs import _Input


class CheckInput(_Input):
    checked_on: dt.date = Field(title="抽查日期")
    method: Literal[tuple(CHECK_METHODS)] = Field(title="抽查方式")  # type: ignore[valid-type]
    result: Literal[tuple(CHECK_RESULTS)] = Field(title="抽查结果")  # type: ignore[valid-type]
    note: str = Field("", title="情况说明", max_length=2000)


class SurveyInput(_Input):
    surveyed_on: dt.date = Field(title="调查日期")
    respondent: Literal[tuple(RESPONDENTS)] = Field(title="受访人")  # type: ignore[valid-type]
    scores: dict[Literal[tuple(SURVEY_ITEMS)], int] = Field(title="评分")  # type: ignore[valid-type]
    comment: str = Field("", title="意见建议", max_length=2000)


class EvaluationInput(_Input):
    township: str = Field(title="乡镇(街道)", min_length=12, max_length=12)
    quarter: str = Field(title="季度", min_length=1, max_length=10)
    subject_kind: Literal[tuple(SUBJECT_KINDS)] = Field(title="评估对象类型")  # type: ignore[valid-type]
    subject: str = Field(title="评估对象", min_length=1, max_length=100)
    score: int = Field(title="评分", ge=0, le=100)
    note: str = Field("", title="评估意见", max_length=2000)


class UrgeInput(_Input):
    township: str = Field(title="乡镇(街道)", min_length=12, max_length=12)
    note: str = Field("", title="督办意见", max_length=1000)
