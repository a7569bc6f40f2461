"""The new-case form's near-relative declaration (members and staff to choose from, and it submits),
every validation error of a form at once under its field, and defaults so an untouched form passes."""

import re
from datetime import date

import pytest
from django.urls import reverse

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.registry.models import Household
from tests.conftest import VILLAGE_A, make_id

from .helpers import field_error
from .test_cases_support import case_in, people  # noqa: F401  (people is a fixture)

pytestmark = pytest.mark.django_db


def _options(html: str, select_name: str) -> list[str]:
    m = re.search(rf'<select id="[^"]*" name="{re.escape(select_name)}">(.*?)</select>', html, re.S)
    assert m, select_name
    return re.findall(r'<option value="([^"]+)"', m.group(1))


def test_relative_member_dropdown_lists_the_household_and_staff_are_suggested(client, people, household):
    cw = people["caseworker"]
    cw.display_name, cw.post = "李经办", "千岛湖镇社会救助经办人"
    cw.save()
    client.force_login(people["village"])
    page = client.get(reverse("web:case_new", args=[household.pk])).content.decode()
    # the member drop-down of the declaration row (and of the row template) offers the members by name
    assert _options(page, "relatives[0].member") == ["张建国", "李秀英"]
    assert _options(page, "relatives[__i__].member") == ["张建国", "李秀英"]
    # staff of the village, township and county are suggested with their posts; posts too
    names = re.search(r'<datalist id="staff-names">(.*?)</datalist>', page, re.S).group(1)
    assert '<option value="李经办">千岛湖镇社会救助经办人</option>' in names
    assert 'list="staff-names"' in page and 'list="staff-posts"' in page
    assert '<option value="村(居)委会主任">' in page
    # the outsider's township staff are not offered
    assert people["outsider"].display_name not in names


def test_relative_declaration_submits_with_the_chosen_member(client, people, household):
    client.force_login(people["caseworker"])
    spouse = "李秀英"
    resp = client.post(reverse("web:case_new", args=[household.pk]), {
        "program": "dibao", "applicant": str(household.head_id), "channel": "window", "id_checked": "on",
        "authorization_signed": "on", "economic_form_signed": "on", "has_relatives": "on",
        "relatives[0].member": spouse, "relatives[0].staff_name": "李经办",
        "relatives[0].staff_position": "千岛湖镇社会救助经办人", "relatives[0].relation": "姐弟"})
    case = Case.objects.get(household=household)
    assert resp.status_code == 302 and case.relative_flag
    assert case.relative_note == "李秀英与李经办(千岛湖镇社会救助经办人)系姐弟"
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'id="relative-badge"' in page


def test_new_case_shows_every_error_at_once(client, people, household):
    client.force_login(people["caseworker"])
    # a bad program, no applicant, a channel not allowed and a declaration row missing two fields
    resp = client.post(reverse("web:case_new", args=[household.pk]), {
        "program": "x", "applicant": "", "channel": "online", "has_relatives": "on",
        "relatives[0].member": "张建国", "relatives[0].staff_name": "", "relatives[0].staff_position": "",
        "relatives[0].relation": "兄弟"})
    page = resp.content.decode()
    assert resp.status_code == 422
    assert "救助项目只能是" in field_error(page, "program")
    assert field_error(page, "applicant") == "申请人不存在"
    assert "申请渠道无效" in field_error(page, "channel")
    assert "不能为空" in field_error(page, "relatives[0].staff_name")
    assert "不能为空" in field_error(page, "relatives[0].staff_position")
    assert not Case.objects.exists()


def test_action_form_shows_every_error_at_once(client, people, household):
    case = case_in(people, household, "accepted")
    client.force_login(people["caseworker"])
    resp = client.post(reverse("web:case_action", args=[case.pk, "record_survey"]), {
        "version": case.version, "date": "2099-01-01", "investigators": "王经办", "living_conditions": "",
        "findings": ""})
    page = resp.content.decode()
    assert resp.status_code == 422
    assert "不能晚于办理当日" in field_error(page, "date")
    assert "至少需要 2 项" in field_error(page, "investigators")
    assert field_error(page, "living_conditions") and field_error(page, "findings")
    case.refresh_from_db()
    assert case.state == "accepted"


def test_household_form_defaults_to_the_users_village_and_residence_follows_registration(client, village_user):
    client.force_login(village_user)
    page = client.get(reverse("web:household_create")).content.decode()
    assert re.search(rf'<option value="{VILLAGE_A}" selected>', page)
    assert '<option value="">与户籍地相同</option>' in page
    # an untouched form with only the head filled in passes with these defaults
    form = {"region_code": VILLAGE_A, "residence_region_code": "", "area_type": "rural", "address": "",
            "bank_account": "", "bank_name": "", "m-0-name": "王小明", "m-0-id_number": make_id(date(1990, 1, 1)),
            "m-0-relation": "head", "m-0-disability_kind": "none", "m-0-disability_grade": "0",
            "m-0-health": "healthy", "m-0-co_resident": "on"}
    resp = client.post(reverse("web:household_create"), form)
    hh = Household.objects.get()
    assert resp.status_code == 302 and hh.residence_region_id == VILLAGE_A


def test_household_form_shows_every_error_at_once(client, caseworker):
    client.force_login(caseworker)
    resp = client.post(reverse("web:household_create"), {
        "region_code": "", "area_type": "nowhere", "bank_account": "12", "m-0-name": "王小明",
        "m-0-id_number": "330127199001011230", "m-0-relation": "head", "m-0-disability_kind": "none",
        "m-0-disability_grade": "0", "m-0-health": "healthy"})
    page = resp.content.decode()
    assert resp.status_code == 422
    for name in ("region_code", "area_type", "bank_account", "m-0-id_number"):
        assert field_error(page, name), name
    assert Household.objects.count() == 0
