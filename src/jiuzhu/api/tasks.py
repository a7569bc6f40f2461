"""My tasks (``/v1/tasks``): the open work of the caller's role in the caller's region (工作台).

Thin: the selector ``cases.selectors.my_tasks`` decides what is a task (the denormalized task
columns, index ``case_open_tasks``) and scopes it to the caller's region; earliest due first.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from jiuzhu.apps.cases import selectors
from jiuzhu.rules.workflow.states import STEP_LABELS

from .schemas import IdStr, errors

router = Router(tags=["cases"])


class TaskQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="最多返回条数（按截止日期升序）")


class TaskOut(BaseModel):  # plain pydantic: validated natively (see case_schemas)
    id: IdStr
    number: str = Field(..., description="案件编号")
    program: str
    program_label: str
    state: str
    state_label: str
    applicant_name: str
    region: str = Field(..., description="村(居)区划代码")
    region_name: str
    next_step: str = Field(..., description="下一环节（时限）：环节名称及开启它的操作见案件详情 deadlines[].step")
    next_step_label: str
    next_due: date | None = Field(None, description="下一环节截止日期")
    next_due_provisional: bool = Field(False, description="截止日落在尚未导入官方放假安排的年份（暂定）")
    deadline_moved_on: date | None = Field(None, description="导入官方放假安排后时限被调整的日期（时限因放假安排调整）")
    overdue: bool
    waiting: str = Field("", description="等待原因：下一步操作尚被条件阻止时的中文原因及解除办法（页面显示为“等待：…”）；"
                                         "为空表示现在即可办理")


class TaskList(BaseModel):
    items: list[TaskOut]


@router.get("", response={200: TaskList, **errors(422)}, summary="我的待办（工作台）：本人角色在管辖范围内待办的案件，截止日期最早的在前")
def task_list(request, filters: Query[TaskQuery]):
    cases = selectors.my_tasks(actor=request.auth, limit=filters.limit)
    today = timezone.localdate()
    return {"items": [{
        "id": c.pk, "number": c.number, "program": c.program, "program_label": c.program_label,
        "state": c.state, "state_label": c.state_label, "applicant_name": c.applicant.name,
        "region": c.region_id, "region_name": c.region.name, "next_step": c.next_step,
        "next_step_label": STEP_LABELS.get(c.next_step, c.next_step), "next_due": c.next_due,
        "next_due_provisional": bool(getattr(c, "next_due_provisional", False)),
        "deadline_moved_on": c.deadline_moved_on, "overdue": c.overdue,
        "waiting": selectors.task_waiting(c, today)} for c in cases]}
