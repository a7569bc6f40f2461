"""Helpers of the standard-adjustment and ledger tests: households in the demo county with declared
incomes, enrolled at the amount the single-case engine gives under the county policy (淳安县: 分档, 角,
standard 1301 since 2025-01-23). Fixtures here are imported by the test modules that use them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.rules.evaluate import evaluate_facts, result_dict
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.parse import parse_facts
from tests.conftest import AS_OF, COUNTY, PASSWORD, TOWNSHIP_A, VILLAGE_A, VILLAGE_B  # noqa: F401 — re-exported to test_standard

POLICY = "330127000000"
START = date(2026, 7, 1)  # the new standard's start
OLD_DAY = date(2026, 6, 30)


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def requests_from_db(household_ids=None, *, as_of: date, program: str = "dibao") -> dict[int, dict]:
    """§6 requests built from the registry with the ORM (independent of the columnar snapshot)."""
    qs = Household.objects.all() if household_ids is None else Household.objects.filter(pk__in=household_ids)
    out = {}
    for hh in qs.values("id", "area_type", "financial_assets", "vehicle_count", "max_vehicle_value",
                        "residential_properties", "business_capital"):
        out[hh["id"]] = {
            "program": program, "as_of": as_of.isoformat(), "area_type": hh["area_type"], "members": [],
            "assets": {"financial": _money(hh["financial_assets"]),
                       "vehicles": [{"kind": "car", "value": _money(hh["max_vehicle_value"] if i == 0 else 0)}
                                    for i in range(hh["vehicle_count"])],
                       "residential_properties": hh["residential_properties"],
                       "business_registered_capital": _money(hh["business_capital"])}}
    members = (Membership.objects.filter(household_id__in=list(out), end_date__isnull=True, co_resident=True)
               .order_by("household_id", "id").values("household_id", "person__id", "person__birth_date",
                                                      "person__wage", "person__business", "person__property_income",
                                                      "person__transfer", "person__disability_kind",
                                                      "person__disability_grade", "person__health"))
    for m in members:
        kind, grade = m["person__disability_kind"], m["person__disability_grade"]
        out[m["household_id"]]["members"].append({
            "id": str(m["person__id"]), "birth_date": m["person__birth_date"].isoformat(),
            "disability": {"kind": kind, "grade": grade} if kind != "none" and grade else None,
            "serious_illness": m["person__health"] == "serious",
            "income": {"wage": _money(m["person__wage"]), "business": _money(m["person__business"]),
                       "property": _money(m["person__property_income"]), "transfer": _money(m["person__transfer"])},
        })
    return out


def single_case(request: dict, policy) -> dict:
    policy = load_policy(policy) if isinstance(policy, str) else policy
    return result_dict(evaluate_facts(parse_facts(request), policy))


def set_incomes(hh: Household, *incomes) -> None:
    """Monthly transfer income (yuan) of each member in membership order."""
    persons = [m.person_id for m in Membership.objects.filter(household=hh).order_by("id")]
    for pid, income in zip(persons, incomes):
        Person.objects.filter(pk=pid).update(transfer=Decimal(income), wage=0, business=0, property_income=0)


def enroll(hh: Household, *, amount=None, klass=None, program="dibao", person=None, status="active",
           as_of=OLD_DAY) -> Enrollment:
    """Enroll at the given amount, or at the single-case amount and class on ``as_of`` (county policy)."""
    if amount is None:
        out = single_case(requests_from_db([hh.pk], as_of=as_of)[hh.pk], POLICY)
        amount, klass = Decimal(out["monthly_amount"]), out["class"] or ""
    return Enrollment.objects.create(
        program=program, household=hh, person=person, region_id=hh.region_id, klass=klass or "",
        amount=Decimal(amount), persons=1 if person else hh.member_count, start_month=date(2026, 1, 1),
        status=status, decided_on=date(2025, 12, 20))


def make_user(username, role, region):
    user = User(username=username, role=role, region_id=region, display_name=username)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def county_checker(regions):
    """A second 县民政 user: the checker of a change the first one proposed."""
    return make_user("county_checker", Role.COUNTY, COUNTY)


@pytest.fixture
def hh_factory(caseworker, household_data):
    from jiuzhu.apps.registry.services import household_create

    def build(region=VILLAGE_A, incomes=(0, 0), area_type="rural", members=None, **overrides):
        data = household_data(region=region, area_type=area_type, **overrides)
        if members is not None:
            data["members"] = members
        actor = caseworker
        if not region.startswith(TOWNSHIP_A[:9]):
            actor = User.objects.filter(role=Role.COUNTY).first() or make_user("county_any", Role.COUNTY, COUNTY)
        hh = household_create(actor=actor, data=data, as_of=AS_OF)
        set_incomes(hh, *incomes)
        return hh

    return build


def by_household(rows: list[dict]) -> dict:
    out = defaultdict(list)
    for r in rows:
        out[r["household_id"]].append(r)
    return out
