"""Payment lines carry no database foreign keys (bulk writes); every build checks their references
in one query instead, and a dangling reference fails the build."""

from __future__ import annotations

import pytest

from jiuzhu.apps.payments import building
from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.apps.payments.services import payroll_prepare
from tests.conftest import COUNTY

from .conftest import MONTH, NOW

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field,value", [("enrollment_id", 987654321), ("household_id", 987654321),
                                         ("region_id", "330127999999"), ("carried_from_id", 987654321)])
def test_a_dangling_reference_is_found(world, field, value):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    building.check_references(batch.pk)  # as written: all references exist
    line = batch.lines.order_by("pk").first()
    PaymentLine.objects.filter(pk=line.pk).update(**{field: value})
    with pytest.raises(RuntimeError, match="1 lines reference a missing"):
        building.check_references(batch.pk)


def test_the_build_fails_on_a_dangling_reference(world, monkeypatch):
    from jiuzhu.apps.payments import snapshot

    real = snapshot.write_lines

    def corrupt(batch_id, lines, progress=None):
        real(batch_id, lines, progress=progress)
        PaymentLine.objects.filter(batch_id=batch_id).update(household_id=987654321)

    monkeypatch.setattr(snapshot, "write_lines", corrupt)
    with pytest.raises(RuntimeError, match="reference a missing"):
        payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert not PaymentLine.objects.exists()
