"""/api/v1/households: list, create, detail — scope, validation, conflicts, masking."""

from datetime import date

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.registry.models import Household, Person
from jiuzhu.apps.registry.services import household_create, member_end
from jiuzhu.rules import idcard
from tests.conftest import AS_OF, VILLAGE_A, VILLAGE_A2, VILLAGE_B, bad_check_digit, make_id

from .conftest import post_json

URL = "/api/v1/households"


def _full_numbers(data):
    return [m["id_number"] for m in data["members"]] + [m["phone"] for m in data["members"] if m.get("phone")]


def _assert_nothing_leaks(response, secrets):
    body = response.content.decode()
    for secret in secrets:
        assert secret not in body


# ---- list ----

def test_list_shows_households_in_scope_with_keyset_paging(client, bearer, caseworker, household_data):
    # given three households in township A
    created = [household_create(actor=caseworker, data=household_data(), as_of=AS_OF) for _ in range(3)]
    headers = bearer(caseworker)
    # when
    first = client.get(URL, {"limit": 2}, **headers).json()
    second = client.get(URL, {"limit": 2, "after": first["next_after"]}, **headers).json()
    # then newest first, no overlap, last page has no next_after
    ids = [h["id"] for h in first["items"] + second["items"]]
    assert ids == [str(pk) for pk in sorted((h.pk for h in created), reverse=True)]  # ids are digit strings
    assert first["next_after"] == first["items"][-1]["id"]
    assert second["next_after"] is None
    assert first["items"][0]["number"] == created[-1].number
    assert first["items"][0]["region_name"]


def test_list_filters_by_name_and_full_id_number(client, bearer, caseworker, household_data):
    # given
    data = household_data()
    mine = household_create(actor=caseworker, data=data, as_of=AS_OF)
    household_create(actor=caseworker, data=household_data(region=VILLAGE_A2), as_of=AS_OF)
    headers = bearer(caseworker)
    # when
    by_id = client.get(URL, {"q": data["members"][1]["id_number"]}, **headers)
    by_village = client.get(URL, {"village": VILLAGE_A}, **headers).json()
    # then
    assert [h["id"] for h in by_id.json()["items"]] == [str(mine.pk)]
    assert [h["id"] for h in by_village["items"]] == [str(mine.pk)]
    _assert_nothing_leaks(by_id, _full_numbers(data))


def test_list_rejects_out_of_range_limit_naming_the_field(client, bearer, caseworker):
    # given / when
    response = client.get(URL, {"limit": 500}, **bearer(caseworker))
    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert "query.limit" in body["message"]
    assert body["details"]["errors"][0]["field"] == "query.limit"


def test_outsider_cannot_list_township_a(client, bearer, outsider, household):
    # given a household of township A; the outsider is of township B
    # when
    response = client.get(URL, {"q": household.head_name[:1]}, **bearer(outsider))
    everything = client.get(URL, **bearer(outsider))
    # then
    assert response.json() == {"items": [], "next_after": None}
    assert everything.json()["items"] == []


# ---- create ----

def test_create_returns_201_with_masked_numbers_and_audits(client, bearer, caseworker, household_data):
    # given
    data = household_data(bank_account="6228480012345678901", bank_name="农业银行")
    # when
    response = post_json(client, URL, data, bearer(caseworker))
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    household = Household.objects.get(pk=body["id"])
    assert body["number"] == household.number and body["member_count"] == 2
    assert [m["relation"] for m in body["members"]] == ["head", "spouse"]
    head = body["members"][0]
    assert head["id_number_masked"] == idcard.mask(data["members"][0]["id_number"])
    assert head["phone_masked"] == "1390***1234"
    assert body["bank_account_masked"] == "6228***********8901"
    assert body["history"] == [] and body["obligors"] == []
    _assert_nothing_leaks(response, _full_numbers(data) + ["6228480012345678901"])
    assert AuditEvent.objects.filter(action="household.create", subject_id=str(household.pk)).exists()


def test_create_with_obligor(client, bearer, caseworker, household_data):
    # given a son living elsewhere who must support the head
    data = household_data()
    son = make_id(date(1990, 1, 2))
    data["obligors"] = [{"name": "张伟", "relation": "child", "supported_id_number": data["members"][0]["id_number"],
                         "id_number": son, "monthly_income": "3500.00", "household_size": 3}]
    # when
    response = post_json(client, URL, data, bearer(caseworker))
    # then
    assert response.status_code == 201, response.content
    obligor = response.json()["obligors"][0]
    assert obligor["id_number_masked"] == idcard.mask(son)
    assert obligor["monthly_income"] in ("3500.00", 3500.0)
    _assert_nothing_leaks(response, [son])


def test_wrong_check_digit_is_422_naming_the_member_field(client, bearer, caseworker, household_data):
    # given
    data = household_data()
    data["members"][0]["id_number"] = bad_check_digit(data["members"][0]["id_number"])
    # when
    response = post_json(client, URL, data, bearer(caseworker))
    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "id_number.check_digit"
    assert body["details"]["field"] == "members[0].id_number"
    assert "校验位" in body["message"]
    assert not Household.objects.exists() and not Person.objects.exists()


def test_impossible_birth_date_is_422(client, bearer, caseworker, household_data):
    # given 30 February inside an otherwise well-formed number
    first17 = "330127" + "19650230" + "123"
    data = household_data()
    data["members"][1]["id_number"] = first17 + idcard.check_char(first17)
    # when
    response = post_json(client, URL, data, bearer(caseworker))
    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "id_number.birth_date"
    assert body["details"]["field"] == "members[1].id_number"
    assert "19650230" in body["message"]


def test_missing_head_is_422(client, bearer, caseworker, household_data):
    # given nobody is the head
    data = household_data()
    data["members"][0]["relation"] = "child"
    # when
    response = post_json(client, URL, data, bearer(caseworker))
    # then
    assert response.status_code == 422
    body = response.json()
    assert body["details"]["field"] == "members"
    assert "户主" in body["message"]
    assert not Household.objects.exists()


def test_shape_errors_name_the_field_in_chinese(client, bearer, caseworker, household_data):
    # given an unknown relation and no region code
    data = household_data()
    del data["region_code"]
    data["members"][0]["relation"] = "boss"
    # when
    response = post_json(client, URL, data, bearer(caseworker))
    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"].startswith("请求数据格式错误：")
    fields = {e["field"]: e["message"] for e in body["details"]["errors"]}
    assert set(fields) == {"body.region_code", "body.members.0.relation"}
    assert "body.members.0.relation" in body["message"]
    assert fields["body.region_code"] == "必填"
    assert "取值无效" in fields["body.members.0.relation"]


def test_unparsable_body_is_400(client, bearer, caseworker):
    # given / when
    response = client.post(URL, data="{not json", content_type="application/json", **bearer(caseworker))
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_member_of_another_household_is_409(client, bearer, caseworker, household, household_data):
    # given the head of ``household`` is registered again in a new household
    taken = household.head
    data = household_data(region=VILLAGE_A2)
    data["members"][0]["id_number"] = make_id()
    data["members"][1] = {"name": taken.name, "id_number": _reveal_id(taken), "relation": "spouse"}
    # when
    response = post_json(client, URL, data, bearer(caseworker))
    # then
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "person.in_other_household"
    assert household.number in body["message"] and "张**" in body["message"]
    assert body["details"]["field"] == "members[1].id_number"
    _assert_nothing_leaks(response, [data["members"][1]["id_number"], "张建国"])
    assert Household.objects.count() == 1


def _reveal_id(person):
    from jiuzhu.apps.registry import pii

    return pii.open_(person.id_number_enc, purpose="id_number")


def test_outsider_cannot_create_in_township_a(client, bearer, outsider, household_data):
    # given a household in township A's village, sent by township B's caseworker
    data = household_data(region=VILLAGE_A)
    # when
    response = post_json(client, URL, data, bearer(outsider))
    # then refused and nothing written
    assert response.status_code == 422
    body = response.json()
    assert body["details"]["field"] == "region_code"
    assert body["details"]["errors"][0]["code"] == "out_of_scope"
    assert not Household.objects.exists() and not Person.objects.exists()


def test_outsider_can_create_in_own_township(client, bearer, outsider, household_data):
    # given / when
    response = post_json(client, URL, household_data(region=VILLAGE_B), bearer(outsider))
    # then
    assert response.status_code == 201


def test_inspector_cannot_create(client, bearer, inspector, household_data):
    # given / when
    response = post_json(client, URL, household_data(), bearer(inspector))
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Household.objects.exists()


# ---- detail ----

def test_detail_has_members_and_history_masked(client, bearer, caseworker, household_data):
    # given a household whose spouse has left
    data = household_data()
    household = household_create(actor=caseworker, data=data, as_of=AS_OF)
    spouse = household.memberships.get(relation="spouse").person
    member_end(actor=caseworker, person_id=spouse.pk, reason="death", as_of=AS_OF)
    # when
    response = client.get(f"{URL}/{household.pk}", **bearer(caseworker))
    # then
    assert response.status_code == 200
    body = response.json()
    assert [m["name"] for m in body["members"]] == ["张建国"]
    assert [(m["person_id"], m["end_reason"]) for m in body["history"]] == [(str(spouse.pk), "death")]
    assert body["history"][0]["id_number_masked"].count("*") == 10
    _assert_nothing_leaks(response, _full_numbers(data))


def test_detail_is_404_for_outsider_and_unknown(client, bearer, outsider, caseworker, household):
    # given / when
    outside = client.get(f"{URL}/{household.pk}", **bearer(outsider))
    unknown = client.get(f"{URL}/{household.pk + 1000}", **bearer(caseworker))
    # then the outsider cannot tell whether it exists
    assert outside.status_code == 404 and unknown.status_code == 404
    assert outside.json() == unknown.json()
    assert outside.json()["code"] == "not_found"


def test_detail_bad_and_huge_ids_are_client_errors(client, bearer, caseworker):
    # given / when
    huge = client.get(f"{URL}/{2**70}", **bearer(caseworker))
    zero = client.get(f"{URL}/0", **bearer(caseworker))
    # then
    assert huge.status_code == 422 and zero.status_code == 422
    assert huge.json()["details"]["errors"][0]["field"] == "path.household_id"


def test_inspector_sees_county_household_masked(client, bearer, inspector, household):
    # given / when
    response = client.get(f"{URL}/{household.pk}", **bearer(inspector))
    # then
    assert response.status_code == 200
    assert _reveal_id(household.head) not in response.content.decode()
