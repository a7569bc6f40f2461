"""一门受理 (``/v1/intake``, issue 14 §4): record a household's needs with its referral tickets, the tickets
per department (filters, overdue), one ticket, the department's response and the closing. Thin: parse →
selector/service; roles and region scope live there (outside the caller's region: 404)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.apps.monitoring import intake as services
from jiuzhu.apps.monitoring import intake_selectors as selectors
from jiuzhu.apps.monitoring.intake_inputs import CloseInput
from jiuzhu.apps.monitoring.intake_person import OUTCOMES, intake_record_person
from jiuzhu.apps.monitoring.models import Referral
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.intake import NEEDS
from jiuzhu.rules.monitoring import DEPARTMENTS

from .cases import _json_body
from .monitoring_schemas import FeedbackIn, IntakeIn, body_schema
from .schemas import RowId, errors

router = Router(tags=["intake"])
STATUS_LABELS = dict(Referral.Status.choices)


class TicketOut(Schema):
    id: str
    number: str = Field(description="转介编号")
    origin: str = Field(description="intake 一门受理 / alert 监测预警")
    intake: str | None
    alert: str | None
    household: str
    region: str
    need: str
    department: str
    department_label: str
    note: str
    sent_on: date
    due_date: date | None = Field(None, description="反馈期限（intake.referral_due_wd 个工作日；预警推送为预警的处置期限）")
    overdue: bool
    status: str
    status_label: str
    feedback: str
    assisted: bool | None
    feedback_on: date | None
    closing_note: str
    closed_on: date | None


class IntakeOut(Schema):
    id: str
    number: str
    household: str
    person: str | None
    region: str
    channel: str
    needs: list[str]
    need_labels: list[str]
    description: str
    received_on: date
    registration: str | None = Field(None, description="填 person 时人员的登记情况：registered 已在登记家庭中（受理登记在该家庭）"
                                                       " / reused 沿用临时登记记录 / created 新建临时登记记录；填 household 时为 null")
    registration_label: str | None = None
    tickets: list[TicketOut]


class TicketPage(Schema):
    items: list[TicketOut]
    next_page: int | None = Field(None, description="下一页页码；没有更多时为 null")


class TicketQuery(Schema):
    department: str = Field("", max_length=16, title="部门", description="、".join(f"{k}={v}" for k, v in DEPARTMENTS.items()))
    status: str = Field("", max_length=10, title="状态", description="sent 待反馈 / answered 已反馈 / closed 已办结")
    overdue: bool = Field(False, title="只看逾期", description="反馈期限已过且部门未反馈")
    region: str = Field("", title="区划代码", pattern=r"^(\d{12})?$")
    page: int = Field(1, ge=1, le=10**6, title="页码")


def ticket_out(r: Referral, today) -> dict:
    due = r.due
    return {"id": str(r.pk), "number": r.number, "origin": "intake" if r.intake_id else "alert",
            "intake": str(r.intake_id) if r.intake_id else None, "alert": str(r.alert_id) if r.alert_id else None,
            "household": str(r.household.pk), "region": r.region_id or "", "need": r.need, "department": r.department,
            "department_label": DEPARTMENTS.get(r.department, r.department), "note": r.note, "sent_on": r.sent_on,
            "due_date": due, "overdue": bool(r.status == Referral.Status.SENT and due and due < today),
            "status": r.status, "status_label": STATUS_LABELS.get(r.status, r.status), "feedback": r.feedback,
            "assisted": r.assisted, "feedback_on": r.feedback_on, "closing_note": r.closing_note,
            "closed_on": r.closed_on}


@router.post("", response={201: IntakeOut, **errors(400, 403, 404, 409, 422)}, openapi_extra=body_schema(IntakeIn),
             summary="一门受理：登记困难需求并向相关部门转介",
             description="村(居)协理员、乡镇经办人或县民政办理。needs、departments 为本地区清单中的代码或中文名称；"
                         "医疗、教育、住房、就业需求须选择转介部门。字段错误 422（details.field 指明字段，未作任何更改）；"
                         "家庭不在管辖范围 404。无登记家庭的人员：不填 household，填 person（姓名、身份证号等）和受理地 place_region"
                         "（村/社区代码），身份证号已在登记家庭中的受理登记在该家庭，否则沿用或新建临时登记记录；"
                         "任一字段有误均不作任何更改。")
def intake_create(request):
    data = _json_body(request)
    outcome = None
    if isinstance(data, dict) and data.get("person") is not None:
        intake, outcome = _person_intake(request, data)
    else:
        if isinstance(data, dict) and data.get("household") is None:
            raise ValidationFailed("intake.household", "家庭（household）与无登记家庭人员（person）须填写其一：已登记家庭填"
                                   " household，无登记家庭的人员填 person 及受理地 place_region", field="household")
        intake = services.intake_record(actor=request.auth, data=data, now=timezone.now())
    today = timezone.localdate()
    return Status(201, {
        "id": str(intake.pk), "number": intake.number, "household": str(intake.household_id),
        "registration": outcome, "registration_label": OUTCOMES.get(outcome) if outcome else None,
        "person": str(intake.person_id) if intake.person_id else None, "region": intake.region_id,
        "channel": intake.channel, "needs": intake.needs, "need_labels": [NEEDS.get(n, n) for n in intake.needs],
        "description": intake.description, "received_on": intake.received_on,
        "tickets": [ticket_out(r, today) for r in selectors.intake_tickets(intake)]})


def _person_intake(request, data: dict):
    """一门受理 for a person without a registered household (the /intake/person/ page's service)."""
    if data.get("household") is not None:
        raise ValidationFailed("intake.person", "household 与 person 只能填写其一（无登记家庭的人员不填 household）",
                               field="person")
    rest = {k: v for k, v in data.items() if k not in ("person", "place_region")}
    return intake_record_person(actor=request.auth, person=data["person"], place_region=data.get("place_region", ""),
                                data=rest, now=timezone.now())


@router.get("/referrals", response={200: TicketPage, **errors(403, 422)},
            summary="转介工单（按部门、状态、区划、是否逾期筛选；每页 100 条）")
def ticket_list(request, filters: Query[TicketQuery]):
    today = timezone.localdate()
    rows, more = selectors.referral_list(actor=request.auth, today=today, department=filters.department,
                                         status=filters.status, overdue=filters.overdue, region_code=filters.region,
                                         page=filters.page)
    return {"items": [ticket_out(r, today) for r in rows], "next_page": filters.page + 1 if more else None}


@router.get("/referrals/{referral_id}", response={200: TicketOut, **errors(403, 404, 422)}, summary="转介工单详情")
def ticket_detail(request, referral_id: RowId):
    return ticket_out(selectors.referral_get(actor=request.auth, referral_id=referral_id), timezone.localdate())


@router.post("/referrals/{referral_id}/respond", response={200: TicketOut, **errors(400, 403, 404, 409, 422)},
             openapi_extra=body_schema(FeedbackIn), summary="登记部门反馈",
             description="乡镇经办人或县民政办理；已反馈 409；反馈日期早于推送日期或晚于今天 422。")
def ticket_respond(request, referral_id: RowId):
    services.referral_respond(actor=request.auth, referral_id=referral_id, data=_json_body(request), now=timezone.now())
    return ticket_detail(request, referral_id)


@router.post("/referrals/{referral_id}/close", response={200: TicketOut, **errors(400, 403, 404, 409, 422)},
             openapi_extra=body_schema(CloseInput), summary="办结转介（须先登记部门反馈）")
def ticket_close(request, referral_id: RowId):
    services.referral_close(actor=request.auth, referral_id=referral_id, data=_json_body(request), now=timezone.now())
    return ticket_detail(request, referral_id)
