"""Case list and search (``GET /v1/cases``, ``POST /v1/cases/search``) and the 督办 list of overdue cases
(``GET /v1/cases/overdue``). Installed on the cases router (same paths as ``POST /v1/cases``). Thin:
parse → one selector; region scope lives in the selectors (a township or village outside it: 404)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases import selectors
from jiuzhu.apps.cases.case_filters import CaseFilters
from jiuzhu.apps.cases.list_selectors import cases_page
from jiuzhu.apps.regions.selectors import region_names
from jiuzhu.rules.errors import Forbidden
from jiuzhu.rules.workflow.states import PROGRAM_LABELS, STATE_LABELS, STEP_LABELS

from .schemas import DB_INT_MAX, IdStr, Text, errors

CODE = r"^(\d{12})?$"
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
ProgramV = Literal[tuple(["", *PROGRAM_LABELS])]  # type: ignore[valid-type]
StateV = Literal[tuple(["", *STATE_LABELS])]  # type: ignore[valid-type]


class CaseQuery(Schema):
    township: str = Field("", title="乡镇(街道)", pattern=CODE, description="12位区划代码；须在本人管辖范围内，否则 404")
    village: str = Field("", title="村(居)", pattern=CODE, description="12位区划代码；须在本人管辖范围内，否则 404")
    program: ProgramV = Field("", title="救助项目", description="dibao 低保 / tekun 特困")  # type: ignore[valid-type]
    state: StateV = Field("", title="状态",  # type: ignore[valid-type]
                          description="、".join(f"{k}={v}" for k, v in STATE_LABELS.items()))
    kind: Literal["", "application", "recheck"] = Field("", title="类别", description="application 申请 / recheck 复核")
    overdue: bool | None = Field(None, title="是否逾期", description="true 只看逾期，false 只看未逾期")
    submitted_from: date | None = Field(None, title="提交日期起", description="YYYY-MM-DD（含）", ge=EARLIEST,
                                        le=LATEST)
    submitted_to: date | None = Field(None, title="提交日期止", description="YYYY-MM-DD（含），不早于起始日期",
                                      ge=EARLIEST, le=LATEST)
    name: Text(50) = Field("", title="申请人姓名", description="姓名前缀")  # type: ignore[valid-type]
    after: int | None = Field(None, title="翻页游标", ge=1, le=DB_INT_MAX, description="上一页返回的 next_after")
    limit: int = Field(50, title="每页条数", ge=1, le=200)

    @field_validator("submitted_to")
    @classmethod
    def _range(cls, v: date | None, info) -> date | None:
        start = info.data.get("submitted_from")
        if v is not None and start is not None and v < start:
            raise PydanticCustomError("value_error", "提交日期止不能早于提交日期起（{start}）", {"start": str(start)})
        return v


class CaseRow(BaseModel):  # plain pydantic (see case_schemas)
    id: IdStr
    number: str = Field(description="案件编号")
    program: str
    program_label: str
    kind: str
    state: str
    state_label: str
    household: IdStr
    applicant: IdStr
    applicant_name: str
    region: str = Field(description="村(居)区划代码")
    region_name: str
    channel: str
    overdue: bool
    next_step: str = Field(description="下一环节（时限），见案件详情 deadlines.step")
    next_step_label: str
    next_due: date | None
    submitted_at: datetime = Field(description="提交时间（北京时间，带 +08:00）")


class CasePage(BaseModel):
    items: list[CaseRow]
    next_after: IdStr | None = Field(None, description="下一页传入 after；没有更多时为 null")


class TownshipCount(BaseModel):
    township: str = Field(description="乡镇(街道)区划代码")
    township_name: str
    overdue: int


class OverdueList(BaseModel):
    items: list[CaseRow] = Field(description="逾期案件，截止日期最早的在前")
    by_township: list[TownshipCount] = Field(description="按乡镇统计的逾期案件数")


class OverdueQuery(Schema):
    limit: int = Field(200, title="最多返回条数", ge=1, le=500)


def row(c) -> dict:
    return {
        "id": c.pk, "number": c.number, "program": c.program, "program_label": PROGRAM_LABELS.get(c.program, c.program),
        "kind": c.kind, "state": c.state, "state_label": c.state_label, "household": c.household_id,
        "applicant": c.applicant_id, "applicant_name": c.applicant.name, "region": c.region_id,
        "region_name": c.region.name, "channel": c.channel, "overdue": c.overdue, "next_step": c.next_step,
        "next_step_label": STEP_LABELS.get(c.next_step, c.next_step), "next_due": c.next_due,
        "submitted_at": timezone.localtime(c.submitted_at),
    }


def _page(request, q: CaseQuery) -> dict:
    filters = CaseFilters(township=q.township, village=q.village, program=q.program, state=q.state,
                          submitted_from=q.submitted_from, submitted_to=q.submitted_to, name=q.name)
    rows = cases_page(actor=request.auth, filters=filters, overdue=q.overdue, kind=q.kind, after=q.after,
                      limit=q.limit + 1)
    more, rows = len(rows) > q.limit, rows[:q.limit]
    return {"items": [row(c) for c in rows], "next_after": rows[-1].pk if more and rows else None}


def case_list(request, filters: Query[CaseQuery]):
    return _page(request, filters)


def case_search(request, payload: CaseQuery):
    return _page(request, payload)


def case_overdue(request, filters: Query[OverdueQuery]):
    if not can(request.auth, "case.supervise"):
        raise Forbidden("forbidden", "只有县民政和纪检监察人员可以查看逾期督办清单；乡镇可用案件列表的 overdue=true 查看本辖区逾期案件")
    cases, by_township = selectors.supervision_list(actor=request.auth, limit=filters.limit)
    names = region_names([t["township"] for t in by_township])
    return {"items": [row(c) for c in cases],
            "by_township": [{"township": t["township"], "township_name": names.get(t["township"], t["township"]),
                             "overdue": t["n"]} for t in by_township]}


LIST_DESCRIPTION = ("本人管辖范围内的案件，按编号倒序（最新在前），键集分页。筛选：乡镇、村(居)、项目、状态、类别、是否逾期、"
                    "提交日期范围、申请人姓名前缀。所给乡镇或村(居)不在本人管辖范围内 404（region.not_found）；"
                    "筛选值无效 422（details.errors 逐项指明字段）。")


def install(router: Router) -> None:
    router.add_api_operation("", ["GET"], case_list, response={200: CasePage, **errors(404, 422)},
                             summary="案件列表（筛选、分页）", description=LIST_DESCRIPTION)
    router.add_api_operation("/search", ["POST"], case_search, response={200: CasePage, **errors(404, 422)},
                             summary="案件查找（条件放在请求体中，姓名不进入 URL 和日志）", description=LIST_DESCRIPTION)
    router.add_api_operation("/overdue", ["GET"], case_overdue, response={200: OverdueList, **errors(403, 422)},
                             summary="逾期督办清单（县民政、纪检）",
                             description="有环节超过时限未办理的案件（含审批后出具决定书、报县备案逾期的），截止日期最早的在前，"
                                         "并按乡镇统计。乡镇工作人员 403（可用 `GET /v1/cases?overdue=true`）。")
