"""Case list filters (township, village, program, state, overdue, submission date range): one parser
for the list page, its xlsx export and API clients, and one selector that applies them inside the
actor's region scope. A region outside the scope is an error on its field, never a wider list."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import Q

from jiuzhu.apps.regions.codes import level_of, subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import actor_region_code, in_scope, scope_filter
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.workflow.states import PROGRAM_LABELS, STATE_LABELS

from .models import Case

TOWNSHIP, VILLAGE = 4, 5
FIELDS = ("township", "village", "program", "state", "overdue", "submitted_from", "submitted_to", "name")


@dataclass(frozen=True)
class CaseFilters:
    township: str = ""
    village: str = ""
    program: str = ""
    state: str = ""
    overdue: bool = False
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    name: str = ""

    def as_params(self) -> dict[str, str]:
        """The GET parameters that reproduce these filters (empty ones left out)."""
        out = {}
        for key, value in asdict(self).items():
            if value in ("", None, False):
                continue
            out[key] = "1" if value is True else (value.isoformat() if isinstance(value, dt.date) else str(value))
        return out


def _date(raw: str, field: str, title: str, errors: list) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append({"field": field, "message": f"{title}：日期格式应为 YYYY-MM-DD"})
        return None


def _region(actor, raw: str, field: str, level: int, title: str, errors: list) -> str:
    if not raw:
        return ""
    if (len(raw) != 12 or not raw.isdigit() or level_of(raw) != level or not in_scope(actor, raw)
            or not Region.objects.filter(code=raw, level=level).exists()):
        errors.append({"field": field, "message": f"{title}：不存在或不在您的管辖范围内"})
        return ""
    return raw


def parse_filters(actor, params) -> CaseFilters:
    """``CaseFilters`` from GET parameters; ``ValidationFailed`` listing every bad field (each named)."""
    get = lambda k: str(params.get(k, "") or "").strip()  # noqa: E731
    errors: list[dict] = []
    program, state = get("program"), get("state")
    if program and program not in PROGRAM_LABELS:
        errors.append({"field": "program", "message": f"项目：取值无效，可选：{'、'.join(PROGRAM_LABELS)}"})
    if state and state not in STATE_LABELS:
        errors.append({"field": "state", "message": "状态：取值无效"})
    township = _region(actor, get("township"), "township", TOWNSHIP, "乡镇(街道)", errors)
    village = _region(actor, get("village"), "village", VILLAGE, "村(居)", errors)
    if township and village and not village.startswith(township[:9]):
        errors.append({"field": "village", "message": "村(居)：不属于所选乡镇(街道)"})
    start = _date(get("submitted_from"), "submitted_from", "申请日期起", errors)
    end = _date(get("submitted_to"), "submitted_to", "申请日期止", errors)
    if start and end and start > end:
        errors.append({"field": "submitted_to", "message": "申请日期止：不能早于申请日期起"})
    overdue = get("overdue")
    if overdue not in ("", "1", "on", "true"):
        errors.append({"field": "overdue", "message": "仅看逾期：取值无效"})
    if errors:
        raise ValidationFailed("case_filters.invalid", errors[0]["message"], field=errors[0]["field"], errors=errors)
    return CaseFilters(township=township, village=village, program=program, state=state, overdue=bool(overdue),
                       submitted_from=start, submitted_to=end, name=get("name")[:50])


def cases_filtered(*, actor, filters: CaseFilters):
    """Cases in the actor's scope matching ``filters``, newest first (a queryset: page or stream it)."""
    qs = scope_filter(Case.objects.all(), actor)
    region = filters.village or filters.township
    if region:
        low, high = subtree_range(region)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if filters.program:
        qs = qs.filter(program=filters.program)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.overdue:
        qs = qs.filter(overdue=True)
    if filters.submitted_from:
        qs = qs.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        qs = qs.filter(submitted_at__date__lte=filters.submitted_to)
    if filters.name:
        qs = qs.filter(applicant__name__startswith=filters.name)
    return qs.select_related("applicant", "region").order_by("-pk")


def filter_regions(*, actor, township: str = "") -> dict[str, list[tuple[str, str]]]:
    """(code, name) of the townships in the actor's scope and of the villages of ``township`` (or of the
    actor's own township): the choices of the filter form."""
    code = actor_region_code(actor)
    if not code or not getattr(actor, "is_active", False):
        return {"townships": [], "villages": []}
    low, high = subtree_range(code)
    in_range = Q(code__gte=low, code__lte=high)
    townships = list(Region.objects.filter(in_range, level=TOWNSHIP).order_by("code").values_list("code", "name"))
    base = township or (code if level_of(code) >= TOWNSHIP else "")
    villages: list[tuple[str, str]] = []
    if base:
        v_low, v_high = subtree_range(base)
        villages = list(Region.objects.filter(in_range, code__gte=v_low, code__lte=v_high, level=VILLAGE)
                        .order_by("code").values_list("code", "name"))
    return {"townships": townships, "villages": villages}
