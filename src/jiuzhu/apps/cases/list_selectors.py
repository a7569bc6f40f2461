"""The API's case list: the filters of the case-list page (``case_filters``: township, village, program,
state, overdue, submission date range, applicant name) plus what API clients page by — keyset paging,
"not overdue" and the case kind. A township or village outside the actor's region is "not found" (404)
on its field, never a wider or an empty list that would tell whether it exists."""

from __future__ import annotations

from dataclasses import replace

from jiuzhu.apps.regions.codes import level_of
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.regions.selectors import region_get
from jiuzhu.rules.errors import NotFound

from .case_filters import TOWNSHIP, VILLAGE, CaseFilters, cases_filtered
from .models import Case


def _check_region(actor, code: str, *, level: int, field: str, label: str) -> None:
    if code and (level_of(code) != level or not in_scope(actor, code) or region_get(code) is None):
        raise NotFound("region.not_found", f"{label}“{code}”不存在或不在您的管辖范围内", field=field)


def cases_page(*, actor, filters: CaseFilters, overdue: bool | None = None, kind: str = "",
               after: int | None = None, limit: int = 50) -> list[Case]:
    """Newest first (``id`` descending); ``after`` is the last id of the previous page. ``overdue``: True only
    overdue cases, False only those not overdue, None both."""
    _check_region(actor, filters.township, level=TOWNSHIP, field="township", label="乡镇(街道)")
    _check_region(actor, filters.village, level=VILLAGE, field="village", label="村(居)")
    qs = cases_filtered(actor=actor, filters=replace(filters, overdue=overdue is True))
    if overdue is False:
        qs = qs.filter(overdue=False)
    if kind:
        qs = qs.filter(kind=kind)
    if after:
        qs = qs.filter(pk__lt=after)
    return list(qs[:limit])
