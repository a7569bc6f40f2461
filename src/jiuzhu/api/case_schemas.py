"""Case API shapes (workflow.md "What the API returns for a case")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from jiuzhu.apps.cases.payloads import SubmitPayload

from .schemas import RowId


class CaseIn(Schema):
    program: Literal["dibao", "tekun"] = Field(title="救助项目")
    household: RowId = Field(title="家庭编号")
    applicant: RowId = Field(title="申请人编号")
    channel: Literal["window", "village", "online"] = Field(title="申请渠道")
    intake: SubmitPayload | None = Field(None, title="一证一书及申报")


class DeadlineOut(Schema):
    step: str
    label: str
    due: date
    status: str
    rule: str
    late: bool


class EventOut(Schema):
    at: datetime
    action: str
    label: str
    actor: str
    role: str
    state: str
    reason: str


class CaseOut(Schema):
    id: str
    number: str
    program: str
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
    allowed_actions: list[str]
    deadlines: list[DeadlineOut]
    timeline: list[EventOut]
    proposal: dict | None
    decided_status: str
    decided_class: str
    decided_amount: str | None
