"""The case list with the filters of the case-list page and the API (township, village, program,
state, overdue, submission date range, applicant name), region-scoped, newest first, keyset-paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from jiuzhu.apps.regions.codes import level_of, subtree_range
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.rules.errors import NotFound

from .models import Case


@dataclass(frozen=True)
class CaseFilter:
    township: str = ""  # 12-digit code of a township (乡镇) in the actor's scope
    village: str = ""  # 12-digit code of a village (村居) in the actor's scope
    program: str = ""
    state: str = ""
    kind: str = ""
    overdue: bool | None = None
    submitted_from: date | None = None  # inclusive, Beijing date
    submitted_to: date | None = None  # inclusive, Beijing date
    applicant_name: str = ""  # prefix


def _narrow(qs, actor, code: str, *, level: int, field: str, label: str):
    """Only ``code``'s subtree. A code of another level or outside the actor's scope is "not found" (404),
    never an empty page that would tell whether the region exists."""
    if level_of(code) != level or not in_scope(actor, code):
        raise NotFound("region.not_found", f"{label}“{code}”不存在或不在您的管辖范围内", field=field)
    low, high = subtree_range(code)
    return qs.filter(region_id__gte=low, region_id__lte=high)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def cases_filtered(*, actor, filters: CaseFilter, after: int | None = None, limit: int = 50) -> list[Case]:
    """Newest first (``id`` descending); ``after`` is the last id of the previous page."""
    qs = scope_filter(Case.objects.all(), actor)
    if filters.township:
        qs = _narrow(qs, actor, filters.township, level=4, field="township", label="乡镇(街道)")
    if filters.village:
        qs = _narrow(qs, actor, filters.village, level=5, field="village", label="村(居)")
    if filters.program:
        qs = qs.filter(program=filters.program)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.overdue is not None:
        qs = qs.filter(overdue=filters.overdue)
    if filters.submitted_from:
        qs = qs.filter(submitted_at__gte=_start_of(filters.submitted_from))
    if filters.submitted_to:
        qs = qs.filter(submitted_at__lt=_start_of(filters.submitted_to + timedelta(days=1)))
    if filters.applicant_name:
        qs = qs.filter(applicant__name__startswith=filters.applicant_name)
    if after:
        qs = qs.filter(pk__lt=after)
    return list(qs.select_related("applicant", "region").order_by("-pk")[:limit])
