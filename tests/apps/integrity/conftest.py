from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from tests.conftest import COUNTY, PASSWORD, VILLAGE_A

PAID_MONTHS = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
T0 = datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def county_user2(regions):
    user = User(username="county_checker", role=Role.COUNTY, region_id=COUNTY, display_name="县复核")
    user.set_password(PASSWORD)
    user.save()
    return user


def make_paid(household, region=VILLAGE_A, amount="650.00", months=PAID_MONTHS):
    """An enrollment of ``household`` paid for ``months`` (payroll lines already reconciled as paid)."""
    enrollment = Enrollment.objects.create(program="dibao", household=household, region_id=region, klass="A",
                                           amount=Decimal(amount), persons=2, start_month=date(2026, 1, 1),
                                           decided_on=date(2025, 12, 20))
    lines = []
    for month in months:
        batch, _ = PayrollBatch.objects.get_or_create(region_id=COUNTY, month=month, kind="regular", seq=1,
                                                      defaults={"prepared_at": T0, "status": "reconciled"})
        lines.append(PaymentLine.objects.create(batch=batch, enrollment=enrollment, household=household,
                                                region_id=region, month=month, program="dibao", klass="A",
                                                persons=2, amount=Decimal(amount), status="paid"))
    return SimpleNamespace(enrollment=enrollment, lines=lines)


@pytest.fixture
def paid(household):
    return make_paid(household)
