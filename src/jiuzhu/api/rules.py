"""Rules evaluation (``POST /v1/rules/evaluate?policy=NAME``): the pure rules engine over HTTP.

The body is the request of spec/reference-policy.md §6, decoded here with exact decimals (never
float); the answer is the §7 output. ``policy`` is ``reference`` or a region policy (12-digit code,
e.g. ``330127000000``, whose ``dibao.method`` may be 分档). Programs: dibao, tekun, temporary and the
extensions rigid_expenditure (block ``rigid``) and graduation (block ``graduation``). Bad input →
422 ``{"code", "message", "details": {"field"}}``, the message naming the field path.
Authentication is the API's default.
"""

from __future__ import annotations

import json
from decimal import Decimal

from ninja import Router

from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.evaluate import evaluate

from .schemas import errors

router = Router(tags=["rules"])

_EXAMPLE = {
    "program": "dibao", "as_of": "2026-12-01", "area_type": "urban",
    "members": [{"id": "m1", "birth_date": "1950-03-02", "disability": {"kind": "physical", "grade": 2},
                 "income": {"transfer": "300"}}],
    "assets": {"financial": "12000", "vehicles": [], "residential_properties": 1, "business_registered_capital": "0"},
    "obligors_able": False, "temporary": None,
}
_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "additionalProperties": True}, "example": _EXAMPLE}}}}


def _reject_constant(name: str):
    raise ValueError(name)


def _body(request) -> dict:
    try:
        return json.loads(request.body or b"", parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ValidationFailed("invalid_json", "请求体不是有效的 JSON（字段：$）", field="$") from None


@router.post("/evaluate", response={200: dict, **errors(422)}, openapi_extra=_BODY,
             summary="按政策测算低保（补差/分档）、特困、临时救助、刚性支出困难家庭认定、渐退（含逐步说明）")
def rules_evaluate(request, policy: str | None = None):
    if not policy:
        raise ValidationFailed("required", "缺少政策名称（字段：policy）", field="policy")
    return evaluate(_body(request), policy)
