"""What 一门受理 and its referral tickets accept (issue 14 §4); every error names the field in Chinese."""

from __future__ import annotations

from pydantic import Field

from jiuzhu.apps.cases.payloads import validate
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.intake import CIVIL_NEEDS, IntakeTerms

from .inputs import _code, _Input


class IntakeInput(_Input):
    household: int = Field(title="家庭", ge=1, le=2**63 - 1)
    person: int | None = Field(None, title="困难对象", ge=1, le=2**63 - 1)
    needs: list[str] = Field(title="困难需求", min_length=1, max_length=12)
    description: str = Field(title="困难情况", min_length=1, max_length=1000)
    departments: list[str] = Field(default_factory=list, title="转介部门", max_length=12)
    note: str = Field("", title="转介说明", max_length=500)


class CloseInput(_Input):
    closing_note: str = Field(title="办结说明", min_length=1, max_length=2000)


def intake_input(data) -> IntakeInput:
    return validate(IntakeInput, data)  # type: ignore[return-value]


def intake_choices(cleaned: IntakeInput, terms: IntakeTerms) -> IntakeInput:
    """Needs and departments from the region's lists (codes or labels); a need other than 基本生活 and
    急难 is handled by a department, so at least one is chosen then."""
    cleaned.needs = [_code(n, terms.needs, "needs", "困难需求") for n in cleaned.needs]
    cleaned.departments = [_code(d, terms.departments, "departments", "转介部门") for d in cleaned.departments]
    for field, values, title in (("needs", cleaned.needs, "困难需求"), ("departments", cleaned.departments, "转介部门")):
        if len(set(values)) != len(values):
            raise ValidationFailed("intake.duplicate", f"{title}重复（字段：{field}）", field=field)
    if any(n not in CIVIL_NEEDS for n in cleaned.needs) and not cleaned.departments:
        raise ValidationFailed("intake.departments", "医疗、教育、住房、就业需求须选择转介部门（字段：departments）",
                               field="departments")
    return cleaned


def close_input(data) -> CloseInput:
    return validate(CloseInput, data)  # type: ignore[return-value]
