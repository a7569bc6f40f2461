"""Cases (``/v1/cases``): start a case, read it, perform an action. Thin: parse → service/selector."""

import json

from django.utils import timezone
from ninja import Router, Status

from jiuzhu.apps.accounts.names import SYSTEM, display_name
from jiuzhu.apps.cases import selectors, services
from jiuzhu.apps.cases.payloads import PAYLOADS
from jiuzhu.apps.programs.temporary_person import temporary_submit_person
from jiuzhu.rules.errors import DomainError, NotFound, ValidationFailed
from jiuzhu.rules.workflow.states import ACTION_LABELS, STEP_LABELS

from . import case_list
from .case_schemas import STEP_OPENERS, CaseIn, CaseOut, inline_refs
from .schemas import RowId, errors

router = Router(tags=["cases"])
case_list.install(router)  # first: ``/overdue`` and ``/search`` before ``/{case_id}``; GET "" beside POST ""


def _timeline(case) -> list[dict]:
    """People by their display names; the user name beside it as the identifier (the selector joins the actor)."""
    return [{"at": timezone.localtime(e.at), "action": e.action, "label": ACTION_LABELS.get(e.action, e.action),
             "actor": display_name(e.actor) if e.actor_id else (e.actor_name or SYSTEM),
             "actor_label": e.actor.staff_label if e.actor_id else (e.actor_name or SYSTEM),
             "actor_username": e.actor.username if e.actor_id else "",
             "role": e.role, "state": e.to_state, "reason": e.reason} for e in selectors.case_timeline(case=case)]


def case_out(case, actor, today) -> dict:
    deadlines = selectors.case_deadlines(case=case)  # first: the allowed-action guards reuse the list
    allowed, blocked = selectors.case_actions(case=case, actor=actor, today=today)
    return {
        "id": str(case.pk), "number": case.number, "program": case.program, "state": case.state,
        "kind": case.kind, "enrollment": str(case.enrollment_id) if case.enrollment_id else None,
        "state_label": case.state_label, "household": str(case.household_id), "applicant": str(case.applicant_id),
        "applicant_name": case.applicant.name, "region": case.region_id, "channel": case.channel,
        "version": case.version, "overdue": case.overdue, "relative_flag": case.relative_flag,
        "deadline_moved_on": case.deadline_moved_on,
        "allowed_actions": allowed, "blocked": blocked,
        "deadlines": [{"step": d.step, "label": STEP_LABELS.get(d.step, d.step), "opened_by": STEP_OPENERS.get(d.step, []),
                       "due": d.due, "status": d.status, "rule": d.rule_id, "late": d.late, "provisional": d.provisional,
                       "calendar_version": d.calendar_version} for d in deadlines],
        "timeline": _timeline(case),
        "proposal": _proposal(case.proposal),
        "decided_status": case.decided_status, "decided_class": case.decided_class,
        "decided_amount": str(case.decided_amount) if case.decided_amount is not None else None,
    }


def _proposal(proposal: dict) -> dict | None:
    if not proposal:
        return None
    return {"policy": proposal.get("policy"), "as_of": proposal.get("as_of"), "result": proposal.get("result")}


@router.post("", response={201: CaseOut, **errors(403, 404, 409, 422)}, summary="提交申请（submit）")
def case_create(request, payload: CaseIn):
    now = timezone.now()
    if payload.person is not None or payload.household is None:
        return Status(201, case_out(_person_case(request, payload, now), request.auth, timezone.localdate(now)))
    try:
        case = services.case_submit(actor=request.auth, program=payload.program, household_id=payload.household,
                                    applicant_id=payload.applicant, channel=payload.channel,
                                    payload=payload.intake or {}, now=now)
    except ValidationFailed as exc:
        if exc.code == "payload.invalid":  # the field is inside ``intake`` in this document
            exc.details["field"] = f"intake.{exc.details.get('field', '')}".rstrip(".")
            for item in exc.details.get("errors", []):
                item["field"] = f"intake.{item['field']}".rstrip(".")
        raise
    return Status(201, case_out(case, request.auth, timezone.localdate(now)))


def _person_case(request, payload: CaseIn, now):
    """急难型 for a person without a registered household (issue 14 §1): ``person`` instead of ``household``."""
    if payload.person is None:
        raise ValidationFailed("case.household", "家庭编号（household）不能为空；无登记家庭人员的急难救助请填写 person",
                               field="household")
    if payload.program != "temporary" or payload.household is not None:
        raise ValidationFailed("case.person", "person 仅用于无登记家庭人员的急难型临时救助（program 为 temporary，"
                               "不填 household）", field="person")
    try:
        return temporary_submit_person(actor=request.auth, person=payload.person, channel=payload.channel,
                                       payload=payload.intake or {}, now=now).case
    except ValidationFailed as exc:
        _prefix_intake(exc)
        raise


def _prefix_intake(exc: ValidationFailed):
    """The emergency's fields are inside ``intake`` in this document (the person's already say ``person.``)."""
    def name(field: str) -> str:
        return field if field.startswith("person") else f"intake.{field}".rstrip(".")
    exc.details["field"] = name(exc.details.get("field", ""))
    for item in exc.details.get("errors", []):
        item["field"] = name(item.get("field", ""))


@router.get("/{case_id}", response={200: CaseOut, **errors(404, 422)}, summary="案件详情：状态、可执行操作、时限、时间线")
def case_detail(request, case_id: RowId):
    case = selectors.case_get(actor=request.auth, case_id=case_id)
    return case_out(case, request.auth, timezone.localdate())


def _json_body(request):
    """The raw JSON body: the action's service validates it (payloads.py), so a bad field comes back as
    422 with ``details.field`` and a Chinese message naming the field."""
    if not request.body:
        return {}
    try:
        return json.loads(request.body)
    except (ValueError, RecursionError):
        raise DomainError("bad_request", "请求格式错误（请求体不是有效的 JSON）") from None


def _register(action: str, model):
    def endpoint(request, case_id: RowId, version: int | None = None):
        now = timezone.now()
        case = services.case_act(actor=request.auth, case_id=case_id, action=action,
                                 payload=_json_body(request), now=now, version=version)
        return case_out(case, request.auth, timezone.localdate(now))

    endpoint.__name__ = f"case_action_{action}"
    router.add_api_operation(
        f"/{{case_id}}/actions/{action}", ["POST"], endpoint,
        response={200: CaseOut, **errors(400, 403, 404, 409, 422)},
        openapi_extra={"requestBody": {"required": False, "content": {
            "application/json": {"schema": inline_refs(model.model_json_schema())}}}},
        summary=f"{ACTION_LABELS.get(action, action)}（{action}）",
        description="在当前状态下由有权角色执行；状态不允许或已被他人处理时 409，角色不符 403，不在管辖范围 404。"
                    "可带 `?version=` 做并发校验。",
        operation_id=f"case_action_{action}")


for _action, _model in PAYLOADS.items():
    if _action != "submit":
        _register(_action, _model)


@router.post("/{case_id}/actions/{action}", response={**errors(404)}, summary="未知操作", include_in_schema=False)
def case_action_unknown(request, case_id: RowId, action: str):
    raise NotFound("case.unknown_action", f"未知操作：{action}", field="action")
