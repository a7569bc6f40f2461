"""Small read helpers the case pages need that apps/cases/selectors.py does not offer (yet).

Every function either takes a case already fetched through ``selectors.case_get`` (so the
actor's region scope was checked there) or reads only public data (region names).
"""

from __future__ import annotations

from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.models import Case, CaseAttachment, CaseRecord, Notice
from jiuzhu.apps.cases.selectors import case_get, cases_visible
from jiuzhu.apps.programs.proposal import propose
from jiuzhu.apps.regions.models import Region
from jiuzhu.rules.errors import DomainError, NotFound

TOWNSHIP, VILLAGE = 4, 5


def case_records(*, case: Case) -> list[CaseRecord]:
    """Each step's record, oldest first, with the event that wrote it (who, when)."""
    return list(case.records.select_related("event", "event__actor").order_by("id"))


def case_attachments(*, case: Case) -> list[CaseAttachment]:
    return list(case.attachments.order_by("id"))


def case_notices(*, case: Case) -> list[Notice]:
    return list(case.notices.order_by("starts_on", "id"))


def review_preview(*, case: Case, today) -> dict | None:
    """What the rules engine would propose today (shown on the initial-review form; nothing is saved)."""
    try:
        return propose(case, policy=config.region_config(case.region_id).policy, as_of=today)
    except (DomainError, ValueError, KeyError):
        return None


def attachment_get(*, actor, case_id, attachment_id) -> CaseAttachment:
    """An attachment of a case in the actor's scope (404 otherwise, like the case itself)."""
    case = case_get(actor=actor, case_id=case_id)
    att = None
    if str(attachment_id).isdigit():
        att = case.attachments.filter(pk=attachment_id).first()
    if att is None:
        raise NotFound("not_found", "材料不存在或不在您的管辖范围内")
    return att


def household_cases(*, actor, household_id: int, limit: int = 20) -> list[Case]:
    """The household's cases (newest first), within the actor's scope."""
    return list(cases_visible(actor=actor).filter(household_id=household_id)
                .select_related("applicant").order_by("-pk")[:limit])


def region_names(codes) -> dict[str, str]:
    """Names of the given region codes (township prefixes are padded to 12 digits)."""
    full = {c: c.ljust(12, "0") for c in codes}
    names = dict(Region.objects.filter(code__in=set(full.values())).values_list("code", "name"))
    return {c: names.get(code, c) for c, code in full.items()}


def public_townships() -> list[tuple[str, str]]:
    """(code, name) of every township: region names are public (for the notice page filter)."""
    return list(Region.objects.filter(level=TOWNSHIP).order_by("code").values_list("code", "name"))


def public_villages(township_code: str) -> list[tuple[str, str]]:
    if not township_code:
        return []
    prefix = township_code[:9]
    return list(Region.objects.filter(level=VILLAGE, code__startswith=prefix).order_by("code")
                .values_list("code", "name"))
