"""Case API shapes (workflow.md "What the API returns for a case")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, Field, WithJsonSchema

from jiuzhu.apps.cases.payloads import SubmitPayload
from jiuzhu.apps.programs.temporary_payloads import TemporarySubmitPayload
from jiuzhu.apps.registry.minimal import MinimalPersonInput
from jiuzhu.rules.workflow.model import WorkflowSettings
from jiuzhu.rules.workflow.programs import programs
from jiuzhu.rules.workflow.states import ACTION_LABELS, STEP_LABELS
from jiuzhu.rules.workflow.tables import table_for

from .schemas import IdStr, RowIdIn


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


def _step_openers() -> dict[str, list[str]]:
    """Deadline step → the actions that open it, read from every registered program's transition tables
    (both confirmation levels, both verification orders, every case kind, rechecks)."""
    found: dict[str, set[str]] = {"recheck": {"schedule"}, "overall": {"extend"}}  # scheduling; extension resets it
    for program, spec in programs().items():
        kinds = list(spec.kinds) or ["application"]
        for level in ("township", "county"):
            for verify_first in (True, False):
                for kind in kinds:
                    for row in table_for(program, WorkflowSettings(level, verify_first), kind):
                        for rule in row.creates:
                            found.setdefault(rule.step, set()).add(row.action)
                        if row.starts_overall:
                            found["overall"].add(row.action)
    return {step: sorted(found.get(step, ())) for step in STEP_LABELS}


STEP_OPENERS = _step_openers()
STEP_DESCRIPTION = "时限环节（截止日期由该环节的开启操作按工作日历计算）：\n" + "\n".join(
    f"- `{step}` {label}：由 " + "、".join(f"`{a}`（{ACTION_LABELS.get(a, '安排复核' if a == 'schedule' else a)}）"
                                         for a in STEP_OPENERS[step]) + " 开启"
    for step, label in STEP_LABELS.items())


# 急难型 for a person without a registered household: ``person`` instead of ``household`` and ``applicant``
# (validated by the service, registry.minimal.MinimalPersonInput, so its errors are ``person.<field>``).
PersonBlock = Annotated[dict | None, WithJsonSchema(
    {"anyOf": [inline_refs(MinimalPersonInput.model_json_schema()), {"type": "null"}],
     "title": "无登记家庭人员（仅急难型临时救助：姓名、身份证号、联系电话、现住址、城乡类别）"})]


class CaseIn(Schema):
    program: Literal["dibao", "tekun", "temporary"] = Field(title="救助项目")
    household: RowIdIn | None = Field(None, title="家庭编号（填 person 时不填）")
    applicant: RowIdIn | None = Field(None, title="申请人编号（填 person 时不填）")
    channel: Literal["window", "village", "online"] = Field(title="申请渠道")
    intake: Intake = None
    person: PersonBlock = None


# Responses are plain pydantic models: ninja's ``Schema`` wraps every nested object for attribute
# access (ORM objects), which the views here never return; validating plain dicts natively is several
# times cheaper on the case page, the busiest response.


class DeadlineOut(BaseModel):
    step: str = Field(description=STEP_DESCRIPTION, json_schema_extra={"enum": list(STEP_LABELS)})
    label: str = Field(description="环节中文名")
    opened_by: list[str] = Field(description="开启该环节时限的操作")
    due: date
    status: str = Field(description="open 进行中 / met 已按时完成 / overdue 逾期 / cancelled 已取消",
                        json_schema_extra={"enum": ["open", "met", "overdue", "cancelled"]})
    rule: str = Field(description="依据的规则编号")
    late: bool
    provisional: bool = Field(False, description="截止日按暂定工作日历计算（该年尚未导入国务院办公厅放假通知）；导入后自动重算")
    calendar_version: str = ""


class EventOut(BaseModel):
    at: datetime = Field(description="北京时间，带 +08:00")
    action: str
    label: str
    actor: str = Field(description="办理人姓名")
    actor_label: str = Field("", description="办理人姓名及职务（与页面、文书相同）")
    actor_username: str = Field("", description="办理人用户名（标识）")
    role: str
    state: str
    reason: str


class BlockedOut(BaseModel):
    action: str = Field(description="操作名（与 allowed_actions 同一套名称）")
    label: str = Field("", description="操作的中文名称")
    code: str = Field(description="阻止该操作的条件的错误码（与执行该操作时 409 返回的 code 相同）")
    message: str = Field(description="中文原因及解除办法，例如“尚未签署委托授权书（一证一书），不能提请核对。需要：登记一证一书或上传委托授权书扫描件”")


class CaseOut(BaseModel):
    id: IdStr
    number: str
    program: str
    kind: str = "application"  # application (申请) | recheck (复核)
    enrollment: IdStr | None = None  # the enrollment a recheck is of
    state: str
    state_label: str
    household: IdStr
    applicant: IdStr
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
