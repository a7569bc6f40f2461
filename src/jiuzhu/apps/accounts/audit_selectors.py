"""Audit log reads, filtered to the actor's region subtree (here, not in the audit app: the audit
log is the lowest app and knows nothing of roles or regions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.regions.scope import scope_q

from .roles import can

PAGE_SIZE = 50


@dataclass
class EventPage:
    items: list
    next_before: int | None


def audit_events_visible(*, actor):
    if not can(actor, "audit.read"):
        return AuditEvent.objects.none()
    q = scope_q(actor, "region_code")
    if can(actor, "audit.read_unregioned"):
        q |= Q(region_code="")  # events without a region (logins, lock-outs, system jobs)
    return AuditEvent.objects.filter(q)


def audit_events_page(*, actor, action: str = "", before: int | None = None, limit: int = PAGE_SIZE) -> EventPage:
    """Newest first, keyset by ``id < before``; ``action`` matches exactly or as a prefix (``household.``)."""
    qs = audit_events_visible(actor=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if before:
        qs = qs.filter(id__lt=before)
    rows = list(qs.order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return EventPage(items=rows, next_before=rows[-1].id if more and rows else None)


def subject_events(*, actor, subject_type: str, subject_id, after: int | None = None,
                   limit: int = PAGE_SIZE) -> tuple[list, int | None]:
    """One record's audit events (``subject_type``, ``subject_id``), oldest first, keyset by ``id > after``;
    the actor's permission and region scope apply as in ``audit_events_visible``."""
    qs = audit_events_visible(actor=actor).filter(subject_type=subject_type, subject_id=str(subject_id))
    if after:
        qs = qs.filter(id__gt=after)
    rows = list(qs.order_by("id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)
