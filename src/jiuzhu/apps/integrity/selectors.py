"""Reads of 失信 records, region scope through the actor."""

from __future__ import annotations

from datetime import date

from jiuzhu.apps.regions.scope import scope_filter
from jiuzhu.apps.registry.models import Membership
from jiuzhu.rules.errors import NotFound

from .models import CreditRecord

ACTIVE = (CreditRecord.Status.PROPOSED, CreditRecord.Status.LISTED)


def records_visible(*, actor, status: str = ""):
    qs = scope_filter(CreditRecord.objects.select_related("person", "region", "proposed_by", "decided_by"), actor)
    if status in CreditRecord.Status.values:
        qs = qs.filter(status=status)
    return qs


def record_get(*, actor, record_id) -> CreditRecord:
    record = None
    if str(record_id).isdigit() and int(record_id) < 2**63:
        record = records_visible(actor=actor).filter(pk=record_id).first()
    if record is None:
        raise NotFound("not_found", "失信记录不存在或不在您的管辖范围内")
    return record


def household_records(*, household_id: int, today: date) -> list[CreditRecord]:
    """Proposed or listed records of the household's current members (the caseworker's banner on a case).
    A listed record whose period has ended still shows until it is removed."""
    people = Membership.objects.filter(household_id=household_id, end_date__isnull=True).values("person_id")
    return list(CreditRecord.objects.filter(person_id__in=people, status__in=ACTIVE)
                .select_related("person").order_by("person_id", "-id"))


def case_pledge(case) -> bool:
    """Whether the applicant signed the 守信承诺书 (at submit or with a later 一证一书 record)."""
    return any(bool((data or {}).get("integrity_pledge")) for data in
               case.records.filter(kind__in=("intake", "id_authorization")).values_list("data", flat=True))
