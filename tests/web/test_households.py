from datetime import date

from django.urls import reverse

from jiuzhu.apps.registry.services import household_create
from tests.conftest import AS_OF, VILLAGE_A, VILLAGE_A2, make_id


def _create(actor, household_data, name="张建国", region=VILLAGE_A, **overrides):
    data = household_data(region=region, **overrides)
    data["members"][0]["name"] = name
    return household_create(actor=actor, data=data, as_of=AS_OF)


def test_list_shows_number_head_village_count_and_separation(client, caseworker, household_data):
    # given one ordinary household and one living in another village (人户分离)
    a = _create(caseworker, household_data, "张建国")
    b = _create(caseworker, household_data, "王大山", residence_region_code=VILLAGE_A2)
    client.force_login(caseworker)
    # when the caseworker opens the list
    page = client.get(reverse("web:household_list")).content.decode()
    # then both are shown with number, head, village and member count; only b has the badge
    assert a.number in page and b.number in page and "张建国" in page and "王大山" in page
    assert "珍珠半岛村" in page
    assert page.count('<span class="badge">人户分离</span>') == 1


def test_search_by_name_prefix_and_by_id_number(client, caseworker, household_data):
    a = _create(caseworker, household_data, "张建国")
    b = _create(caseworker, household_data, "王大山")
    client.force_login(caseworker)
    page = client.get(reverse("web:household_list"), {"q": "王"}).content.decode()
    assert b.number in page and a.number not in page
    id_number = make_id(date(1980, 1, 1))
    data = household_data()
    data["members"][0].update(name="赵小河", id_number=id_number)
    c = household_create(actor=caseworker, data=data, as_of=AS_OF)
    page = client.get(reverse("web:household_list"), {"q": id_number}).content.decode()
    assert c.number in page and a.number not in page and b.number not in page


def test_filter_by_village_and_area_type(client, caseworker, household_data):
    a = _create(caseworker, household_data, "张建国", region=VILLAGE_A)
    b = _create(caseworker, household_data, "王大山", region=VILLAGE_A2, area_type="urban")
    client.force_login(caseworker)
    page = client.get(reverse("web:household_list"), {"village": VILLAGE_A2}).content.decode()
    assert b.number in page and a.number not in page
    page = client.get(reverse("web:household_list"), {"area_type": "rural"}).content.decode()
    assert a.number in page and b.number not in page


def test_keyset_paging_with_next_link(client, caseworker, household_data, monkeypatch):
    from jiuzhu.web.views import households as views

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    made = [_create(caseworker, household_data, n) for n in ("甲一", "乙二", "丙三")]
    client.force_login(caseworker)
    resp = client.get(reverse("web:household_list"))
    page = resp.content.decode()
    assert made[2].number in page and made[1].number in page and made[0].number not in page
    assert f"after={made[1].pk}" in page and "下一页" in page
    page = client.get(reverse("web:household_list"), {"after": made[1].pk}).content.decode()
    assert made[0].number in page and made[1].number not in page and "下一页" not in page


def test_list_is_scoped_to_the_users_township(client, household, outsider):
    client.force_login(outsider)
    page = client.get(reverse("web:household_list")).content.decode()
    assert household.number not in page and "没有符合条件的家庭" in page
    assert "珍珠半岛村" not in page  # township A's villages are not even offered as filters


def test_bad_paging_parameter_is_ignored(client, caseworker, household):
    client.force_login(caseworker)
    resp = client.get(reverse("web:household_list"), {"after": "abc"})
    assert resp.status_code == 200 and household.number in resp.content.decode()


def test_detail_shows_household_members_masked(client, village_user, household):
    client.force_login(village_user)
    resp = client.get(reverse("web:household_detail", args=[household.pk]))
    page = resp.content.decode()
    assert resp.status_code == 200
    assert household.number in page and "张建国" in page and "李秀英" in page and "配偶" in page
    assert "**********" in page
    head = household.head
    assert head.id_number_masked in page
    # the village assistant may edit but may not see full numbers
    assert "显示完整号码" not in page and "修改家庭信息" in page


def test_detail_outside_scope_is_404_in_chinese(client, outsider, household):
    client.force_login(outsider)
    resp = client.get(reverse("web:household_detail", args=[household.pk]))
    assert resp.status_code == 404
    assert "不存在或不在您的管辖范围内" in resp.content.decode()
    assert "张建国" not in resp.content.decode()


def test_detail_of_missing_household_is_404(client, caseworker, regions):
    client.force_login(caseworker)
    assert client.get(reverse("web:household_detail", args=[999999])).status_code == 404


def test_read_only_roles_see_no_write_buttons(client, inspector, reviewer, household):
    for user in (inspector, reviewer):
        client.force_login(user)
        page = client.get(reverse("web:household_detail", args=[household.pk])).content.decode()
        assert "修改家庭信息" not in page and "添加成员" not in page and "办理离开" not in page
        page = client.get(reverse("web:household_list")).content.decode()
        assert reverse("web:household_create") not in page
