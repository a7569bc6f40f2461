"""Reads, scoped through the actor: the tekun persons with their care profile, the visit schedule
and overdue list (set-based: one query with the last visit as a subquery), visit completion by month
and township, and the counts by capacity, guardian class, placement and care class."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db.models import Case, Count, DateField, ExpressionWrapper, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Substr

from jiuzhu.apps.cases.config import region_config, region_configs
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import scope_q
from jiuzhu.rules.care import visit_interval
from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.params import load_policy

from .models import Assessment, Guardianship, Visit

INTERVAL_KEY = "care.visit_interval_days"


def _policy_interval(policy_name: str, as_of: date) -> int:
    try:
        return visit_interval(int(load_policy(policy_name).lookup(INTERVAL_KEY, as_of)))
    except DomainError:
        return visit_interval(None)


def interval_days(region_code: str, as_of: date) -> int:
    """The region's visit interval (R-GRD-05, at least monthly); the seed's 30 days without one."""
    return _policy_interval(region_config(region_code).policy, as_of)


def intervals(region_codes, as_of: date) -> dict[str, int]:
    """``interval_days`` for many regions: one settings query, one lookup per policy."""
    by_policy: dict[str, int] = {}
    out = {}
    for code, cfg in region_configs(region_codes).items():
        if cfg.policy not in by_policy:
            by_policy[cfg.policy] = _policy_interval(cfg.policy, as_of)
        out[code] = by_policy[cfg.policy]
    return out


def persons(actor, *, live: bool = True):
    """The actor's tekun persons (one enrollment per person), with the profile fields."""
    qs = Enrollment.objects.filter(scope_q(actor), program="tekun", person__isnull=False)
    if live:
        qs = qs.filter(status__in=Enrollment.LIVE)
    return qs.select_related("person", "care").order_by("region_id", "id")


def dispersed(actor):
    """Live tekun persons supported at home (no profile yet: dispersed, the default placement)."""
    return persons(actor).filter(Q(care__isnull=True) | Q(care__placement="dispersed"))


def with_due(qs, today: date):
    """Annotate ``last_visit`` and ``due`` (last visit, or the first month, + the region's interval).
    The interval is a region parameter: one CASE over the few distinct intervals in the scope."""
    last = Visit.objects.filter(profile_id=OuterRef("care__id")).order_by("-visited_on").values("visited_on")[:1]
    qs = qs.annotate(last_visit=Subquery(last, output_field=DateField()))
    regions = qs.values_list("region_id", flat=True).distinct().order_by()
    by_interval: dict[int, list[str]] = defaultdict(list)
    for code, days in intervals(list(regions), today).items():
        by_interval[days].append(code)
    interval: Value | Case
    if len(by_interval) <= 1:
        days = next(iter(by_interval), visit_interval(None))
        interval = Value(timedelta(days=days))
    else:
        interval = Case(*[When(region_id__in=codes, then=Value(timedelta(days=d))) for d, codes in by_interval.items()])
    due = ExpressionWrapper(Coalesce("last_visit", "start_month") + interval, output_field=DateField())
    return qs.annotate(due=Cast(due, DateField()))  # PostgreSQL: date + interval is a timestamp


def overdue(actor, today: date):
    """Dispersed persons whose visit is past due (未按期探访), oldest first."""
    return with_due(dispersed(actor), today).filter(due__lt=today).order_by("due", "id")


def schedule(actor, today: date):
    """Next month's visit schedule: every dispersed person with the date their visit falls due,
    brought into next month when already due (an overdue visit is still to be made)."""
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return with_due(dispersed(actor), today).filter(due__lte=last).order_by("due", "id"), first, last


def schedule_rows(actor, today: date) -> tuple[list[tuple], list[tuple], date, date]:
    """Next month's schedule and the overdue list as (enrollment id, name, village, due) rows, from
    one set-based query (the overdue persons are part of the schedule: due before today)."""
    _qs, first, last = schedule(actor, today)
    every = with_due(dispersed(actor), today).order_by("due", "id").values_list("pk", "person__name", "region_id", "due")
    rows = [r for r in every if r[3] <= last]  # filtered here: in SQL the last-visit subquery would run twice
    return rows, [r for r in rows if r[3] < today], first, last


def township_of(code: str) -> str:
    return code[:9] + "000"


def completion(actor, months: list[date]) -> list[dict]:
    """Per month and township: dispersed persons enrolled that month, those visited in it, the rate."""
    rows = []
    base = Enrollment.objects.filter(scope_q(actor), program="tekun", person__isnull=False).filter(
        Q(care__isnull=True) | Q(care__placement="dispersed"))
    names = dict(Region.objects.filter(scope_q(actor, "code"), level=4).values_list("code", "name"))
    for month in months:
        end = (month + timedelta(days=32)).replace(day=1)
        enrolled = base.filter(start_month__lt=end).filter(Q(stopped_month__isnull=True) | Q(stopped_month__gt=month))
        due = Counter(dict(enrolled.annotate(t=Substr("region_id", 1, 9)).values("t").annotate(n=Count("id"))
                           .values_list("t", "n")))
        done = Counter(dict(enrolled.filter(care__visits__visited_on__gte=month, care__visits__visited_on__lt=end)
                            .annotate(t=Substr("region_id", 1, 9)).values("t").annotate(n=Count("id", distinct=True))
                            .values_list("t", "n")))
        for t in sorted(due):
            code = t + "000"
            rows.append({"month": month, "township": code, "name": names.get(code, code), "due": due[t],
                         "done": done.get(t, 0)})
    return rows


def counts(actor) -> dict:
    """Persons by capacity, guardian class, placement and care class (live tekun persons in scope)."""
    qs = persons(actor)
    total = qs.count()

    def by(field: str) -> dict:
        return dict(qs.values_list(field).annotate(n=Count("id")).order_by().values_list(field, "n"))

    guardians = dict(Guardianship.objects.filter(profile__enrollment__in=qs, ended_on__isnull=True, temporary=False)
                     .values_list("guardian_class").annotate(n=Count("id")).order_by()
                     .values_list("guardian_class", "n"))
    return {"total": total, "capacity": by("care__capacity"), "placement": by("care__placement"),
            "care_class": by("care__care_class"), "guardian_class": guardians}


def visits_of(profile):
    if profile.pk is None:  # no profile recorded yet (a read creates none)
        return Visit.objects.none()
    return profile.visits.order_by("-visited_on", "-id").prefetch_related("photos")


def caregiver_flagged(profile) -> bool:
    """The caregiver failed twice (issue 16 §5): the last two visits both found a problem in their care."""
    if profile.pk is None:
        return False
    last_two = list(profile.visits.order_by("-visited_on", "-id").values_list("findings", flat=True)[:2])
    return len(last_two) == 2 and all((f or {}).get("caregiver") == "problem" for f in last_two)


def guardians_of(profile):
    if profile.pk is None:
        return Guardianship.objects.none()
    return profile.guardianships.order_by("-ended_on", "-start", "-id")


def assessments_of(profile):
    if profile.pk is None:
        return Assessment.objects.none()
    return profile.assessments.order_by("-assessed_on", "-id").select_related("change")
