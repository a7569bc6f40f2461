"""The demo county's register of staff near relatives (issue 15 §4), so its pages show data: the village
assistant and the township caseworker each register a relative who receives nothing, and the county's
payroll checker (钱审核, who handles no case) two who are members of demo households — one enrolled, one
in a household with an open application — so the match list and a case banner show."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.integrity import relatives
from jiuzhu.apps.integrity.relatives_models import StaffRelative
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Membership, Person
from jiuzhu.rules import idcard

from .demo import DEMO_COUNTY

UNRELATED = (("village", "王秀兰", "parent", date(1956, 4, 12)), ("township", "李建华", "sibling", date(1979, 8, 3)))


def _fresh_id(born: date, start: int) -> str:
    """A valid ID number nobody in the registry has."""
    for seq in range(start, start + 500):
        number = idcard.make("330127", born, seq)
        if not Person.objects.filter(id_number_bidx=pii.id_number_index(number)).exists():
            return number
    raise RuntimeError("no free demo ID number")


def _member(household_id) -> Person | None:
    person_id = (Membership.objects.filter(household_id=household_id, end_date__isnull=True)
                 .order_by("-person_id").values_list("person_id", flat=True).first())
    return Person.objects.filter(pk=person_id).first() if person_id else None


def demo_relatives_load(*, at: datetime | None = None) -> bool:
    """False when already loaded or when the demo users are missing."""
    now = at or timezone.now()
    if StaffRelative.objects.exists():
        return False
    users = {u.username: u for u in User.objects.filter(username__in=["village", "township", "county_checker"])}
    if len(users) < 3:
        return False
    for i, (username, name, relation, born) in enumerate(UNRELATED):
        relatives.relative_declare(actor=users[username], now=now, data={
            "name": name, "relation": relation, "id_number": _fresh_id(born, 101 + 100 * i)})
    low, high = subtree_range(DEMO_COUNTY)
    open_cases = Case.objects.filter(is_open=True).values("household_id")
    enrolled = (Enrollment.objects.filter(region_id__gte=low, region_id__lte=high, status="active")
                .exclude(household_id__in=open_cases).order_by("id").values_list("household_id", flat=True).first())
    applying = (Case.objects.filter(is_open=True, kind="application", region_id__gte=low, region_id__lte=high)
                .order_by("-id").values_list("household_id", flat=True).first())
    for household_id, relation in ((enrolled, "sibling"), (applying, "child")):
        person = _member(household_id) if household_id else None
        if person is not None:
            relatives.relative_declare(actor=users["county_checker"], now=now, data={
                "name": person.name, "relation": relation,
                "id_number": pii.open_(person.id_number_enc, purpose="id_number")})
    return True
