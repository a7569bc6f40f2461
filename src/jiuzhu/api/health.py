"""Liveness (``/v1/health``), without authentication; it also tells whether the working calendar
can count next year's deadlines on an official schedule (``provisional`` until it is imported)."""

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from jiuzhu.apps.workcalendar.selectors import calendar_outlook

router = Router(tags=["system"])


class CalendarHealth(Schema):
    this_year: str = Field(..., description="今年的放假安排：official（已导入官方通知）/ provisional（暂定）/ missing")
    next_year: str = Field(..., description="明年的放假安排：official / provisional / missing")
    year: int = Field(..., description="明年的年份")
    warn: bool = Field(..., description="是否需要提醒管理员导入（10月1日起明年仍无官方安排时为 true）")


class HealthOut(Schema):
    status: str
    calendar: CalendarHealth


@router.get("", response=HealthOut, auth=None, summary="健康检查（含工作日历状态）")
def health(request):
    return {"status": "ok", "calendar": calendar_outlook(timezone.localdate())}
