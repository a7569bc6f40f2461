"""Enrollments (``/v1/enrollments``, 在保对象): list, detail with change and payment history, and the
lifecycle changes (adjust, suspend, resume, stop, graduate). Thin: parse → selector/service; region
scope lives in the selectors and services (outside the caller's region: 404)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from ninja import Query, Router

from jiuzhu.apps.cases.models import PROGRAM_LABELS
from jiuzhu.apps.enrollment import selectors, services
from jiuzhu.apps.enrollment.inputs import INPUTS
from jiuzhu.apps.enrollment.models import EnrollmentChange
from jiuzhu.apps.payments import selectors as payment_selectors
from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.apps.payments.services import parse_month
from jiuzhu.rules.errors import NotFound
from jiuzhu.rules.workflow.enrollment import STATUS_LABELS, TRANSITIONS

from .case_schemas import inline_refs
from .cases import _json_body
from .enrollment_schemas import EnrollmentDetail, EnrollmentPage, EnrollmentQuery
from .schemas import RowId, errors

router = Router(tags=["enrollments"])
CHANGE_LABELS = dict(EnrollmentChange.Kind.choices)
PAYMENT_LABELS = dict(PaymentLine.Status.choices)


def _month(value: str | None) -> date | None:
    return parse_month(value) if value else None  # 422 naming ``month`` for a year such as 0000


def _terms(terms, month: date) -> dict:
    return {"month": month, "status": terms.status, "amount": f"{terms.amount:.2f}", "klass": terms.klass,
            "payable": terms.payable}


def enrollment_out(e, terms=None, month: date | None = None) -> dict:
    hh, person = e.household, e.person
    return {
        "id": str(e.pk), "program": e.program, "program_label": PROGRAM_LABELS.get(e.program, e.program),
        "household": str(e.household_id), "head_name": hh.head_name,
        "person": str(e.person_id) if e.person_id else None, "person_name": person.name if person else None,
        "person_id_number": person.id_number_masked if person else None,
        "region": e.region_id, "region_name": e.region.name, "klass": e.klass, "amount": f"{e.amount:.2f}",
        "persons": e.persons, "start_month": e.start_month, "status": e.status,
        "status_label": STATUS_LABELS.get(e.status, e.status), "graduating_until": e.graduating_until,
        "stopped_month": e.stopped_month, "next_recheck": e.next_recheck, "decided_on": e.decided_on,
        "version": e.version, "bank_name": hh.bank_name, "bank_account": hh.bank_account_masked,
        "month_terms": _terms(terms, month) if terms is not None else None,
    }


@router.get("", response={200: EnrollmentPage, **errors(422)},
            summary="在保对象列表（按区划、项目、状态、月份筛选；按编号倒序分页）")
def enrollment_list(request, filters: Query[EnrollmentQuery]):
    month = _month(filters.month)
    rows = selectors.enrollments_search(
        actor=request.auth, today=timezone.localdate(), program=filters.program, status=filters.status,
        name=filters.name, region=filters.region, month=month, limit=filters.limit + 1, after=filters.after)
    more, rows = len(rows) > filters.limit, rows[:filters.limit]
    shown = month or timezone.localdate().replace(day=1)
    terms = selectors.enrollment_terms(month=shown, enrollments=rows)
    return {"items": [enrollment_out(e, terms[e.pk], shown) for e in rows],
            "next_after": rows[-1].pk if more and rows else None}


def detail_out(e, actor) -> dict:
    month = timezone.localdate().replace(day=1)
    return {
        **enrollment_out(e, selectors.terms_for_month(e, month), month),
        "allowed_actions": selectors.allowed_changes(actor=actor, enrollment=e),
        "changes": [{
            "id": str(c.pk), "kind": c.kind, "kind_label": CHANGE_LABELS.get(c.kind, c.kind),
            "old_amount": f"{c.old_amount:.2f}", "new_amount": f"{c.new_amount:.2f}", "old_status": c.old_status,
            "new_status": c.new_status, "old_class": c.old_class, "new_class": c.new_class,
            "effective_month": c.effective_month, "reason": c.reason, "legal_ground": c.legal_ground,
            "source": c.source, "actor": c.actor.display_name if c.actor else "系统", "at": timezone.localtime(c.at),
        } for c in selectors.enrollment_changes(enrollment=e)],
        "payments": [{
            "id": str(p["id"]), "month": p["month"], "amount": f"{p['amount']:.2f}", "status": p["status"],
            "status_label": PAYMENT_LABELS.get(p["status"], p["status"]), "result_message": p["result_message"],
            "batch_number": _batch_number(p), "batch_status": p["batch__status"],
        } for p in payment_selectors.enrollment_payments(enrollment=e)],
    }


def _batch_number(p: dict) -> str:
    tag = "ZC" if p["batch__kind"] == "regular" else "BF"
    return f"{p['batch__region_id']}-{p['batch__month']:%Y%m}-{tag}{p['batch__seq']:02d}"


@router.get("/{enrollment_id}", response={200: EnrollmentDetail, **errors(404, 422)},
            summary="在保对象详情：本月执行的待遇、可办理的变更、变更记录与发放记录")
def enrollment_detail(request, enrollment_id: RowId):
    e = selectors.enrollment_get(actor=request.auth, enrollment_id=enrollment_id)
    return detail_out(e, request.auth)


def _register(kind: str, model):
    def endpoint(request, enrollment_id: RowId, version: int | None = None):
        services.enrollment_change(actor=request.auth, enrollment_id=enrollment_id, kind=kind,
                                   data=_json_body(request), now=timezone.now(), version=version)
        return detail_out(selectors.enrollment_get(actor=request.auth, enrollment_id=enrollment_id), request.auth)

    endpoint.__name__ = f"enrollment_action_{kind}"
    router.add_api_operation(
        f"/{{enrollment_id}}/actions/{kind}", ["POST"], endpoint,
        response={200: EnrollmentDetail, **errors(400, 403, 404, 409, 422)},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": inline_refs(model.model_json_schema())}}}},
        summary=f"{TRANSITIONS[kind].label}（{kind}），自下月起执行",
        description="乡镇经办人或县民政办理；变更自决定之日的下月1日起执行（之前各月仍按原待遇发放），写入变更记录与审计日志。"
                    "字段错误 422（details.field 指明字段，未作任何更改）；当前状态不允许或已被他人修改 409；角色不符 403；"
                    "不在管辖范围 404。可带 `?version=` 做并发校验。",
        operation_id=f"enrollment_action_{kind}")


for _kind, _model in INPUTS.items():
    _register(_kind, _model)


@router.post("/{enrollment_id}/actions/{action}", response={**errors(404)}, summary="未知变更",
             include_in_schema=False)
def enrollment_action_unknown(request, enrollment_id: RowId, action: str):
    raise NotFound("enrollment.unknown_change", f"未知的变更类型：{action}", field="action")
