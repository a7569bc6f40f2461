"""Closing a 自查自纠 rectification item with one outcome (issue 15 §5), by the township in scope:

* ``false_alarm`` — the finding is recorded, nothing else changes;
* ``adjust`` — the enrollment's amount changes from next month (the enrollment ``adjust`` change);
* ``stop`` — the enrollment stops from next month (the enrollment ``stop`` change, R-DM-05, R-PEN-01);
* ``recover`` — the wrongly paid months become a recovery item (the recovery service, R-PEN-01).

The item row is locked and its state re-checked inside the transaction; the enrollment change or the
recovery item is made in the same transaction, so either both are stored or neither is."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import cast

from django.db import transaction
from pydantic import Field, model_validator

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.enrollment.services import enrollment_change
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.core.validation import validate
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound
from jiuzhu.rules.selfcheck import OUTCOMES

from .payloads import Month, Payload
from .recovery import recovery_raise
from .selfcheck_models import RectificationItem

SUBJECT = "rectification_item"


class ResolvePayload(Payload):
    outcome: str = Field(title="整改结果", min_length=1, max_length=12)
    result: str = Field(title="核查情况", min_length=2, max_length=2000)
    amount: Decimal | None = Field(None, title="调整后月保障金(元)", gt=0, max_digits=14, decimal_places=2)
    months: list[Month] = Field(default_factory=list, title="多发月份", max_length=120)
    legal_ground: str = Field("", title="法律依据", max_length=300)

    @model_validator(mode="after")
    def _check(self):
        if self.outcome not in OUTCOMES:
            raise ValueError("outcome|整改结果无效，可选：" + "、".join(OUTCOMES.values()))
        if self.outcome == "adjust" and self.amount is None:
            raise ValueError("amount|调整保障金须填写调整后月保障金")
        if self.outcome == "recover" and not self.months:
            raise ValueError("months|追回须填写多发月份（YYYY-MM）")
        return self


def items_visible(*, actor, campaign=None):
    qs = scope_filter(RectificationItem.objects.select_related("household", "person", "region", "village", "enrollment"), actor)
    return qs.filter(campaign=campaign) if campaign is not None else qs


def _lock(actor, item_id) -> RectificationItem:
    item = None
    if str(item_id).isdigit() and int(item_id) < 2**63:
        item = RectificationItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None or not in_scope(actor, item.region_id):
        raise NotFound("not_found", "整改事项不存在或不在您的管辖范围内")
    return item


def rectification_resolve(*, actor, item_id, data, now: datetime) -> RectificationItem:
    """Close an open item with its outcome (see the module docstring); audited ``rectification.resolve``."""
    if not can(actor, "selfcheck.resolve"):
        raise Forbidden("forbidden", "您的角色不能办理整改事项")
    cleaned = cast(ResolvePayload, validate(ResolvePayload, data))
    with transaction.atomic():
        item = _lock(actor, item_id)
        if item.status != RectificationItem.Status.OPEN:
            raise Conflict("rectification.closed", "该整改事项已办结，不能重复办理")
        reason = f"自查自纠“{item.campaign.name}”{item.check_label}：{cleaned.result}"[:2000]
        if cleaned.outcome in ("adjust", "stop"):
            change_data: dict = {"reason": reason, "legal_ground": cleaned.legal_ground}
            if cleaned.outcome == "adjust":
                change_data["amount"] = cleaned.amount
            item.change = enrollment_change(actor=actor, enrollment_id=item.enrollment_id, kind=cleaned.outcome,
                                            data=change_data, now=now)
        if cleaned.outcome == "recover":
            item.recovery = recovery_raise(actor=actor, now=now, data={
                "enrollment": item.enrollment_id, "reason": "death" if item.check_code == "death" else "undeclared_change",
                "months": cleaned.months, "note": reason})
        item.status, item.outcome, item.result = RectificationItem.Status.RESOLVED, cleaned.outcome, cleaned.result
        item.resolved_by, item.resolved_at, item.version = actor, now, item.version + 1
        item.save()
        audit_record(actor=actor, action="rectification.resolve", subject_type=SUBJECT, subject_id=item.pk,
                     region_code=item.region_id, at=now,
                     before={"status": "open"},
                     after={"status": item.status, "outcome": item.outcome, "campaign": item.campaign_id,
                            "check": item.check_code, "recovery": item.recovery_id, "change": item.change_id})
    return item
