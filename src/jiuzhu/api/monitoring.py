"""Monitoring (``/v1/monitoring``, 低收入人口动态监测): the alert queue, one alert with its referrals, the
disposition (R-SYS-06), a department's feedback and registering a low-income household. Thin: parse →
selector/service; roles and region scope live there (outside the caller's region: 404)."""

from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router, Status

from jiuzhu.apps.monitoring import selectors, services
from jiuzhu.apps.monitoring.models import Alert, Referral
from jiuzhu.rules.monitoring import ALERT_TYPE_LABELS, CATEGORIES, DEPARTMENTS, DISPOSITIONS

from .cases import _json_body
from .monitoring_schemas import (
    AlertDetail,
    AlertPage,
    AlertQuery,
    DisposeIn,
    FeedbackIn,
    RegisterIn,
    RegisterOut,
    body_schema,
)
from .schemas import RowId, errors

router = Router(tags=["monitoring"])
STATUS_LABELS = dict(Alert.Status.choices)
REFERRAL_LABELS = dict(Referral.Status.choices)


def alert_out(a: Alert, today) -> dict:
    return {
        "id": str(a.pk), "number": a.number, "type": a.type, "type_label": ALERT_TYPE_LABELS.get(a.type, a.type),
        "source": a.source, "person": str(a.person_id), "person_name": a.person.name,
        "person_id_number": a.person.id_number_masked, "household": str(a.household_id),
        "household_number": a.household.number, "region": a.region_id, "region_name": a.region.name,
        "category": a.category, "category_label": CATEGORIES.get(a.category, a.category), "event_date": a.event_date,
        "amount": f"{a.amount:.2f}", "detail": a.detail, "breadwinner": a.breadwinner, "detected_on": a.detected_on,
        "due_date": a.due_date, "overdue": a.status != Alert.Status.CLOSED and a.due_date < today,
        "status": a.status, "status_label": STATUS_LABELS.get(a.status, a.status), "suggested": a.suggested,
        "suggested_label": DISPOSITIONS.get(a.suggested, ""), "disposition": a.disposition,
        "disposition_label": DISPOSITIONS.get(a.disposition, ""), "result": a.result, "disposed_on": a.disposed_on,
        "closed_on": a.closed_on, "recheck_case": str(a.recheck_case_id) if a.recheck_case_id else None,
        "version": a.version,
    }


def detail_out(actor, alert_id) -> dict:
    a = selectors.alert_get(actor=actor, alert_id=alert_id)
    return {**alert_out(a, timezone.localdate()), "referrals": [{
        "id": str(r.pk), "department": r.department, "department_label": DEPARTMENTS.get(r.department, r.department),
        "note": r.note, "sent_on": r.sent_on, "status": r.status, "status_label": REFERRAL_LABELS.get(r.status, r.status),
        "feedback": r.feedback, "assisted": r.assisted, "feedback_on": r.feedback_on,
    } for r in selectors.alert_referrals(actor=actor, alert=a)]}


@router.get("/alerts", response={200: AlertPage, **errors(403, 404, 422)},
            summary="预警列表（按区划、类型、状态、是否逾期筛选；待处置的按处置期限在前，每页 100 条）")
def alert_list(request, filters: Query[AlertQuery]):
    today = timezone.localdate()
    rows, more = selectors.alerts_queue(actor=request.auth, today=today, type=filters.type, status=filters.status,
                                        overdue=filters.overdue, region_code=filters.region, page=filters.page,
                                        strict=True)
    return {"items": [alert_out(a, today) for a in rows], "next_page": filters.page + 1 if more else None}


@router.get("/alerts/{alert_id}", response={200: AlertDetail, **errors(403, 404, 422)},
            summary="预警详情：事件、处置期限、处置结果、转办推送与部门反馈")
def alert_detail(request, alert_id: RowId):
    return detail_out(request.auth, alert_id)


@router.post("/alerts/{alert_id}/dispose", response={200: AlertDetail, **errors(400, 403, 404, 409, 422)},
             openapi_extra=body_schema(DisposeIn), summary="处置预警（落实政策 / 分类推送 / 一事一议 / 核查终止）",
             description="乡镇经办人或县民政办理。分类推送须选择推送部门（departments），其他方式不选；处置结果必填。"
                         "字段错误 422（details.field 指明字段，未作任何更改）；已处置 409；角色不符 403；不在管辖范围 404。")
def alert_dispose(request, alert_id: RowId):
    services.alert_dispose(actor=request.auth, alert_id=alert_id, data=_json_body(request), now=timezone.now())
    return detail_out(request.auth, alert_id)


@router.post("/referrals/{referral_id}/feedback", response={200: AlertDetail, **errors(400, 403, 404, 409, 422)},
             openapi_extra=body_schema(FeedbackIn), summary="登记部门反馈（全部部门反馈后预警办结），返回该预警",
             description="乡镇经办人或县民政办理；已反馈 409；反馈日期早于推送日期或晚于今天 422。")
def referral_feedback(request, referral_id: RowId):
    referral = services.referral_feedback(actor=request.auth, referral_id=referral_id, data=_json_body(request),
                                          now=timezone.now())
    return detail_out(request.auth, referral.alert_id)


@router.post("/register", response={201: RegisterOut, **errors(400, 403, 404, 409, 422)},
             openapi_extra=body_schema(RegisterIn), summary="登记低收入家庭（低保边缘、刚性支出困难、临时救助）",
             description="村(居)协理员、乡镇经办人或县民政办理；家庭须在本人管辖范围内（否则 404）；"
                         "同一家庭、类别、认定日期已登记 409。")
def register_create(request):
    e = services.lowincome_register(actor=request.auth, data=_json_body(request), now=timezone.now())
    hh = e.household
    return Status(201, {
        "id": str(e.pk), "household": str(hh.pk), "household_number": hh.number, "head_name": hh.head_name,
        "region": e.region_id, "region_name": e.region.name, "category": e.category,
        "category_label": CATEGORIES.get(e.category, e.category), "recognized_on": e.recognized_on,
        "valid_until": e.valid_until, "note": e.note, "created_at": timezone.localtime(e.created_at)})
