"""Region scope attack: township B's caseworker and another county's staff cannot see or act on
township A's (or the county's) batches — every attempt is "not found" and changes nothing."""

from __future__ import annotations

import pytest

from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.payments.selectors import batch_get, batches_visible, payroll_regions
from jiuzhu.apps.payments.services import (
    payroll_approve,
    payroll_export,
    payroll_prepare,
    payroll_preview,
    payroll_reconcile,
)
from jiuzhu.apps.regions.models import Region
from jiuzhu.rules.errors import NotFound
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

from .conftest import MONTH, NOW, user


@pytest.fixture
def other_county(regions):
    Region.objects.create(code="330182000000", name="建德市", level=3, parent_id="330100000000")
    return user("county_jiande", Role.COUNTY, "330182000000")


@pytest.fixture
def township_a_batch(world):
    return payroll_prepare(actor=world.maker, region_code=TOWNSHIP_A, month=MONTH, now=NOW)


def state():
    return (list(PayrollBatch.objects.order_by("pk").values()), list(PaymentLine.objects.order_by("pk").values()),
            AuditEvent.objects.count())


def test_township_b_cannot_see_township_a_batch(world, township_a_batch):
    assert list(batches_visible(actor=world.outsider)) == []
    with pytest.raises(NotFound):
        batch_get(actor=world.outsider, batch_id=township_a_batch.pk)
    # township A's own caseworker reads it; the county sees it too
    assert [b.pk for b in batches_visible(actor=world.caseworker)] == [township_a_batch.pk]
    assert batch_get(actor=world.caseworker, batch_id=township_a_batch.pk) == township_a_batch
    assert [b.pk for b in batches_visible(actor=world.maker)] == [township_a_batch.pk]


def test_township_b_and_other_county_cannot_act_on_it(world, township_a_batch, other_county):
    before = state()
    for attacker in (world.outsider, other_county):
        with pytest.raises(NotFound):
            payroll_approve(actor=attacker, batch_id=township_a_batch.pk, now=NOW)
        with pytest.raises(NotFound):
            payroll_export(actor=attacker, batch_id=township_a_batch.pk, now=NOW)
        with pytest.raises(NotFound):
            payroll_preview(actor=attacker, batch_id=township_a_batch.pk)
        with pytest.raises(NotFound):
            payroll_reconcile(actor=attacker, batch_id=township_a_batch.pk, content=b"", filename="r.csv", now=NOW)
    with pytest.raises(NotFound):
        payroll_prepare(actor=other_county, region_code=COUNTY, month=MONTH, now=NOW)
    with pytest.raises(NotFound):
        payroll_prepare(actor=world.outsider, region_code=TOWNSHIP_A, month=MONTH, now=NOW)
    assert state() == before


def test_county_batch_is_invisible_to_township_staff(world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    for actor in (world.caseworker, world.outsider):
        with pytest.raises(NotFound):
            batch_get(actor=actor, batch_id=batch.pk)


def test_regions_offered_for_preparing(world):
    assert [r.code for r in payroll_regions(actor=world.maker)] == [COUNTY, TOWNSHIP_A, TOWNSHIP_B, "330127102000"]
    assert payroll_regions(actor=world.caseworker) == []
