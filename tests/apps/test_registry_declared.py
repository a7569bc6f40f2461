"""Declared income and assets through the registry services: validated, scoped, audited (issue 13 §1)."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.registry.declared import (
    declared_assets_update,
    declared_income_clear,
    declared_income_set,
)
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def _head(household):
    return household.memberships.get(relation="head").person


@pytest.mark.parametrize("data, field, message", [
    ({"kind": "wage", "amount": "-1"}, "amount", "金额(元)：工资性收入不能为负数"),
    ({"kind": "pension", "amount": "1"}, "kind", "收入类别：取值无效"),
    ({"kind": "wage", "amount": "abc"}, "amount", "金额(元)：应为数字"),
    ({"kind": "wage", "amount": "NaN"}, "amount", "金额(元)"),
    ({"kind": "wage", "amount": "1e15"}, "amount", "金额(元)"),
    ({"kind": "wage", "amount": "1", "extra": "x"}, "extra", "不认识的字段"),
])
def test_bad_income_item_is_refused_naming_the_field(caseworker, household, data, field, message):
    head = _head(household)
    with pytest.raises(ValidationFailed) as err:
        declared_income_set(actor=caseworker, household_id=household.pk, person_id=head.pk, data=data)
    assert err.value.details["field"] == field and message in err.value.message
    head.refresh_from_db()
    assert head.wage == 0 and not AuditEvent.objects.filter(action__startswith="household.declared").exists()


def test_income_set_and_clear_audited_with_before_and_after(village_user, household):
    head = _head(household)
    declared_income_set(actor=village_user, household_id=household.pk, person_id=head.pk,
                        data={"kind": "property", "amount": "1000", "period": "year"})
    head.refresh_from_db()
    assert head.property_income == Decimal("83.33")  # 1000 ÷ 12, rounded half up to the fen
    declared_income_clear(actor=village_user, household_id=household.pk, person_id=head.pk, kind="property")
    head.refresh_from_db()
    assert head.property_income == 0
    events = AuditEvent.objects.filter(subject_type="household", subject_id=str(household.pk),
                                       action__startswith="household.declared_income")
    assert events.count() == 2 and all(e.before_digest and e.after_digest for e in events)


def test_outsider_and_readers_cannot_change_the_declaration(outsider, inspector, household):
    head = _head(household)
    with pytest.raises(NotFound):
        declared_income_set(actor=outsider, household_id=household.pk, person_id=head.pk,
                            data={"kind": "wage", "amount": "1"})
    with pytest.raises(NotFound):
        declared_assets_update(actor=outsider, household_id=household.pk, data={"financial": "1"})
    with pytest.raises(Forbidden):
        declared_income_clear(actor=inspector, household_id=household.pk, person_id=head.pk, kind="wage")


def test_a_member_of_another_household_is_not_found(caseworker, household, household_data):
    from jiuzhu.apps.registry.services import household_create
    from tests.conftest import AS_OF, make_id

    other = household_create(actor=caseworker, data=household_data(members=[
        {"name": "王五", "id_number": make_id(date(1970, 1, 2)), "relation": "head"}]),
        as_of=AS_OF)
    stranger = _head(other)
    with pytest.raises(NotFound):
        declared_income_set(actor=caseworker, household_id=household.pk, person_id=stranger.pk,
                            data={"kind": "wage", "amount": "1"})


def test_assets_partial_update_keeps_the_other_items(caseworker, household):
    declared_assets_update(actor=caseworker, household_id=household.pk,
                           data={"financial": "5000", "residential_properties": 1})
    hh = declared_assets_update(actor=caseworker, household_id=household.pk, data={"business_capital": "0"})
    assert (hh.financial_assets, hh.residential_properties) == (Decimal("5000"), 1)
    with pytest.raises(ValidationFailed) as err:
        declared_assets_update(actor=caseworker, household_id=household.pk, data={"vehicle_count": -1})
    assert err.value.details["field"] == "vehicle_count"
