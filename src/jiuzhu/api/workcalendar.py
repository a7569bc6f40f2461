"""The working calendar (``/v1/calendar``, 工作日历): is a day a working day, the date N working days
after a day, and the years the calendar can count (official or provisional). Thin: the workcalendar
selectors; the calendar is national, so any signed-in user may read it."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field

from jiuzhu.apps.workcalendar import selectors
from jiuzhu.rules.calendar import spans_provisional

from .schemas import errors

router = Router(tags=["calendar"])
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
YEAR_MISSING = "该年份不在工作日历中时 422（calendar.year_missing，须先导入该年的放假安排）。"


class DayQuery(Schema):
    date: dt.date = Field(title="日期", ge=EARLIEST, le=LATEST, description="YYYY-MM-DD")


class AddQuery(Schema):
    date: dt.date = Field(title="起算日期", ge=EARLIEST, le=LATEST, description="YYYY-MM-DD；从次日开始计算")
    days: int = Field(title="工作日数", ge=1, le=366, description="1–366")


class WorkdayOut(Schema):
    date: dt.date
    workday: bool = Field(description="是否为工作日（含调休上班日）")
    provisional: bool = Field(description="该年的放假安排为暂定（尚未导入国务院办公厅通知）")


class AddOut(Schema):
    date: dt.date
    days: int
    result: dt.date = Field(description="起算日期之后第 days 个工作日")
    provisional: bool = Field(description="计算跨越了暂定年份（导入官方安排后可能变化）")


class YearOut(Schema):
    year: int
    status: str = Field(description="official 已导入官方通知 / provisional 暂定（按法定节假日推算）",
                        json_schema_extra={"enum": ["official", "provisional"]})
    provisional: bool
    source: str = Field(description="依据（官方通知文号，或暂定推算的法规）")


class YearList(Schema):
    items: list[YearOut]


@router.get("/is-workday", response={200: WorkdayOut, **errors(422)}, summary="某日是否为工作日",
            description=YEAR_MISSING)
def is_workday(request, q: Query[DayQuery]):
    return {"date": q.date, "workday": selectors.is_workday(q.date),
            "provisional": q.date.year in selectors.provisional_years()}


@router.get("/add-workdays", response={200: AddOut, **errors(422)}, summary="某日之后第 N 个工作日（时限计算）",
            description="与案件时限的计算相同：从起算日的次日起数工作日，跳过节假日，计入调休上班日。" + YEAR_MISSING)
def add_workdays(request, q: Query[AddQuery]):
    result = selectors.add_workdays(q.date, q.days)
    return {"date": q.date, "days": q.days, "result": result,
            "provisional": spans_provisional(selectors.work_calendar(), q.date, result)}


@router.get("/years", response={200: YearList, **errors()}, summary="工作日历年份及其状态（官方 / 暂定）")
def years(request):
    return {"items": [{**y, "provisional": y["status"] == "provisional"} for y in selectors.calendar_years()]}
