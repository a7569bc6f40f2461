"""急难型 for a person without a registered household (issue 14 §1, R-TA-04): the minimal person record."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.programs.temporary_person import temporary_submit_person
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.apps.registry.selectors import households_page, households_registered
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from tests.apps.cases.flow import at
from tests.conftest import VILLAGE_A, VILLAGE_B, make_id

pytestmark = pytest.mark.django_db
NOW = at(date(2026, 12, 7))
EMERGENCY = {"kind": "emergency", "category": "traffic", "circumstance": "途经本村遭遇交通事故", "occurred_on": "2026-12-05",
             "place_region": VILLAGE_A, "need": "600"}


def _person(**overrides):
    data = {"name": "赵四海", "id_number": make_id(date(1980, 2, 3)), "phone": "13800001111", "address": "外省来本县务工",
            "area_type": "rural"}
    data.update(overrides)
    return data


def _submit(actor, person, payload=None, **extra):
    return temporary_submit_person(actor=actor, person=person, channel="window", payload=payload or EMERGENCY,
                                   now=NOW, **extra)


def test_creates_minimal_household_and_opens_emergency(caseworker):
    # given a person nobody registered
    person = _person()
    # when the township records the emergency
    result = _submit(caseworker, person)
    # then one person, a one-person minimal household in the village where it happened, an accepted case
    case = result.case
    assert result.outcome == "created" and case.kind == "emergency" and case.state == "accepted"
    hh = case.household
    assert hh.minimal and hh.region_id == VILLAGE_A and hh.member_count == 1 and hh.head_id == case.applicant_id
    assert case.region_id == VILLAGE_A
    assert case.applicant.name == "赵四海" and case.applicant.id_number_masked.endswith(person["id_number"][-4:])
    assert case.applicant.phone_masked
    assert Membership.objects.filter(household=hh, end_date__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="household.minimal_create", subject_id=str(hh.pk)).exists()


def test_second_emergency_reuses_person_by_id_number(caseworker):
    person = _person()
    first = _submit(caseworker, person)
    second = _submit(caseworker, {**person, "name": "赵四海"},
                     {**EMERGENCY, "category": "illness", "circumstance": "突发疾病", "confirm_duplicate": True})
    assert second.outcome == "reused"
    assert second.case.household_id == first.case.household_id and second.case.applicant_id == first.case.applicant_id
    assert Person.objects.filter(name="赵四海").count() == 1 and Household.objects.filter(minimal=True).count() == 1


def test_registered_household_is_used_instead(caseworker, household):
    # given the ID number belongs to a member of a registered household
    head = household.head
    from jiuzhu.apps.registry import pii

    number = pii.open_(head.id_number_enc, purpose="id_number")
    result = _submit(caseworker, _person(name=head.name, id_number=number))
    assert result.outcome == "registered" and "已登记在家庭中" in result.message
    assert result.case.household_id == household.pk and result.case.applicant_id == head.pk
    assert not Household.objects.filter(minimal=True).exists()


def test_bad_input_names_fields_and_writes_nothing(caseworker):
    before = (Person.objects.count(), Household.objects.count(), Case.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        _submit(caseworker, _person(name="", id_number="123", phone="abc"), {**EMERGENCY, "circumstance": ""})
    fields = {e["field"]: e["message"] for e in exc.value.details["errors"]}
    assert "姓名不能为空" in fields["person.name"]
    assert "身份证号" in fields["person.id_number"]
    assert "联系电话" in fields["person.phone"]
    assert "困难情形" in fields["circumstance"]
    with pytest.raises(ValidationFailed) as exc:
        _submit(caseworker, _person(id_number=""))
    assert exc.value.details["field"] == "person.id_number" and "身份证号不能为空" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        _submit(caseworker, _person(), {**EMERGENCY, "kind": "expenditure", "category": "medical"})
    assert exc.value.details["field"] == "kind" and "急难型" in exc.value.message
    assert (Person.objects.count(), Household.objects.count(), Case.objects.count()) == before


def test_place_must_be_a_village(caseworker):
    with pytest.raises(ValidationFailed) as exc:
        _submit(caseworker, _person(), {**EMERGENCY, "place_region": "330127100000"})
    assert exc.value.details["field"] == "place_region"
    assert not Household.objects.filter(minimal=True).exists()


def test_refused_case_rolls_back_person_record(caseworker, monkeypatch):
    # given a valid person, but the case engine refuses the case after the record was made
    from jiuzhu.apps.programs import temporary_person

    def refuse(**kwargs):
        assert Household.objects.filter(minimal=True).exists()  # the record exists inside the transaction
        raise ValidationFailed("ta.test", "拒绝", field="circumstance")

    monkeypatch.setattr(temporary_person, "temporary_submit", refuse)
    before = (Person.objects.count(), Household.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed):
        _submit(caseworker, _person())
    # then nothing is left: no person, no household, no audit event
    assert (Person.objects.count(), Household.objects.count(), AuditEvent.objects.count()) == before


def test_place_outside_scope_refused(outsider):
    with pytest.raises(NotFound) as exc:
        _submit(outsider, _person())
    assert exc.value.details["field"] == "place_region"
    assert not Person.objects.filter(name="赵四海").exists() and not Case.objects.exists()


def test_role_without_permission_refused(inspector):
    with pytest.raises(Forbidden):
        _submit(inspector, _person())
    assert not Household.objects.filter(minimal=True).exists()


def test_minimal_households_left_out_of_lists(caseworker, household, outsider):
    result = _submit(caseworker, _person())
    page = households_page(actor=caseworker)
    assert household.pk in [h.pk for h in page.items]
    assert result.case.household_id not in [h.pk for h in page.items]
    assert not households_registered(actor=caseworker).filter(pk=result.case.household_id).exists()
    # another township's user records an emergency in their own village: a separate record in their scope
    other = _submit(outsider, _person(), {**EMERGENCY, "place_region": VILLAGE_B})
    assert other.case.household.region_id == VILLAGE_B


def test_minimal_households_left_out_of_policy_simulation_and_exports(caseworker, household):
    # registry statistics: the policy simulation's snapshot of registered households and the household export
    from jiuzhu.apps.cases.case_filters import CaseFilters
    from jiuzhu.apps.enrollment.simulation_snapshot import simulation_snapshot
    from jiuzhu.apps.exports.services import _queryset
    from tests.conftest import TOWNSHIP_A

    minimal_id = _submit(caseworker, _person()).case.household_id
    meta, households, persons = simulation_snapshot(TOWNSHIP_A, date(2026, 12, 1))
    ids = set(meta["household_id"].to_pylist())
    assert household.pk in ids and minimal_id not in ids
    assert minimal_id not in set(persons["household_id"].to_pylist())
    exported = set(_queryset("households", caseworker, CaseFilters(), {}).values_list("pk", flat=True))
    assert household.pk in exported and minimal_id not in exported


def test_registering_the_real_household_merges_the_minimal_record(caseworker, household_data):
    # given an emergency recorded for a person without a household
    from jiuzhu.apps.registry.services import household_create, member_add
    from tests.conftest import AS_OF

    person = _person()
    first = _submit(caseworker, person)
    # when the person's real household is registered later (as its head)
    data = household_data()
    data["members"][0] = {"name": "赵四海", "id_number": person["id_number"], "relation": "head"}
    hh = household_create(actor=caseworker, data=data, as_of=AS_OF)
    # then the same person is its head, the minimal record is closed (history and case kept), audited
    assert hh.head_id == first.case.applicant_id and not hh.minimal
    record = Household.objects.get(pk=first.case.household_id)
    assert record.member_count == 0
    assert not Membership.objects.filter(household=record, end_date__isnull=True).exists()
    assert AuditEvent.objects.filter(action="household.minimal_merge", subject_id=str(record.pk)).exists()
    # and the next emergency of that person is recorded on the real household
    again = _submit(caseworker, person, {**EMERGENCY, "confirm_duplicate": True})
    assert again.outcome == "registered" and again.case.household_id == hh.pk
    # a member added to a household leaves their minimal record too
    other = _person()
    second = _submit(caseworker, other)
    member_add(actor=caseworker, household_id=hh.pk, as_of=AS_OF,
               data={"name": "赵四海", "id_number": other["id_number"], "relation": "child"})
    assert Household.objects.get(pk=second.case.household_id).member_count == 0
