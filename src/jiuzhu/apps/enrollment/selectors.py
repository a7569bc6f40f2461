"""Reads for enrollments, always through the actor's region scope (regions/scope.py), and what
applies in a given month (for payroll and the payment history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.rules.errors import NotFound
from jiuzhu.rules.workflow.enrollment import CHANGE_ROLES, TRANSITIONS

from .models import Enrollment, EnrollmentChange

DUE_SOON_DAYS = 30  # "due" lists show rechecks due within this many days
PAYABLE = ("active", "graduating")


def enrollments_visible(*, actor):
    return scope_filter(Enrollment.objects.all(), actor)


def enrollment_get(*, actor, enrollment_id) -> Enrollment:
    e = None
    if str(enrollment_id).isdigit() and int(enrollment_id) < 2**63:
        e = (Enrollment.objects.select_related("household", "person", "region", "case")
             .filter(pk=enrollment_id).first())
    if e is None or not in_scope(actor, e.region_id):
        raise NotFound("not_found", "在保记录不存在或不在您的管辖范围内")
    return e


def _open_recheck():
    return Exists(Case.objects.filter(enrollment=OuterRef("pk"), kind="recheck", is_open=True))


def enrollments_search(*, actor, today: date, program: str = "", status: str = "", klass: str = "", name: str = "",
                       recheck: str = "", region: str = "", month: date | None = None, limit: int = 50,
                       after: int | None = None) -> list[Enrollment]:
    """Newest first, keyset-paged by id (``after`` = the last id of the previous page).
    ``recheck``: ``due`` (recheck date within 30 days, or passed) or ``overdue`` (passed).
    ``region``: only that region's subtree (within the actor's scope). ``month``: enrolled in that
    month (started on or before it and not stopped before it; see ``enrollment_terms`` for the
    terms in force)."""
    qs = enrollments_visible(actor=actor)
    if region:
        low, high = subtree_range(region)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if month is not None:
        month = month.replace(day=1)
        qs = qs.filter(start_month__lte=month).filter(Q(stopped_month__isnull=True) | Q(stopped_month__gt=month))
    if program:
        qs = qs.filter(program=program)
    if status:
        qs = qs.filter(status=status)
    if klass:
        qs = qs.filter(klass=klass)
    if name:
        qs = qs.filter(household__head_name__startswith=name)
    if recheck in ("due", "overdue"):
        limit_day = today + timedelta(days=DUE_SOON_DAYS) if recheck == "due" else today - timedelta(days=1)
        qs = qs.filter(status__in=Enrollment.LIVE, next_recheck__lte=limit_day)
    if after:
        qs = qs.filter(pk__lt=after)
    return list(qs.select_related("household", "region", "person").annotate(recheck_open=_open_recheck())
                .order_by("-pk")[:limit])


def rechecks_due(*, actor, today: date, within_days: int = DUE_SOON_DAYS, limit: int = 200) -> dict:
    """The due and overdue lists: live enrollments whose recheck date falls within ``within_days``
    with no recheck case yet, and open recheck cases past their deadline."""
    waiting = (enrollments_visible(actor=actor)
               .filter(status__in=Enrollment.LIVE, next_recheck__lte=today + timedelta(days=within_days))
               .exclude(_open_recheck()).select_related("household", "region").order_by("next_recheck", "id"))
    late = (scope_filter(Case.objects.filter(kind="recheck", is_open=True, next_due__lt=today), actor)
            .select_related("applicant", "region").order_by("next_due", "id"))
    return {"waiting": list(waiting[:limit]), "overdue_cases": list(late[:limit])}


def enrollment_changes(*, enrollment: Enrollment) -> list[EnrollmentChange]:
    return list(enrollment.changes.select_related("actor").order_by("-at", "-id"))


def change_get(*, actor, change_id) -> EnrollmentChange:
    change = None
    if str(change_id).isdigit() and int(change_id) < 2**63:
        change = (EnrollmentChange.objects.select_related("enrollment", "enrollment__household", "enrollment__region")
                  .filter(pk=change_id).first())
    if change is None or not in_scope(actor, change.enrollment.region_id):
        raise NotFound("not_found", "变更记录不存在或不在您的管辖范围内")
    return change


def enrollment_open_recheck(*, enrollment: Enrollment) -> Case | None:
    return Case.objects.filter(enrollment=enrollment, kind="recheck", is_open=True).first()


def allowed_changes(*, actor, enrollment: Enrollment) -> list[str]:
    """The change kinds this actor may make now (role, region, current status): the detail page's buttons."""
    if getattr(actor, "role", None) not in CHANGE_ROLES or not in_scope(actor, enrollment.region_id):
        return []
    return [kind for kind, t in TRANSITIONS.items() if enrollment.status in t.from_statuses
            and not (kind == "graduate" and enrollment.program != "dibao")]


@dataclass(frozen=True)
class MonthTerms:
    status: str
    amount: Decimal
    klass: str
    payable: bool


def _terms(e: Enrollment, later: list, month: date) -> MonthTerms:
    """``later`` = the enrollment's changes effective after ``month``, earliest first: the first one's
    old values are what applied in ``month``. The same rule, columnar, pays the payroll
    (``batch.payroll.in_force`` and ``payable``; a parity test keeps them equal)."""
    if later:
        first = later[0]
        status, amount, klass = first.old_status, first.old_amount, first.old_class
    else:
        status, amount, klass = e.status, e.amount, e.klass
    payable = (status in PAYABLE and e.start_month <= month and amount > 0
               and (status == "active" or (e.graduating_until is not None and e.graduating_until >= month))
               and (e.stopped_month is None or month < e.stopped_month))
    return MonthTerms(status, amount, klass, payable)


def terms_for_month(enrollment: Enrollment, month: date) -> MonthTerms:
    """Status, amount and class in force in ``month`` (a change decided in May applies from June,
    so a May payroll made after the decision still pays May's terms)."""
    month = month.replace(day=1)
    later = list(enrollment.changes.filter(effective_month__gt=month).order_by("effective_month", "id")
                 .only("old_status", "old_amount", "old_class"))
    return _terms(enrollment, later, month)


def enrollment_terms(*, month: date, enrollments) -> dict[int, MonthTerms]:
    """``terms_for_month`` for many enrollments with one extra query (payroll)."""
    month = month.replace(day=1)
    rows = list(enrollments)
    later: dict[int, list] = {}
    for ch in (EnrollmentChange.objects.filter(enrollment_id__in=[e.pk for e in rows], effective_month__gt=month)
               .order_by("enrollment_id", "effective_month", "id").only("enrollment_id", "old_status", "old_amount",
                                                                        "old_class")):
        later.setdefault(ch.enrollment_id, []).append(ch)
    return {e.pk: _terms(e, later.get(e.pk, []), month) for e in rows}
