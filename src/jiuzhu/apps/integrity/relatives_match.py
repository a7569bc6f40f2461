"""Matching the register of staff near relatives against the registry (applicants, household members and
enrolled persons are all registry persons with a current membership): a join of the two blind index
columns (``StaffRelative.id_number_bidx`` = ``Person.id_number_bidx``), never a plaintext comparison.

Reads: the matches of one case (the case page's banner, cached on the case instance), the county's list of
matches by township, and the guard that keeps a member of staff off a case of their own relative (R-WF-03,
registered with the case engine for every action)."""

from __future__ import annotations

from django.db.models import Q

from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions.codes import is_valid_code, subtree_range
from jiuzhu.apps.regions.scope import scope_q
from jiuzhu.apps.regions.selectors import region_names
from jiuzhu.apps.registry.models import Membership, Person
from jiuzhu.core.prepared import Prepared
from jiuzhu.rules.errors import Forbidden

from .relatives_models import RELATIONS, StaffRelative

LIMIT = 500
_STAFF = ("staff_id", "staff__display_name", "staff__username", "staff__post", "staff__role", "region_id")
LIVE_ENROLLMENT = ("active", "suspended", "graduating")


def active():
    return StaffRelative.objects.filter(removed_at__isnull=True)


def _staff_label(r: dict) -> str:
    name = r["staff__display_name"] or r["staff__username"]
    post = r["staff__post"] or (Role(r["staff__role"]).label if r["staff__role"] in Role.values else "")
    return f"{name}（{post}）" if post else name


def _entry(r: dict) -> dict:
    return {"id": r["id"], "staff_id": r["staff_id"], "staff": _staff_label(r), "name": r["name"],
            "relation": RELATIONS.get(r["relation"], r["relation"]), "masked": r["id_number_masked"],
            "staff_region": r["region_id"]}


def _relatives_of(household_id, applicant_id):
    members = Membership.objects.filter(household_id=household_id, end_date__isnull=True).values("person_id")
    people = Person.objects.filter(Q(pk__in=members) | Q(pk=applicant_id)).values("id_number_bidx")
    return (active().filter(id_number_bidx__in=people).order_by("id")
            .values("id", "name", "relation", "id_number_masked", *_STAFF))


# Read for every action listed or performed (the recusal guard): compiled once per connection.
_RELATIVES = Prepared(_relatives_of, int, int)
_RELATIVES_NO_APPLICANT = Prepared(lambda household_id: _relatives_of(household_id, None), int)


def household_relatives(*, household_id, applicant_id=None) -> list[dict]:
    """The register entries naming a current member of the household (or the applicant): one query."""
    if not str(household_id).isdigit() or (applicant_id is not None and not str(applicant_id).isdigit()):
        rows = _relatives_of(household_id, applicant_id)
    elif applicant_id is None:
        rows = _RELATIVES_NO_APPLICANT.all(int(household_id))
    else:
        rows = _RELATIVES.all(int(household_id), int(applicant_id))
    return [_entry(r) for r in rows]


def case_relatives(case) -> list[dict]:
    """``household_relatives`` of the case, read once per case instance (guards run for every action
    when the case page lists them)."""
    cached = case.__dict__.get("_staff_relatives")
    if cached is None:
        cached = case.__dict__["_staff_relatives"] = household_relatives(household_id=case.household_id,
                                                                          applicant_id=case.applicant_id)
    return cached


def has_register_match(case) -> bool:
    """Does a registered relative of staff belong to the case's household (the confirming level's home
    visit becomes mandatory, like a declared 近亲属备案)?"""
    return bool(case_relatives(case))


def not_own_relative(ctx):
    """R-WF-03: a member of staff never handles a case of their own registered near relative. Runs for
    every action of every program when an actor is known (listing, performing, submitting)."""
    actor_id = getattr(ctx.actor, "pk", None)
    if actor_id is None:
        return
    if ctx.case is not None:
        rows = case_relatives(ctx.case)
    else:
        rows = household_relatives(household_id=ctx.household.pk, applicant_id=getattr(ctx.applicant, "pk", None))
    own = next((r for r in rows if r["staff_id"] == actor_id), None)
    if own is not None:
        who = "是您本人" if own["relation"] == RELATIONS["self"] else f"是您登记的近亲属（{own['relation']}）"
        raise Forbidden("case.own_relative", f"申请家庭成员{own['name']}{who}，您应当回避，不能办理本案，"
                                             "请由其他工作人员办理")


def relative_matches(*, actor, township: str = "", limit: int = LIMIT) -> tuple[list[dict], int]:
    """(matches, total): current household members whose blind index is in the register, in the actor's
    scope (by the household's region; ``township`` narrows it), each with the staff entries naming them,
    the household's open cases (filed as 近亲属备案 or not) and whether it is enrolled. A constant number
    of queries: the join, then the entries, cases and enrollments of the page's households."""
    members = Membership.objects.filter(end_date__isnull=True,
                                        person__id_number_bidx__in=active().values("id_number_bidx"))
    members = members.filter(scope_q(actor, "household__region"))
    if is_valid_code(township):
        low, high = subtree_range(township)
        members = members.filter(household__region_id__gte=low, household__region_id__lte=high)
    total = members.count()
    rows = list(members.order_by("household__region_id", "household_id", "person_id")
                .values("person_id", "person__name", "person__id_number_masked", "person__id_number_bidx",
                        "household_id", "household__region_id", "household__head_name")[:limit])
    if not rows:
        return [], total
    bidx = {r["person__id_number_bidx"] for r in rows}
    by_bidx: dict[str, list[dict]] = {}
    for e in active().filter(id_number_bidx__in=bidx).order_by("id").values(
            "id", "name", "relation", "id_number_masked", "id_number_bidx", *_STAFF):
        by_bidx.setdefault(e["id_number_bidx"], []).append(_entry(e))
    households = {r["household_id"] for r in rows}
    cases: dict[int, list] = {}
    for c in Case.objects.filter(household_id__in=households, is_open=True).order_by("id").values(
            "id", "program", "kind", "state", "relative_flag", "household_id"):
        cases.setdefault(c["household_id"], []).append(c)
    enrolled = set(Enrollment.objects.filter(household_id__in=households, status__in=LIVE_ENROLLMENT)
                   .values_list("household_id", flat=True))
    names = region_names({r["household__region_id"] for r in rows})
    out = []
    for r in rows:
        open_cases = cases.get(r["household_id"], [])
        out.append({
            "person_id": r["person_id"], "member": r["person__name"], "masked": r["person__id_number_masked"],
            "household_id": r["household_id"], "head_name": r["household__head_name"],
            "region_id": r["household__region_id"], "region": names.get(r["household__region_id"], ""),
            "entries": by_bidx.get(r["person__id_number_bidx"], []), "cases": open_cases,
            "unfiled": [c["id"] for c in open_cases if not c["relative_flag"]],
            "enrolled": r["household_id"] in enrolled,
        })
    return out, total
