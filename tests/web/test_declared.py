"""Issue 13 §1: declared income (per member, by kind) and household assets are shown on the household
page and can be added, changed and deleted there; bad input is a Chinese error next to its field."""

from decimal import Decimal

import pytest
from django.urls import reverse

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.registry.models import Household, Person
from tests.web.helpers import field_error

pytestmark = pytest.mark.django_db


def _head(household):
    return household.memberships.get(relation="head", end_date__isnull=True).person


def _page(client, household) -> str:
    return client.get(reverse("web:household_detail", args=[household.pk])).content.decode()


def test_the_wage_the_calculation_reads_is_on_the_household_page(client, caseworker, household):
    # given a head whose declared wage the calculation reads
    head = _head(household)
    Person.objects.filter(pk=head.pk).update(wage=Decimal("2300.00"))
    client.force_login(caseworker)
    # when the caseworker opens the household page
    html = _page(client, household)
    # then the wage is there, by kind, monthly and annual
    section = html[html.index(f'id="declared-{head.pk}"'):]
    assert "工资性收入" in section and "2300.00" in section and "27600.00" in section


def test_add_change_and_delete_an_income_item(client, caseworker, household):
    head = _head(household)
    client.force_login(caseworker)
    url = reverse("web:declared_income_set", args=[household.pk, head.pk])
    # add: an annual transfer income is stored as its monthly twelfth (R-INC-02 reads monthly income)
    resp = client.post(url, {"kind": "transfer", "amount": "6000", "period": "year"})
    assert resp.status_code == 302
    head.refresh_from_db()
    assert head.transfer == Decimal("500.00")
    # change it
    assert client.post(url, {"kind": "transfer", "amount": "480.50", "period": "month"}).status_code == 302
    head.refresh_from_db()
    assert head.transfer == Decimal("480.50")
    assert "480.50" in _page(client, household)
    # delete it
    resp = client.post(reverse("web:declared_income_clear", args=[household.pk, head.pk]), {"kind": "transfer"})
    assert resp.status_code == 302
    head.refresh_from_db()
    assert head.transfer == 0
    actions = list(AuditEvent.objects.filter(subject_type="household", subject_id=str(household.pk))
                   .values_list("action", flat=True))
    assert actions.count("household.declared_income_set") == 2 and "household.declared_income_clear" in actions


@pytest.mark.parametrize("post, field, message", [
    ({"kind": "wage", "amount": "-5"}, "declared-amount", "金额(元)：工资性收入不能为负数"),
    ({"kind": "pension", "amount": "100"}, "declared-kind", "收入类别：取值无效"),
    ({"kind": "wage", "amount": "一千"}, "declared-amount", "金额(元)：应为数字"),
    ({"kind": "wage", "amount": "1.234"}, "declared-amount", "金额(元)：最多两位小数"),
    ({"kind": "wage"}, "declared-amount", "金额(元)：必填"),
    ({"kind": "wage", "amount": "100", "period": "week"}, "declared-period", "周期：取值无效"),
])
def test_bad_income_input_is_shown_next_to_its_field_and_changes_nothing(client, caseworker, household, post,
                                                                       field, message):
    head = _head(household)
    before = (head.wage, head.business, head.property_income, head.transfer)
    client.force_login(caseworker)
    resp = client.post(reverse("web:declared_income_set", args=[household.pk, head.pk]), post)
    assert resp.status_code == 422
    assert field_error(resp.content.decode(), field).startswith(message)
    head.refresh_from_db()
    assert (head.wage, head.business, head.property_income, head.transfer) == before


def test_a_business_loss_may_be_declared(client, caseworker, household):
    # R-INC-02: a business net loss counts as 0, but it is declared as it is
    head = _head(household)
    client.force_login(caseworker)
    resp = client.post(reverse("web:declared_income_set", args=[household.pk, head.pk]),
                       {"kind": "business", "amount": "-300", "period": "month"})
    assert resp.status_code == 302
    head.refresh_from_db()
    assert head.business == Decimal("-300.00")


def test_deleting_an_unknown_kind_is_an_error(client, caseworker, household):
    head = _head(household)
    client.force_login(caseworker)
    resp = client.post(reverse("web:declared_income_clear", args=[household.pk, head.pk]), {"kind": "salary"})
    assert resp.status_code == 422
    assert "收入类别" in resp.content.decode()


def test_household_assets_add_change_delete_and_errors(client, caseworker, household):
    client.force_login(caseworker)
    url = reverse("web:declared_assets", args=[household.pk])
    # add
    resp = client.post(url, {"financial": "12000", "vehicle_count": "1", "max_vehicle_value": "30000",
                             "version": household.version})
    assert resp.status_code == 302
    hh = Household.objects.get(pk=household.pk)
    assert (hh.financial_assets, hh.vehicle_count, hh.max_vehicle_value) == (Decimal("12000"), 1, Decimal("30000"))
    assert "金融资产" in _page(client, hh) and "12000.00" in _page(client, hh)
    # bad input: negative, not a number, a vehicle value without vehicle; nothing changes
    for post, field, message in [({"financial": "-1"}, "asset-financial", "金融资产(元)：不能小于 0"),
                                 ({"residential_properties": "两套"}, "asset-residential_properties", "住房套数：应为整数"),
                                 ({"vehicle_count": "0"}, "asset-max_vehicle_value", "最高车辆价值(元)：没有机动车时应为 0")]:
        resp = client.post(url, post)
        assert resp.status_code == 422, post
        assert field_error(resp.content.decode(), field) == message
    assert Household.objects.get(pk=household.pk).financial_assets == Decimal("12000")
    # delete the vehicle
    assert client.post(url, {"vehicle_count": "0", "max_vehicle_value": "0"}).status_code == 302
    hh = Household.objects.get(pk=household.pk)
    assert (hh.vehicle_count, hh.max_vehicle_value) == (0, 0)
    assert AuditEvent.objects.filter(action="household.declared_assets", subject_id=str(household.pk)).count() == 2


def test_stale_version_is_refused(client, caseworker, household):
    client.force_login(caseworker)
    resp = client.post(reverse("web:declared_assets", args=[household.pk]),
                       {"financial": "5", "version": household.version - 1 if household.version > 1 else 999})
    assert resp.status_code == 409
    assert "已被他人修改" in resp.content.decode()


def test_outsider_cannot_see_or_change_the_declaration(client, outsider, household):
    head = _head(household)
    client.force_login(outsider)
    assert client.get(reverse("web:household_detail", args=[household.pk])).status_code == 404
    resp = client.post(reverse("web:declared_income_set", args=[household.pk, head.pk]),
                       {"kind": "wage", "amount": "1"})
    assert resp.status_code == 404
    assert client.post(reverse("web:declared_income_clear", args=[household.pk, head.pk]),
                       {"kind": "wage"}).status_code == 404
    assert client.post(reverse("web:declared_assets", args=[household.pk]), {"financial": "1"}).status_code == 404
    head.refresh_from_db()
    assert head.wage != Decimal("1") and Household.objects.get(pk=household.pk).financial_assets != Decimal("1")
    assert not AuditEvent.objects.filter(action__startswith="household.declared").exists()


def test_readers_see_but_cannot_change(client, inspector, household):
    head = _head(household)
    Person.objects.filter(pk=head.pk).update(wage=Decimal("1500.00"))
    client.force_login(inspector)
    html = _page(client, household)
    assert "1500.00" in html and "添加或修改一项收入" not in html and "添加或修改财产" not in html
    resp = client.post(reverse("web:declared_income_set", args=[household.pk, head.pk]), {"kind": "wage", "amount": "1"})
    assert resp.status_code == 403
