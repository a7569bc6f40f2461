"""What the monitoring services accept. Codes or their Chinese labels are both accepted for the
disposition and the departments; every error names the field in Chinese."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from jiuzhu.apps.cases.payloads import validate
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.monitoring import DEPARTMENTS, DISPOSITIONS

from .models import REGISTER_CATEGORIES


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DisposeInput(_Input):
    disposition: str = Field(title="处置方式", min_length=1, max_length=20)
    result: str = Field(title="处置结果", min_length=1, max_length=2000)
    departments: list[str] = Field(default_factory=list, title="推送部门", max_length=len(DEPARTMENTS))


class ReferralInput(_Input):
    department: str = Field(title="推送部门", min_length=1, max_length=40)
    note: str = Field(title="推送说明", min_length=1, max_length=500)


class FeedbackInput(_Input):
    feedback: str = Field(title="部门反馈", min_length=1, max_length=2000)
    assisted: bool = Field(title="是否已给予救助")
    feedback_on: date | None = Field(None, title="反馈日期")


class RegisterInput(_Input):
    household: int = Field(title="家庭", ge=1, le=2**63 - 1)
    category: str = Field(title="类别", min_length=1, max_length=40)
    recognized_on: date = Field(title="认定(救助)日期")
    valid_until: date | None = Field(None, title="有效期至")
    note: str = Field("", title="说明", max_length=300)


def _code(value: str, choices: dict, field: str, title: str) -> str:
    if value in choices:
        return value
    by_label = {label: code for code, label in choices.items()}
    by_label.update({label.split("（")[0]: code for code, label in choices.items()})
    if value in by_label:
        return by_label[value]
    raise ValidationFailed("monitor.invalid_choice",
                           f"{title}“{value}”无效，可选：{'、'.join(choices.values())}（字段：{field}）", field=field)


def dispose_input(data) -> DisposeInput:
    cleaned = validate(DisposeInput, data)
    cleaned.disposition = _code(cleaned.disposition, DISPOSITIONS, "disposition", "处置方式")
    cleaned.departments = [_code(d, DEPARTMENTS, "departments", "推送部门") for d in cleaned.departments]
    if cleaned.disposition == "refer" and not cleaned.departments:
        raise ValidationFailed("monitor.departments", "分类推送须至少选择一个推送部门（字段：departments）",
                               field="departments")
    if cleaned.disposition != "refer" and cleaned.departments:
        raise ValidationFailed("monitor.departments", "只有分类推送需要选择推送部门（字段：departments）",
                               field="departments")
    if len(set(cleaned.departments)) != len(cleaned.departments):
        raise ValidationFailed("monitor.departments", "推送部门重复（字段：departments）", field="departments")
    return cleaned


def referral_input(data) -> ReferralInput:
    cleaned = validate(ReferralInput, data)
    cleaned.department = _code(cleaned.department, DEPARTMENTS, "department", "推送部门")
    return cleaned


def feedback_input(data) -> FeedbackInput:
    return validate(FeedbackInput, data)


def register_input(data) -> RegisterInput:
    from jiuzhu.rules.monitoring import CATEGORIES

    cleaned = validate(RegisterInput, data)
    cleaned.category = _code(cleaned.category, {c: CATEGORIES[c] for c in REGISTER_CATEGORIES}, "category", "类别")
    if cleaned.valid_until and cleaned.valid_until < cleaned.recognized_on:
        raise ValidationFailed("monitor.valid_until", "有效期至不能早于认定日期（字段：valid_until）", field="valid_until")
    return cleaned
