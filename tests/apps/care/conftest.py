"""A tekun person enrolled in 珍珠半岛村 (township A), made as an approved case leaves it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from jiuzhu.apps.enrollment.models import Enrollment
from tests.conftest import AS_OF, make_id

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 10, tzinfo=TZ)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def tekun(caseworker, household_data):
    from jiuzhu.apps.registry.services import household_create

    data = household_data(members=[{"name": "王老五", "id_number": make_id(date(1950, 2, 3)), "relation": "head",
                                    "disability_kind": "mental", "disability_grade": 2}])
    hh = household_create(actor=caseworker, data=data, as_of=AS_OF)
    person = hh.memberships.first().person
    return Enrollment.objects.create(program="tekun", household=hh, person=person, region_id=hh.region_id, klass="",
                                     amount=Decimal("1000.00"), persons=1, start_month=date(2026, 3, 1),
                                     status="active", next_recheck=date(2027, 3, 1), decided_on=date(2026, 2, 20))
