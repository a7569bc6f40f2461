"""Registry services and selectors: sealing, validation, conflicts, membership history, scope, paging."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.apps.registry.selectors import (
    HouseholdFilter,
    household_get,
    household_history,
    household_members,
    households_page,
    person_other_memberships,
)
from jiuzhu.apps.registry.services import (
    household_create,
    household_update,
    member_add,
    member_end,
    member_move,
    person_reveal,
)
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.conftest import AS_OF, VILLAGE_A, VILLAGE_A2, VILLAGE_B, bad_check_digit, make_id

LATER = date(2026, 12, 15)


def counts():
    return (Person.objects.count(), Household.objects.count(), Membership.objects.count(),
            AuditEvent.objects.count())


def state():
    """Everything a registry service could change, for 'nothing changed' checks."""
    return (
        list(Household.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(Person.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


def data_with(household_data, head="张建国", spouse="李秀英", region=VILLAGE_A, **kw):
    data = household_data(region=region, **kw)
    data["members"][0]["name"] = head
    data["members"][1]["name"] = spouse
    return data


def member_of(hh, relation):
    return hh.memberships.get(relation=relation, end_date__isnull=True).person


# --- create ---


def test_create_seals_id_numbers(caseworker, household_data):
    # given
    data = household_data()
    numbers = [m["id_number"] for m in data["members"]]
    # when
    hh = household_create(actor=caseworker, data=data, as_of=AS_OF)
    # then every ID number is stored encrypted, decrypts back, is masked and found by its blind index
    for number in numbers:
        person = Person.objects.get(id_number_bidx=pii.id_number_index(number))
        assert person.id_number_enc != number and number not in person.id_number_enc
        assert pii.open_(person.id_number_enc, purpose="id_number") == number
        assert person.id_number_masked == idcard.mask(number)
        assert person.birth_date == idcard.parse(number).birth_date
    assert hh.member_count == 2 and hh.head.name == "张建国" and hh.version == 1
    head = member_of(hh, "head")
    assert head.phone_enc and "13905711234" not in head.phone_enc and pii.open_(head.phone_enc, purpose="phone") == "13905711234"
    assert AuditEvent.objects.filter(action="household.create", subject_id=str(hh.pk)).count() == 1


def _set(path, value):
    def apply(data):
        target = data
        *parents, last = path
        for key in parents:
            target = target[key]
        target[last] = value(target[last]) if callable(value) else value
    return apply


@pytest.mark.parametrize(
    "case, mutate, field, code",
    [
        ("wrong check digit", _set(("members", 0, "id_number"), bad_check_digit), "members[0].id_number",
         "id_number.check_digit"),
        ("born after as_of", _set(("members", 1, "id_number"), lambda _: idcard.make("330127", date(2027, 1, 1), 2)),
         "members[1].id_number", "id_number.birth_date"),
        ("empty name", _set(("members", 1, "name"), ""), "members[1].name", "required"),
        ("bad relation", _set(("members", 1, "relation"), "cousin"), "members[1].relation", "invalid_choice"),
        ("bad phone", _set(("members", 0, "phone"), "12345"), "members[0].phone", "invalid"),
        ("no members", _set(("members",), []), "members", "required"),
        ("duplicate ID within submission", lambda d: d["members"][1].update(id_number=d["members"][0]["id_number"]),
         "members[1].id_number", "duplicate"),
        ("no head", _set(("members", 0, "relation"), "spouse"), "members", "head"),
        ("two heads", _set(("members", 1, "relation"), "head"), "members", "head"),
        ("bad area type", _set(("area_type",), "suburb"), "area_type", "invalid_choice"),
        ("township instead of village", _set(("region_code",), "330127100000"), "region_code", "not_village"),
        ("village of another township", _set(("region_code",), VILLAGE_B), "region_code", "out_of_scope"),
    ],
)
def test_invalid_submission_writes_nothing(caseworker, household_data, case, mutate, field, code):
    # given a submission with one problem
    data = household_data()
    mutate(data)
    before = counts()
    # when
    with pytest.raises(ValidationFailed) as exc:
        household_create(actor=caseworker, data=data, as_of=AS_OF)
    # then the error names the field and nothing was written
    assert exc.value.details["field"] == field, case
    assert exc.value.code == code, case
    assert counts() == before


def test_all_field_errors_are_listed(caseworker, household_data):
    data = household_data()
    data["members"][0]["id_number"] = bad_check_digit(data["members"][0]["id_number"])
    data["members"][1]["name"] = ""
    with pytest.raises(ValidationFailed) as exc:
        household_create(actor=caseworker, data=data, as_of=AS_OF)
    assert [e["field"] for e in exc.value.details["errors"]] == ["members[0].id_number", "members[1].name"]


def test_person_in_another_household_is_a_conflict(caseworker, household_data):
    # given a registered household
    first = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    taken = pii.open_(member_of(first, "spouse").id_number_enc, purpose="id_number")
    # and a new submission listing the first household's spouse
    data = data_with(household_data, head="王大明", spouse="李秀英", region=VILLAGE_A2)
    data["members"][1]["id_number"] = taken
    before = state()
    # when
    with pytest.raises(Conflict) as exc:
        household_create(actor=caseworker, data=data, as_of=AS_OF)
    # then the conflict names the other household and its head's masked name, and nothing was written
    assert exc.value.code == "person.in_other_household"
    assert exc.value.details["household"] == first.number
    assert exc.value.details["field"] == "members[1].id_number"
    assert first.number in exc.value.message and "张**" in exc.value.message
    assert "张建国" not in exc.value.message and taken not in exc.value.message
    assert state() == before


def test_registry_readers_cannot_create(inspector, reviewer, household_data):
    for actor in (inspector, reviewer):
        with pytest.raises(Forbidden):
            household_create(actor=actor, data=household_data(), as_of=AS_OF)
    assert Household.objects.count() == 0


def test_village_assistant_creates_only_in_own_village(village_user, household_data):
    assert household_create(actor=village_user, data=household_data(region=VILLAGE_A), as_of=AS_OF).pk
    with pytest.raises(ValidationFailed) as exc:
        household_create(actor=village_user, data=household_data(region=VILLAGE_A2), as_of=AS_OF)
    assert exc.value.details["field"] == "region_code"


# --- members ---


def new_member(name="张小明", relation="child", born=date(1995, 6, 1)):
    return {"name": name, "id_number": make_id(born), "relation": relation}


def test_member_add(caseworker, household):
    # when
    ms = member_add(actor=caseworker, household_id=household.pk, data=new_member(), as_of=LATER)
    # then
    household.refresh_from_db()
    assert household.member_count == 3 and household.version == 2
    assert ms.start_date == LATER and ms.person.name == "张小明"
    assert AuditEvent.objects.filter(action="household.member_add", subject_id=str(household.pk)).count() == 1


def test_member_add_refuses_a_second_head_and_a_taken_person(caseworker, household, household_data):
    other = household_create(actor=caseworker, data=data_with(household_data, head="王大明", spouse="赵兰"),
                             as_of=AS_OF)
    before = state()
    with pytest.raises(ValidationFailed):
        member_add(actor=caseworker, household_id=household.pk, data=new_member(relation="head"), as_of=LATER)
    taken = {"name": "王大明", "relation": "other", "id_number": pii.open_(member_of(other, "head").id_number_enc, purpose="id_number")}
    with pytest.raises(Conflict) as exc:
        member_add(actor=caseworker, household_id=household.pk, data=taken, as_of=LATER)
    assert exc.value.details["household"] == other.number and "王**" in exc.value.message
    assert state() == before


def test_member_end_keeps_history(caseworker, household):
    # given
    spouse = member_of(household, "spouse")
    # when
    member_end(actor=caseworker, person_id=spouse.pk, reason="death", as_of=LATER, note="病故")
    # then the membership is closed, not deleted
    household.refresh_from_db()
    assert household.member_count == 1
    closed = Membership.objects.get(person=spouse)
    assert closed.end_date == LATER and closed.end_reason == "death"
    assert [m.person_id for m in household_members(household=household)] == [household.head_id]
    with_history = household_members(household=household, include_history=True)
    assert [(m.person_id, m.end_date) for m in with_history] == [(household.head_id, None), (spouse.pk, LATER)]
    assert [m.person_id for m in household_history(household=household)] == [spouse.pk]
    assert Person.objects.filter(pk=spouse.pk).exists()


def test_head_cannot_leave_before_the_others(caseworker, household):
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        member_end(actor=caseworker, person_id=household.head_id, reason="moved", as_of=LATER)
    assert exc.value.code == "member.head_leaving"
    assert state() == before


def test_member_move(caseworker, household, household_data):
    # given two households
    target = household_create(actor=caseworker, data=data_with(household_data, head="王大明", spouse="赵兰",
                                                               region=VILLAGE_A2), as_of=AS_OF)
    spouse = member_of(household, "spouse")
    # when the first one's spouse moves to the second
    ms = member_move(actor=caseworker, person_id=spouse.pk, to_household_id=target.pk, relation="other", as_of=LATER)
    # then the old membership is closed and a new one is open; history shows in both households
    household.refresh_from_db()
    target.refresh_from_db()
    assert (household.member_count, target.member_count) == (1, 3)
    history = person_other_memberships(person_id=spouse.pk)
    assert [(m.household_id, m.end_date) for m in history] == [(household.pk, LATER), (target.pk, None)]
    assert ms.household_id == target.pk and ms.start_date == LATER
    assert Membership.objects.filter(person=spouse, end_date__isnull=True).count() == 1
    assert [m.person_id for m in household_history(household=household)] == [spouse.pk]
    assert spouse.pk in [m.person_id for m in household_members(household=target)]
    assert AuditEvent.objects.filter(action="household.member_move", subject_id=str(target.pk)).count() == 1


def test_member_move_into_own_household_is_refused(caseworker, household):
    spouse = member_of(household, "spouse")
    with pytest.raises(ValidationFailed):
        member_move(actor=caseworker, person_id=spouse.pk, to_household_id=household.pk, relation="other",
                    as_of=LATER)


def test_database_refuses_a_second_open_membership(caseworker, household, household_data):
    # given a person with an open membership, and another household
    other = household_create(actor=caseworker, data=data_with(household_data, head="王大明", spouse="赵兰"),
                             as_of=AS_OF)
    spouse = member_of(household, "spouse")
    # when a second open membership is written directly
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            Membership.objects.create(household=other, person=spouse, relation="other", start_date=LATER)
    # then a closed (historic) one is still allowed
    Membership.objects.create(household=other, person=spouse, relation="other", start_date=AS_OF, end_date=AS_OF)
    assert Membership.objects.filter(person=spouse, end_date__isnull=True).count() == 1


def test_household_update_with_version(caseworker, household):
    # given version 1, when updated with it
    updated = household_update(actor=caseworker, household_id=household.pk, data={"address": "珍珠半岛村15号"},
                               version=1, as_of=LATER)
    # then the change is saved and the version moves on
    assert updated.address == "珍珠半岛村15号" and updated.version == 2
    # when a second editor saves with the stale version
    before = state()
    with pytest.raises(Conflict) as exc:
        household_update(actor=caseworker, household_id=household.pk, data={"address": "别的地址"}, version=1,
                         as_of=LATER)
    # then it is refused and nothing changes
    assert exc.value.code == "household.changed" and exc.value.details["field"] == "version"
    assert state() == before
    assert Household.objects.get(pk=household.pk).address == "珍珠半岛村15号"


def test_household_update_cannot_change_region(caseworker, household):
    with pytest.raises(ValidationFailed) as exc:
        household_update(actor=caseworker, household_id=household.pk, data={"region_code": VILLAGE_A2},
                         version=None, as_of=LATER)
    assert exc.value.details["field"] == "region_code"


# --- person_reveal ---


def test_caseworker_reveals_id_number_and_it_is_audited(caseworker, household):
    head = household.head
    value = person_reveal(actor=caseworker, person_id=head.pk)
    assert value == pii.open_(head.id_number_enc, purpose="id_number") and idcard.parse(value)
    event = AuditEvent.objects.filter(action="pii.view_id_number").get()
    assert event.subject_id == str(head.pk) and event.actor_id == caseworker.pk
    assert value not in str(AuditEvent.objects.filter(pk=event.pk).values().get())


@pytest.mark.parametrize(
    "case, persona, error",
    [
        ("village assistant", "village_user", Forbidden),
        ("inspector", "inspector", Forbidden),
        ("outsider", "outsider", NotFound),
    ],
)
def test_reveal_refused(request, household, case, persona, error):
    actor = request.getfixturevalue(persona)
    events = AuditEvent.objects.count()
    with pytest.raises(error):
        person_reveal(actor=actor, person_id=household.head_id)
    assert AuditEvent.objects.count() == events, case


def test_reveal_follows_the_person_to_the_new_household(county_user, caseworker, outsider, household, b_household):
    # given township A's spouse moved (by the county) into a township B household
    spouse = member_of(household, "spouse")
    member_move(actor=county_user, person_id=spouse.pk, to_household_id=b_household.pk, relation="other", as_of=LATER)
    # when each township's caseworker asks for the full ID number
    # then township B (where the person now lives) may see it, township A no longer may
    assert person_reveal(actor=outsider, person_id=spouse.pk) == pii.open_(spouse.id_number_enc, purpose="id_number")
    with pytest.raises(NotFound):
        person_reveal(actor=caseworker, person_id=spouse.pk)
    event = AuditEvent.objects.filter(action="pii.view_id_number").get()
    assert event.region_code == VILLAGE_B


def test_reveal_unknown_person_is_not_found(caseworker):
    with pytest.raises(NotFound):
        person_reveal(actor=caseworker, person_id=999999)


# --- scope attacks from township B ---


@pytest.fixture
def b_household(outsider, household_data):
    return household_create(actor=outsider, data=data_with(household_data, head="汪海", spouse="方琴", region=VILLAGE_B),
                            as_of=AS_OF)


@pytest.mark.parametrize(
    "case, attack",
    [
        ("update", lambda o, hh, bh: household_update(actor=o, household_id=hh.pk, data={"address": "x"}, version=None,
                                                      as_of=LATER)),
        ("update with version", lambda o, hh, bh: household_update(actor=o, household_id=hh.pk, data={"address": "x"},
                                                                   version=hh.version, as_of=LATER)),
        ("member_add", lambda o, hh, bh: member_add(actor=o, household_id=hh.pk, data=new_member(), as_of=LATER)),
        ("member_end", lambda o, hh, bh: member_end(actor=o, person_id=member_of(hh, "spouse").pk, reason="moved",
                                                    as_of=LATER)),
        ("member_move A person to B", lambda o, hh, bh: member_move(
            actor=o, person_id=member_of(hh, "spouse").pk, to_household_id=bh.pk, relation="other", as_of=LATER)),
        ("member_move B person into A", lambda o, hh, bh: member_move(
            actor=o, person_id=member_of(bh, "spouse").pk, to_household_id=hh.pk, relation="other", as_of=LATER)),
        ("household_get", lambda o, hh, bh: household_get(actor=o, household_id=hh.pk)),
    ],
)
def test_outsider_cannot_touch_township_a(outsider, household, b_household, case, attack):
    # given township A's household and an outsider from township B
    before = state()
    # when they attack it
    with pytest.raises(NotFound) as exc:
        attack(outsider, household, b_household)
    # then it looks absent and nothing changes
    assert exc.value.status == 404, case
    assert state() == before


# --- households_page ---


@pytest.fixture
def many(caseworker, household_data):
    specs = [("张建国", "李秀英", VILLAGE_A), ("张伟", "刘芳", VILLAGE_A2), ("王大明", "赵兰", VILLAGE_A),
             ("王小二", "孙丽", VILLAGE_A2), ("陈志强", "周敏", VILLAGE_A), ("欧阳明", "吴燕", VILLAGE_A),
             ("张三丰", "郑红", VILLAGE_A2)]
    return [household_create(actor=caseworker, data=data_with(household_data, head=h, spouse=s, region=r), as_of=AS_OF)
            for h, s, r in specs]


@pytest.mark.parametrize(
    "case, q, heads",
    [
        ("surname prefix", "张", {"张建国", "张伟", "张三丰"}),
        ("longer prefix", "王小", {"王小二"}),
        ("matches a spouse", "赵", {"王大明"}),
        ("compound surname", "欧阳", {"欧阳明"}),
        ("no match", "钱", set()),
        ("not a suffix", "建国", set()),
    ],
)
def test_search_by_name_prefix(caseworker, many, case, q, heads):
    page = households_page(actor=caseworker, filters=HouseholdFilter(q=q))
    assert {h.head_name for h in page.items} == heads, case


def test_search_by_exact_id_number(caseworker, many):
    target = many[3]
    number = pii.open_(member_of(target, "spouse").id_number_enc, purpose="id_number")
    assert [h.pk for h in households_page(actor=caseworker, filters=HouseholdFilter(q=number)).items] == [target.pk]
    spaced = f" {number[:6]} {number[6:].lower()} "
    assert [h.pk for h in households_page(actor=caseworker, filters=HouseholdFilter(q=spaced)).items] == [target.pk]
    other = make_id()
    assert households_page(actor=caseworker, filters=HouseholdFilter(q=other)).items == []


def test_search_does_not_cross_scope(outsider, many):
    number = pii.open_(many[0].head.id_number_enc, purpose="id_number")
    assert households_page(actor=outsider, filters=HouseholdFilter(q=number)).items == []
    assert households_page(actor=outsider, filters=HouseholdFilter(q="张")).items == []


def test_filter_by_village(caseworker, village_user, many):
    in_a2 = {h.pk for h in many if h.region_id == VILLAGE_A2}
    page = households_page(actor=caseworker, filters=HouseholdFilter(village=VILLAGE_A2))
    assert {h.pk for h in page.items} == in_a2 and len(in_a2) == 3
    # a village assistant of VILLAGE_A asking for A2 gets nothing
    assert households_page(actor=village_user, filters=HouseholdFilter(village=VILLAGE_A2)).items == []


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 10])
def test_keyset_paging_has_no_duplicates_or_gaps(caseworker, many, limit):
    # when walking every page with `after`
    seen, after, pages = [], None, 0
    while True:
        page = households_page(actor=caseworker, after=after, limit=limit)
        seen += [h.pk for h in page.items]
        pages += 1
        if page.next_after is None:
            break
        assert page.next_after == page.items[-1].pk
        after = page.next_after
    # then every household appears exactly once, newest first
    assert seen == sorted((h.pk for h in many), reverse=True)
    assert pages == -(-len(many) // limit)


def test_paging_with_a_filter(caseworker, many):
    first = households_page(actor=caseworker, filters=HouseholdFilter(q="张"), limit=2)
    second = households_page(actor=caseworker, filters=HouseholdFilter(q="张"), after=first.next_after, limit=2)
    assert len(first.items) == 2 and len(second.items) == 1 and second.next_after is None
    assert {h.head_name for h in first.items + second.items} == {"张建国", "张伟", "张三丰"}


# --- bad input never reaches the database as a crash ---


def _obligor(**kw):
    def apply(data):
        ob = {"name": "张大山", "relation": "child", "supported_id_number": data["members"][0]["id_number"],
              "monthly_income": "3200", "household_size": 3}
        ob.update(kw)
        data["obligors"] = [ob]
    return apply


@pytest.mark.parametrize(
    "case, mutate, field",
    [
        ("household size not a number", _obligor(household_size="三口"), "obligors[0].household_size"),
        ("household size negative", _obligor(household_size=-2), "obligors[0].household_size"),
        ("income too large for the column", _obligor(monthly_income="1e20"), "obligors[0].monthly_income"),
        ("income not a number", _obligor(monthly_income="很多"), "obligors[0].monthly_income"),
        ("obligor not an object", lambda d: d.update(obligors=["张大山"]), "obligors[0]"),
        ("obligors not a list", lambda d: d.update(obligors="张大山"), "obligors"),
        ("supported person not in household", _obligor(supported_id_number=make_id()), "obligors[0].supported_id_number"),
        ("bank name too long", lambda d: d.update(bank_name="银" * 101), "bank_name"),
        ("member not an object", lambda d: d["members"].append("李四"), "members[2]"),
    ],
)
def test_bad_input_is_a_validation_error(caseworker, household_data, case, mutate, field):
    data = household_data()
    mutate(data)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        household_create(actor=caseworker, data=data, as_of=AS_OF)
    assert field in [e["field"] for e in exc.value.details["errors"]], (case, exc.value.details)
    assert counts() == before


def test_household_with_obligor(caseworker, household_data):
    data = household_data()
    _obligor()(data)
    hh = household_create(actor=caseworker, data=data, as_of=AS_OF)
    ob = hh.obligors.get()
    assert ob.household_size == 3 and str(ob.monthly_income) == "3200.00"
    assert ob.supported_id == hh.head_id
