"""Payroll fixtures: personas and a small payroll world in the demo county.

制单人 ``maker`` (县民政 赵) prepares, 审核人 ``checker`` (another 县民政) approves; ``caseworker`` is
township A's 经办人 (reads only); ``outsider`` is township B's 经办人. Households are created
directly with sealed bank accounts (the payroll reads them; the registry services are tested elsewhere).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Household, Person
from tests.conftest import COUNTY, PASSWORD, VILLAGE_A, VILLAGE_A2, VILLAGE_B, make_id

MONTH = date(2026, 12, 1)
NEXT = date(2027, 1, 1)
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=TZ)
LATER = datetime(2027, 1, 3, 9, 30, tzinfo=TZ)

_accounts = iter(range(10**6))


def new_account() -> str:
    return f"6228480{next(_accounts):012d}"


def user(username, role, region, name=""):
    u = User(username=username, role=role, region_id=region, display_name=name or username)
    u.set_password(PASSWORD)
    u.save()
    return u


def make_household(region=VILLAGE_A, *, head="张建国", account: str | None = "auto", bank_name="中国农业银行淳安支行",
                   members=2) -> Household:
    account = new_account() if account == "auto" else account
    enc, _, masked = pii.seal(account, purpose="bank_account") if account else ("", "", "")
    return Household.objects.create(region_id=region, residence_region_id=region, area_type="rural", head_name=head,
                                    member_count=members, bank_account_enc=enc, bank_account_masked=masked,
                                    bank_name=bank_name if account else "")


def make_person(name="李秀英", region=VILLAGE_A) -> Person:
    number = make_id()
    enc, bidx, masked = pii.seal(number, purpose="id_number")
    return Person.objects.create(name=name, id_number_enc=enc, id_number_bidx=pii.id_number_index(number),
                                 id_number_masked=masked, birth_date=date(1950, 1, 1), sex="F", hukou_region_id=region)


def enroll(household, *, program="dibao", amount="650.00", klass="A", persons=2, start=date(2026, 1, 1),
           status="active", graduating_until=None, stopped_month=None, person=None) -> Enrollment:
    return Enrollment.objects.create(
        program=program, household=household, person=person, region_id=household.region_id, klass=klass,
        amount=Decimal(amount), persons=persons, start_month=start, status=status,
        graduating_until=graduating_until, stopped_month=stopped_month, decided_on=date(2025, 12, 20))


@pytest.fixture
def maker(regions):
    return user("county_maker", Role.COUNTY, COUNTY, "赵制单")


@pytest.fixture
def checker(regions):
    return user("county_checker", Role.COUNTY, COUNTY, "钱审核")


@pytest.fixture
def world(regions, maker, checker, caseworker, outsider):
    """Three households in township A (two villages) and one in township B, all enrolled and payable,
    plus a tekun single-person enrollment paid to the person."""
    a1 = make_household(VILLAGE_A, head="张建国")
    a2 = make_household(VILLAGE_A2, head="王秀兰", members=3)
    a3 = make_household(VILLAGE_A, head="刘大海", members=1)
    b1 = make_household(VILLAGE_B, head="陈志强", members=4)
    tekun_person = make_person("周桂英")
    e = SimpleNamespace(
        a1=enroll(a1, amount="650.00", klass="A", persons=2),
        a2=enroll(a2, amount="1200.50", klass="B", persons=3),
        a3=enroll(a3, amount="800.00", klass="A", persons=1, program="tekun", person=tekun_person),
        b1=enroll(b1, amount="999.99", klass="C", persons=4),
    )
    return SimpleNamespace(maker=maker, checker=checker, caseworker=caseworker, outsider=outsider,
                           households=SimpleNamespace(a1=a1, a2=a2, a3=a3, b1=b1), e=e, tekun_person=tekun_person)
