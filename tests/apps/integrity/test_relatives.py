"""The register of staff near relatives (issue 15 §4, R-HH-09 / R-WF-03): declare and withdraw, matching by
blind index against household members, region scope, privacy, and the guard that keeps a member of staff
off a case of their own relative (refused for them, allowed for a colleague)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases import engine
from jiuzhu.apps.cases.guards import relative_home_visit
from jiuzhu.apps.cases.services import case_submit
from jiuzhu.apps.integrity import relatives, relatives_match
from jiuzhu.apps.integrity.relatives_models import StaffRelative
from jiuzhu.apps.registry.models import Person
from jiuzhu.apps.registry.pii import open_
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.conftest import TOWNSHIP_A, _user, bad_check_digit, make_id

from .conftest import T0

pytestmark = pytest.mark.django_db
INTAKE = {"id_checked": True, "authorization_signed": True}


def head_id(household) -> str:
    return open_(Person.objects.get(pk=household.head_id).id_number_enc, purpose="id_number")


def declare(actor, number, name="张建国", relation="sibling"):
    return relatives.relative_declare(actor=actor, data={"name": name, "relation": relation, "id_number": number},
                                      now=T0)


@pytest.fixture
def colleague(regions):
    return _user("caseworker_a2", Role.CASEWORKER, TOWNSHIP_A)


@pytest.fixture
def case(colleague, household):
    return case_submit(actor=colleague, program="dibao", household_id=household.pk, applicant_id=household.head_id,
                       channel="window", payload=INTAKE, now=T0)


def test_a_declared_relative_is_sealed_and_audited_without_the_plain_number(caseworker, household):
    # given the head's ID number
    number = head_id(household)
    # when the caseworker registers him as a brother
    row = declare(caseworker, number)
    # then the number is encrypted, indexed and masked; nowhere in clear
    assert row.id_number_enc != number and number not in row.id_number_enc
    assert row.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    assert open_(row.id_number_enc, purpose="id_number") == number
    event = AuditEvent.objects.get(action="relative.declare", subject_id=str(row.pk))
    assert number not in str(event.details) and row.region_id == TOWNSHIP_A


@pytest.mark.parametrize("data, field", [
    ({"name": "张三", "relation": "sibling", "id_number": "bad"}, "id_number"),
    ({"name": "张三", "relation": "cousin"}, "relation"),
    ({"name": "", "relation": "sibling"}, "name"),
    ({"name": "张\x00三", "relation": "sibling"}, "name"),
])
def test_bad_input_names_the_field_in_chinese_and_writes_nothing(caseworker, data, field):
    data = {"id_number": make_id(), **data}
    with pytest.raises(ValidationFailed) as exc:
        relatives.relative_declare(actor=caseworker, data=data, now=T0)
    assert exc.value.details["field"] == field and any("\u4e00" <= c <= "\u9fff" for c in exc.value.message)
    assert not StaffRelative.objects.exists() and not AuditEvent.objects.filter(action="relative.declare").exists()


def test_a_bad_check_digit_is_refused(caseworker):
    with pytest.raises(ValidationFailed, match="校验位") as exc:
        declare(caseworker, bad_check_digit(make_id()))
    assert exc.value.details["field"] == "id_number" and not StaffRelative.objects.exists()


def test_the_same_relative_twice_is_a_conflict_but_another_staff_may_register_them(caseworker, colleague):
    number = make_id()
    declare(caseworker, number)
    with pytest.raises(Conflict):
        declare(caseworker, number)
    declare(colleague, number)  # two siblings on the staff share a parent
    assert StaffRelative.objects.count() == 2


def test_matching_finds_household_members_by_blind_index(caseworker, county_user, household, case):
    # given a registered relative who is the spouse in a household with an open case, and one who is nobody
    spouse = Person.objects.exclude(pk=household.head_id).get(memberships__household=household)
    declare(caseworker, open_(spouse.id_number_enc, purpose="id_number"), name=spouse.name, relation="parent")
    declare(caseworker, make_id(date(1950, 1, 1)), name="无关", relation="parent")
    # when the county lists the matches
    rows, total = relatives_match.relative_matches(actor=county_user)
    # then only the spouse matches, with the case not filed as 近亲属备案 and the staff named
    assert total == 1 and rows[0]["person_id"] == spouse.pk and rows[0]["household_id"] == household.pk
    assert rows[0]["unfiled"] == [case.pk] and "caseworker_a" in rows[0]["entries"][0]["staff"]
    assert rows[0]["masked"] == spouse.id_number_masked
    # the township filter narrows; another township's filter shows none
    assert relatives_match.relative_matches(actor=county_user, township=TOWNSHIP_A)[1] == 1
    assert relatives_match.relative_matches(actor=county_user, township="330127101000")[1] == 0
    # a withdrawn entry no longer matches
    row = StaffRelative.objects.get(name=spouse.name)
    relatives.relative_remove(actor=caseworker, relative_id=row.pk, now=T0)
    assert relatives_match.relative_matches(actor=county_user)[1] == 0


def test_another_township_sees_neither_the_register_nor_the_matches(caseworker, outsider, county_user, household):
    declare(caseworker, head_id(household))
    assert relatives.relatives_visible(actor=county_user).count() == 1
    assert relatives.relatives_visible(actor=outsider).count() == 0
    assert relatives_match.relative_matches(actor=outsider)[1] == 0
    # nor may it withdraw the entry (not found, unchanged)
    row = StaffRelative.objects.get()
    with pytest.raises(NotFound):
        relatives.relative_remove(actor=outsider, relative_id=row.pk, now=T0)
    assert StaffRelative.objects.get().removed_at is None


def test_a_village_assistant_sees_only_their_own_entries(village_user, caseworker):
    declare(caseworker, make_id())
    mine = declare(village_user, make_id(), relation="spouse")
    assert list(relatives.relatives_visible(actor=village_user)) == [mine]


def test_the_staff_member_cannot_act_on_their_relatives_case_a_colleague_can(caseworker, colleague, household, case):
    # given the head is the caseworker's registered brother
    declare(caseworker, head_id(household))
    today = T0.date()
    # then every action is blocked for him with the recusal reason
    allowed, blocked = engine.action_listing(case, caseworker, today)
    assert allowed == [] and blocked and all(b["code"] == "case.own_relative" for b in blocked)
    assert "回避" in blocked[0]["message"]
    with pytest.raises(Forbidden) as exc:
        engine.perform(actor=caseworker, case_id=case.pk, action="request_verification", payload={}, now=T0)
    assert exc.value.code == "case.own_relative"
    # and his colleague may act
    fresh = type(case).objects.get(pk=case.pk)
    assert "request_verification" in engine.action_listing(fresh, colleague, today)[0]
    engine.perform(actor=colleague, case_id=case.pk, action="request_verification", payload={}, now=T0)


def test_the_staff_member_cannot_submit_an_application_of_their_relative(caseworker, household):
    declare(caseworker, head_id(household))
    with pytest.raises(Forbidden):
        case_submit(actor=caseworker, program="dibao", household_id=household.pk, applicant_id=household.head_id,
                    channel="window", payload=INTAKE, now=T0)


def test_a_register_match_makes_the_confirming_home_visit_mandatory(caseworker, reviewer, household, case):
    def confirm_ctx(c):
        return engine.ActionContext(actor=reviewer, action="confirm", payload=SimpleNamespace(home_visit=None),
                                    now=T0, case=c)

    # without a match (and no declaration) the visit is optional
    assert not relatives_match.has_register_match(case)
    relative_home_visit(confirm_ctx(case))
    # a registered relative in the household makes it mandatory, as a 近亲属备案 does
    declare(caseworker, head_id(household))
    fresh = type(case).objects.get(pk=case.pk)
    assert relatives_match.has_register_match(fresh)
    with pytest.raises(ValidationFailed) as exc:
        relative_home_visit(confirm_ctx(fresh))
    assert exc.value.code == "case.home_visit_required" and exc.value.details["field"] == "home_visit"


def test_only_staff_roles_may_declare(inspector):
    with pytest.raises(Forbidden):
        declare(inspector, make_id())
    assert not StaffRelative.objects.exists()


def test_key_rotation_reencrypts_the_register(caseworker):
    # given an entry still holding a first-form ciphertext
    from jiuzhu.apps.registry.rotation import reencrypt_all
    from jiuzhu.core.crypto import keyring
    from tests.apps.test_pii_at_rest import first_form

    number = make_id()
    row = declare(caseworker, number)
    StaffRelative.objects.filter(pk=row.pk).update(id_number_enc=first_form(number))
    # when the keys are rotated with the register among the sealed columns
    reencrypt_all(ring=keyring(), extra=((StaffRelative, ("id_number_enc",)),))
    # then it is in the current form and still opens; the blind index is unchanged
    row.refresh_from_db()
    assert keyring().is_current(row.id_number_enc) and open_(row.id_number_enc, purpose="id_number") == number


def test_a_staff_member_registered_as_themselves_cannot_handle_their_own_case(caseworker, household, case):
    declare(caseworker, head_id(household), relation="self")
    blocked = engine.action_listing(case, caseworker, T0.date())[1]
    assert blocked and "是您本人" in blocked[0]["message"]
