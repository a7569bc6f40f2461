"""The register of staff near relatives (近亲属备案, R-HH-09 / R-WF-03): a member of staff declares a relative,
the declarer or the county withdraws an entry; reads of the register in the actor's scope. Matching against
the registry is in ``relatives_match``; the county's xlsx import in ``relatives_import``."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import Field

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.codes import is_valid_code, subtree_range
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.apps.registry import pii
from jiuzhu.core.validation import validate
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .payloads import Payload
from .relatives_models import RELATIONS, StaffRelative

SUBJECT = "staff_relative"
NAME_MAX = 50


class DeclarePayload(Payload):
    name: str = Field(title="近亲属姓名", min_length=1, max_length=NAME_MAX)
    relation: str = Field(title="关系", min_length=1, max_length=16)
    id_number: str = Field(title="身份证号", min_length=1, max_length=18)


def check_relation(value: str, *, field: str = "relation") -> str:
    if value not in RELATIONS:
        raise ValidationFailed("relative.relation", f"关系只能是：{'、'.join(RELATIONS.values())}", field=field)
    return value


def check_name(value: str, *, field: str = "name") -> str:
    if any(c < " " for c in value) or any("\ud800" <= c <= "\udfff" for c in value):
        raise ValidationFailed("relative.name", "近亲属姓名含有控制字符或无效字符", field=field)
    return value


def snapshot(r: StaffRelative) -> dict:
    """What an audit event keeps: no plaintext ID number, the name masked."""
    return {"staff": r.staff_id, "name": pii.mask_name(r.name), "relation": r.relation,
            "id_number": r.id_number_masked, "source": r.source}


def relative_declare(*, actor, data: dict, now: datetime) -> StaffRelative:
    """A member of staff registers one of their own near relatives (sealed ID number, audited)."""
    if not can(actor, "relatives.declare") or not getattr(actor, "region_id", None):
        raise Forbidden("relative.role", "您的角色不能登记近亲属（须为村(居)、乡镇或县级工作人员）")
    cleaned = cast(DeclarePayload, validate(DeclarePayload, data, code="relative.invalid"))
    check_relation(cleaned.relation)
    name = check_name(cleaned.name)
    today = timezone.localtime(now).date()
    number = idcard.parse(cleaned.id_number, field="id_number", as_of=today).value
    enc, bidx, masked = pii.seal(number, purpose="id_number")
    try:
        with transaction.atomic():
            if StaffRelative.objects.filter(staff_id=actor.pk, id_number_bidx=bidx, removed_at__isnull=True).exists():
                raise Conflict("relative.duplicate", "您已登记过此身份证号的近亲属", field="id_number")
            row = StaffRelative.objects.create(
                staff=actor, region_id=actor.region_id, name=name, relation=cleaned.relation, id_number_enc=enc,
                id_number_bidx=bidx, id_number_masked=masked, source=StaffRelative.Source.DECLARED, created_by=actor,
                created_at=now)
            audit_record(actor=actor, action="relative.declare", subject_type=SUBJECT, subject_id=row.pk,
                         region_code=row.region_id, after=snapshot(row), at=now)
    except IntegrityError:  # a concurrent declaration of the same relative
        raise Conflict("relative.duplicate", "您已登记过此身份证号的近亲属", field="id_number") from None
    return row


def relative_remove(*, actor, relative_id, now: datetime, reason: str = "") -> StaffRelative:
    """Withdraw an entry: the member of staff their own, the county (``relatives.import``) any in scope."""
    with transaction.atomic():
        row = None
        if str(relative_id).isdigit() and int(relative_id) < 2**63:
            row = StaffRelative.objects.select_for_update().filter(pk=relative_id).first()
        own = row is not None and row.staff_id == getattr(actor, "pk", None)
        if row is None or not (own or (can(actor, "relatives.import") and in_scope(actor, row.region_id))):
            raise NotFound("not_found", "近亲属登记不存在或不在您的管辖范围内")
        if row.removed_at is not None:
            raise Conflict("relative.removed", "该登记已撤销")
        before = snapshot(row)
        row.removed_at, row.removed_by = now, actor
        row.save(update_fields=["removed_at", "removed_by"])
        audit_record(actor=actor, action="relative.remove", subject_type=SUBJECT, subject_id=row.pk,
                     region_code=row.region_id, before=before, after={"removed": True},
                     details={"reason": reason[:200]} if reason else None, at=now)
    return row


def relatives_visible(*, actor, township: str = ""):
    """Active entries the actor may see: with ``relatives.read`` the staff of their region subtree
    (``township`` narrows it), otherwise only their own."""
    qs = StaffRelative.objects.filter(removed_at__isnull=True).select_related("staff", "region")
    if can(actor, "relatives.read"):
        qs = scope_filter(qs, actor)
        if is_valid_code(township):
            low, high = subtree_range(township)
            qs = qs.filter(region_id__gte=low, region_id__lte=high)
        return qs.order_by("region_id", "staff_id", "id")
    return qs.filter(staff_id=getattr(actor, "pk", None)).order_by("id")
