"""Monitoring API shapes (预警 and the low-income register): list filters, an alert with its referrals,
the documented bodies of dispose / feedback / register (the services validate them, so errors name the
field in Chinese). ID numbers only masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from jiuzhu.apps.monitoring.intake_inputs import IntakeInput
from jiuzhu.apps.monitoring.models import Alert
from jiuzhu.rules.monitoring import ALERT_TYPE_LABELS, DEPARTMENTS

from .case_schemas import PersonBlock, inline_refs
from .schemas import RowIdIn

AlertType = Literal[tuple(["", *ALERT_TYPE_LABELS])]  # type: ignore[valid-type]
AlertStatus = Literal[tuple(["", *Alert.Status.values])]  # type: ignore[valid-type]
Department = Literal[tuple(DEPARTMENTS)]  # type: ignore[valid-type]


class AlertQuery(Schema):
    region: str = Field("", title="区划代码", pattern=r"^(\d{12})?$",
                        description="只列该区划（含下级）的预警，须在本人管辖范围内，否则 404")
    type: AlertType = Field("", title="预警类型", description="、".join(f"{k}={v}" for k, v in ALERT_TYPE_LABELS.items()))
    status: AlertStatus = Field("", title="状态", description="open 待处置 / in_progress 处置中 / closed 已办结")
    overdue: bool = Field(False, title="只看逾期", description="处置期限已过且未办结")
    page: int = Field(1, ge=1, le=10**6, title="页码", description="每页 100 条；待处置的按期限在前")


class AlertOut(Schema):
    id: str
    number: str = Field(description="预警编号")
    type: str
    type_label: str
    source: str = Field(description="数据来源（部门数据集）")
    person: str
    person_name: str
    person_id_number: str = Field(description="身份证号（脱敏）")
    household: str
    household_number: str
    region: str = Field(description="村(居)区划代码")
    region_name: str
    category: str
    category_label: str
    event_date: date
    amount: str = Field(description="金额（元）")
    detail: str
    breadwinner: bool = Field(description="主要劳动力（死亡预警）")
    detected_on: date
    due_date: date
    overdue: bool
    status: str
    status_label: str
    suggested: str
    suggested_label: str
    disposition: str
    disposition_label: str
    result: str
    disposed_on: date | None
    closed_on: date | None
    recheck_case: str | None = Field(None, description="核查终止时安排的复核案件")
    version: int


class ReferralOut(Schema):
    id: str
    department: str
    department_label: str
    note: str
    sent_on: date
    status: str
    status_label: str
    feedback: str
    assisted: bool | None
    feedback_on: date | None


class AlertDetail(AlertOut):
    referrals: list[ReferralOut]


class AlertPage(Schema):
    items: list[AlertOut]
    next_page: int | None = Field(None, description="下一页页码；没有更多时为 null")


class RegisterOut(Schema):
    id: str
    household: str
    household_number: str
    head_name: str
    region: str
    region_name: str
    category: str
    category_label: str
    recognized_on: date
    valid_until: date | None
    note: str
    created_at: datetime


# --- documented request bodies (validated by the services: apps/monitoring/inputs.py) -----------------

class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DisposeSimple(_Body):
    disposition: Literal["implement", "落实政策", "conference", "一事一议", "verify_close", "核查终止"] = Field(
        title="处置方式", description="落实政策、一事一议：办结；核查终止：有在保记录的安排（或提前）复核后办结")
    result: str = Field(title="处置结果", min_length=1, max_length=2000)


class DisposeRefer(_Body):
    disposition: Literal["refer", "分类推送"] = Field(title="处置方式", description="分类推送：向每个部门推送，全部反馈后办结")
    result: str = Field(title="处置结果", min_length=1, max_length=2000)
    departments: list[Department] = Field(title="推送部门", min_length=1, max_length=len(DEPARTMENTS),
                                          description="、".join(f"{k}={v}" for k, v in DEPARTMENTS.items()))


DisposeIn = Annotated[DisposeSimple | DisposeRefer, Field(title="处置（四种方式之一）")]


class FeedbackIn(_Body):
    feedback: str = Field(title="部门反馈", min_length=1, max_length=2000)
    assisted: bool = Field(title="是否已给予救助")
    feedback_on: date | None = Field(None, title="反馈日期", description="默认今天；不早于推送日期、不晚于今天")


class RegisterIn(_Body):
    household: RowIdIn = Field(title="家庭", description="家庭 id（编号 H00000012 的数字部分；整数或数字字符串）")
    category: Literal["edge", "rigid_expenditure", "temporary", "低保边缘家庭", "刚性支出困难家庭", "临时救助对象"] = Field(
        title="类别")
    recognized_on: date = Field(title="认定(救助)日期", description="不晚于今天")
    valid_until: date | None = Field(None, title="有效期至", description="不早于认定日期；临时救助可空")
    note: str = Field("", title="说明", max_length=300)


class IntakeIn(IntakeInput):
    """The request document of ``POST /v1/intake`` (documentation: the service validates the body): a registered
    ``household``, or a ``person`` without one with the village ``place_region`` where they are received."""

    household: int | None = Field(None, title="家庭（填 person 时不填）", ge=1, le=2**63 - 1)  # type: ignore[assignment]
    person: PersonBlock = None  # type: ignore[assignment]
    place_region: str = Field("", title="受理地(村/社区)区划代码（填 person 时必填）", pattern=r"^(\d{12})?$")


def body_schema(model) -> dict:
    """The request body's JSON schema for ``openapi_extra`` (required, JSON)."""
    schema = inline_refs(TypeAdapter(model).json_schema())
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
