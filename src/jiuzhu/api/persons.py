"""Persons (``/v1/persons``): revealing a full ID number or phone, audited."""

from __future__ import annotations

from ninja import Router

from jiuzhu.apps.registry import services

from .household_schemas import RevealIn, RevealOut
from .schemas import RowId, errors

router = Router(tags=["persons"])


@router.post("/{person_id}/reveal", response={200: RevealOut, **errors(403, 404, 422)},
             summary="查看完整身份证号或电话（记入审计）")
def person_reveal(request, person_id: RowId, payload: RevealIn):
    value = services.person_reveal(actor=request.auth, person_id=person_id, field=payload.field)
    return {"person_id": person_id, "field": payload.field, "value": value}
