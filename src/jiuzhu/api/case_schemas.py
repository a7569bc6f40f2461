"""Case API shapes (workflow.md "What the API returns for a case")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, Field, WithJsonSchema

from jiuzhu.apps.cases.payloads import SubmitPayload
from jiuzhu.apps.programs.temporary_payloads import TemporarySubmitPayload

from .schemas import RowId


def inline_refs(schema: dict) -> dict:
    """A model's JSON schema with its ``$defs`` written in place (the OpenAPI document has no room for them)."""
    defs = schema.pop("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.rsplit("/", 1)[1]]))
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    return walk(schema)


# The intake is validated by the submit service (payloads.SubmitPayload), so its errors name the field
# in Chinese like every action's; the document still shows its shape.
# 临时救助 (program ``temporary``) has its own intake: the kind, the emergency's place and circumstance.
Intake = Annotated[dict | None, WithJsonSchema(
    {"anyOf": [inline_refs(SubmitPayload.model_json_schema()), inline_refs(TemporarySubmitPayload.model_json_schema()),
               {"type": "null"}], "title": "一证一书及申报（临时救助：困难情形及急难发生地）"})]


class CaseIn(Schema):
    program: Literal["dibao", "tekun", "temporary"] = Field(title="救助项目")
    household: RowId = Field(title="家庭编号")
    applicant: RowId = Field(title="申请人编号")
    channel: Literal["window", "village", "online"] = Field(title="申请渠道")
    intake: Intake = None


# Responses are plain pydantic models: ninja's ``Schema`` wraps every nested object for attribute
# access (ORM objects), which the views here never return; validating plain dicts natively is several
# times cheaper on the case page, the busiest response.


class DeadlineOut(BaseModel):
    step: str
    label: str
    due: date
    status: str
    rule: str
    late: bool
    provisional: bool = Field(False, description="截止日按暂定工作日历计算（该年尚未导入国务院办公厅放假通知）；导入后自动重算")
    calendar_version: str = ""


class EventOut(BaseModel):
    at: datetime
    action: str
    label: str
    actor: str
    role: str
    state: str
    reason: str


class BlockedOut(BaseModel):
    action: str = Field(description="操作名（与 allowed_actions 同一套名称）")
    label: str = Field("", description="操作的中文名称")
    code: str = Field(description="阻止该操作的条件的错误码（与执行该操作时 409 返回的 code 相同）")
    message: str = Field(description="中文原因及解除办法，例如“尚未签署委托授权书（一证一书），不能提请核对。需要：登记一证一书或上传委托授权书扫描件”")


class CaseOut(BaseModel):
    id: str
    number: str
    program: str
    kind: str = "application"  # application (申请) | recheck (复核)
    enrollment: str | None = None  # the enrollment a recheck is of
    state: str
    state_label: str
    household: str
    applicant: str
    applicant_name: str
    region: str
    channel: str
    version: int
    overdue: bool
    relative_flag: bool
    deadline_moved_on: date | None = Field(None, description="导入官方放假安排后截止日被调整的日期（时限因放假安排调整）")
    allowed_actions: list[str] = Field(description="调用者现在可执行的操作（按角色、管辖范围、状态及条件计算）")
    blocked: list[BlockedOut] = Field(default_factory=list, description=(
        "状态和角色允许、但条件尚不满足而暂不能执行的操作及原因（案件页面上显示为不可点击的按钮及同一原因）；"
        "条件满足后移入 allowed_actions"))
    deadlines: list[DeadlineOut]
    timeline: list[EventOut]
    proposal: dict | None
    decided_status: str
    decided_class: str
    decided_amount: str | None
