from django.urls import reverse

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.registry.models import Household, Person
from jiuzhu.rules import idcard
from tests.conftest import VILLAGE_A, VILLAGE_B, bad_check_digit
from tests.web.helpers import field_block, field_error, form_post


def test_create_form_has_scoped_villages_and_four_member_rows(client, caseworker):
    client.force_login(caseworker)
    page = client.get(reverse("web:household_create")).content.decode()
    assert "珍珠半岛村" in page and "王家源村" not in page
    for i in range(4):
        assert f'name="m-{i}-id_number"' in page
    assert "添加成员" in page and 'id="member-row-template"' in page


def test_create_saves_only_filled_rows_and_redirects_to_detail(client, caseworker, household_data):
    # given a valid household with two members in a four-row form
    client.force_login(caseworker)
    post = form_post(household_data())
    # when it is submitted
    resp = client.post(reverse("web:household_create"), post)
    # then the household exists with exactly two members and the user sees its page
    hh = Household.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("web:household_detail", args=[hh.pk])
    assert hh.member_count == 2 and hh.head_name == "张建国"
    assert AuditEvent.objects.filter(action="household.create").count() == 1


def test_wrong_check_digit_shown_next_to_that_member_and_nothing_saved(client, caseworker, household_data):
    # given the second member's ID number has a wrong check digit
    data = household_data()
    bad = bad_check_digit(data["members"][1]["id_number"])
    data["members"][1]["id_number"] = bad
    client.force_login(caseworker)
    # when the form is submitted
    resp = client.post(reverse("web:household_create"), form_post(data))
    html = resp.content.decode()
    # then the error is next to member 2's ID field, the input is kept and nothing is saved
    assert resp.status_code == 422
    assert field_error(html, "m-1-id_number") == "身份证号校验位错误，请核对后重新输入"
    assert field_error(html, "m-0-id_number") is None
    assert f'value="{bad}"' in field_block(html, "m-1-id_number")
    assert 'value="李秀英"' in html and 'value="珍珠半岛村12号"' in html
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_impossible_birth_date_shown_next_to_id_field(client, caseworker, household_data):
    data = household_data()
    first17 = "33012719670230002"  # 30 February
    data["members"][0]["id_number"] = first17 + idcard.check_char(first17)
    client.force_login(caseworker)
    html = client.post(reverse("web:household_create"), form_post(data)).content.decode()
    assert "19670230 不存在" in field_error(html, "m-0-id_number")
    assert Household.objects.count() == 0


def test_each_error_goes_to_its_own_field(client, caseworker, household_data):
    # given several mistakes at once: bad bank account, empty name, bad phone, inconsistent disability
    data = household_data(bank_account="12ab")
    data["members"][0]["name"] = ""
    data["members"][1].update(phone="12345", disability_kind="physical", disability_grade=0)
    client.force_login(caseworker)
    html = client.post(reverse("web:household_create"), form_post(data)).content.decode()
    assert field_error(html, "bank_account") == "银行账号应为12–30位数字"
    assert field_error(html, "m-0-name") == "姓名不能为空"
    assert field_error(html, "m-1-phone").startswith("联系电话应为11位手机号")
    assert field_error(html, "m-1-disability_grade").startswith("残疾类别与残疾等级不一致")
    assert field_error(html, "m-1-name") is None and field_error(html, "m-0-id_number") is None
    assert Household.objects.count() == 0


def test_empty_rows_in_between_are_dropped_and_errors_follow_the_compacted_rows(client, caseworker, household_data):
    data = household_data()
    post = form_post(data)
    # move member 2 to row 4, leaving rows 2-3 empty, and break its ID
    for key in ("name", "id_number", "relation", "phone"):
        post[f"m-3-{key}"] = post.pop(f"m-1-{key}")
        post[f"m-1-{key}"] = ""
    post["m-3-id_number"] = bad_check_digit(post["m-3-id_number"])
    client.force_login(caseworker)
    html = client.post(reverse("web:household_create"), post).content.decode()
    # the re-rendered form shows the member as row 2 with its error there
    assert field_error(html, "m-1-id_number") == "身份证号校验位错误，请核对后重新输入"
    assert 'value="李秀英"' in field_block(html, "m-1-name")


def test_person_in_another_household_is_named_masked(client, caseworker, household, household_data):
    # given a person who already belongs to the household fixture
    head = household.memberships.get(relation="head").person
    from jiuzhu.apps.registry import pii

    data = household_data()
    data["members"][1].update(name=head.name, id_number=pii.open_(head.id_number_enc, purpose="id_number"), relation="parent")
    client.force_login(caseworker)
    # when a new household lists them as a member
    resp = client.post(reverse("web:household_create"), form_post(data))
    html = resp.content.decode()
    # then the conflict is shown at that member's ID field, naming the other household masked
    message = field_error(html, "m-1-id_number")
    assert resp.status_code == 422
    assert household.number in message and "（户主 张**）" in message
    assert Household.objects.count() == 1


def test_village_outside_scope_is_rejected_at_region_field(client, caseworker, household_data):
    client.force_login(caseworker)
    html = client.post(reverse("web:household_create"), form_post(household_data(region=VILLAGE_B))).content.decode()
    assert "不在您的管辖范围内" in field_error(html, "region_code")
    assert Household.objects.count() == 0


def test_no_members_is_a_general_error(client, caseworker, household_data):
    client.force_login(caseworker)
    html = client.post(reverse("web:household_create"), form_post(household_data(members=[]))).content.decode()
    assert "至少登记一名家庭成员" in html and Household.objects.count() == 0


def test_inspector_and_reviewer_cannot_create(client, inspector, reviewer, household_data):
    for user in (inspector, reviewer):
        client.force_login(user)
        assert client.get(reverse("web:household_create")).status_code == 403
        resp = client.post(reverse("web:household_create"), form_post(household_data()))
        assert resp.status_code == 403 and "无权" in resp.content.decode()
    assert Household.objects.count() == 0


def test_edit_changes_household_fields_and_bumps_version(client, caseworker, household):
    client.force_login(caseworker)
    page = client.get(reverse("web:household_edit", args=[household.pk])).content.decode()
    assert f'name="version" value="{household.version}"' in page
    resp = client.post(reverse("web:household_edit", args=[household.pk]), {
        "version": household.version, "residence_region_code": VILLAGE_A, "area_type": "urban",
        "address": "新地址8号", "bank_account": "6228480012345678901", "bank_name": "农业银行"})
    assert resp.status_code == 302
    household.refresh_from_db()
    assert household.area_type == "urban" and household.address == "新地址8号" and household.version == 2
    assert household.bank_account_masked.startswith("6228")


def test_edit_with_stale_version_says_changed_by_someone_else(client, caseworker, household):
    client.force_login(caseworker)
    resp = client.post(reverse("web:household_edit", args=[household.pk]), {
        "version": household.version - 1 + 5, "area_type": "urban", "address": "x"})
    assert resp.status_code == 409
    assert "该家庭信息已被他人修改，请刷新后重试" in resp.content.decode()
    household.refresh_from_db()
    assert household.area_type == "rural"


def test_edit_errors_shown_next_to_field_and_nothing_changed(client, caseworker, household):
    client.force_login(caseworker)
    resp = client.post(reverse("web:household_edit", args=[household.pk]), {
        "version": household.version, "area_type": "urban", "bank_account": "123"})
    assert field_error(resp.content.decode(), "bank_account") == "银行账号应为12–30位数字"
    household.refresh_from_db()
    assert household.area_type == "rural" and household.version == 1


def test_outsider_cannot_open_or_post_the_edit_form(client, outsider, household):
    client.force_login(outsider)
    url = reverse("web:household_edit", args=[household.pk])
    assert client.get(url).status_code == 404
    resp = client.post(url, {"version": household.version, "area_type": "urban", "address": "被篡改"})
    assert resp.status_code == 404
    household.refresh_from_db()
    assert household.address == "珍珠半岛村12号" and household.version == 1


def test_inspector_cannot_edit(client, inspector, household):
    client.force_login(inspector)
    url = reverse("web:household_edit", args=[household.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": 1, "area_type": "urban"}).status_code == 403

