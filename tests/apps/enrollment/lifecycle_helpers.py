"""Lifecycle test helpers: enrollments made directly in the database (as an approved case leaves them)
and the personas. Import the fixtures into the test module (this folder is shared with other tests)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from jiuzhu.apps.enrollment.models import Enrollment

TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def make_enrollment(household, *, program="dibao", amount="800.00", klass="C", status="active",
                    start=date(2026, 7, 1), next_recheck=date(2027, 1, 1), person=None) -> Enrollment:
    return Enrollment.objects.create(
        program=program, household=household, person=person, region_id=household.region_id, klass=klass,
        amount=Decimal(amount), persons=household.member_count, start_month=start, status=status,
        next_recheck=next_recheck, decided_on=date(start.year, start.month, 1).replace(day=1))


@pytest.fixture
def people(caseworker, reviewer, county_user, village_user, outsider):
    return {"caseworker": caseworker, "reviewer": reviewer, "county": county_user, "village": village_user,
            "outsider": outsider}


@pytest.fixture
def enrollment(household):
    return make_enrollment(household)
