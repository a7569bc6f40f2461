"""/api/v1/enrollments: list (filters, paging, masking), detail with change and payment history, the
lifecycle actions — happy paths, bad input (422 naming the field, nothing changed), another
township's user (404, nothing changed)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.payments.services import payroll_prepare
from tests.apps.payments.conftest import enroll, make_household, make_person
from tests.conftest import COUNTY, VILLAGE_A, VILLAGE_A2, VILLAGE_B

from .conftest import post_json

pytestmark = pytest.mark.django_db
URL = "/api/v1/enrollments"


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def next_month() -> date:
    m = this_month()
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1)


@pytest.fixture
def enrolled(regions):
    """Township A: two dibao households and a 特困 person; township B: one dibao household."""
    a1 = enroll(make_household(VILLAGE_A, head="张建国"), amount="650.00", klass="A")
    a2 = enroll(make_household(VILLAGE_A2, head="王秀兰", members=3), amount="1200.50", klass="B", persons=3,
                status="suspended")
    hh = make_household(VILLAGE_A, head="刘大海", members=1)
    a3 = enroll(hh, program="tekun", amount="800.00", klass="", persons=1, person=make_person("周桂英"))
    b1 = enroll(make_household(VILLAGE_B, head="陈志强", members=4), amount="999.99", klass="C", persons=4)
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def state(e) -> tuple:
    e = Enrollment.objects.get(pk=e.pk)
    return (e.status, e.amount, e.klass, e.version, e.changes.count(), AuditEvent.objects.count())


def test_list_is_scoped_filtered_paged_and_masked(client, bearer, caseworker, enrolled):
    headers = bearer(caseworker)
    a1, a2, a3, b1 = (str(enrolled[k].pk) for k in ("a1", "a2", "a3", "b1"))
    # newest first, township A only (township B's enrollment never shows, whatever the filter asks)
    assert ids(client.get(URL, **headers)) == [a3, a2, a1]
    assert ids(client.get(URL, {"region": VILLAGE_B}, **headers)) == []
    assert ids(client.get(URL, {"region": VILLAGE_A2}, **headers)) == [a2]
    assert ids(client.get(URL, {"program": "tekun"}, **headers)) == [a3]
    assert ids(client.get(URL, {"status": "suspended"}, **headers)) == [a2]
    assert ids(client.get(URL, {"month": "2025-12"}, **headers)) == []  # all start in January 2026
    # paged by id
    first = client.get(URL, {"limit": 2}, **headers).json()
    assert [i["id"] for i in first["items"]] == [a3, a2] and first["next_after"] == a2
    second = client.get(URL, {"limit": 2, "after": first["next_after"]}, **headers).json()
    assert [i["id"] for i in second["items"]] == [a1] and second["next_after"] is None
    # masked accounts and ID numbers, amounts as strings, the month's terms
    items = {i["id"]: i for i in first["items"]}
    tekun = items[a3]
    assert "*" in tekun["bank_account"] and "*" in tekun["person_id_number"] and tekun["person_name"] == "周桂英"
    assert tekun["amount"] == "800.00" and tekun["month_terms"]["payable"] is True
    assert items[a2]["month_terms"]["payable"] is False and items[a2]["status_label"] == "暂停"


def test_list_bad_filters_are_422_naming_the_field(client, bearer, caseworker, enrolled):
    headers = bearer(caseworker)
    for params, field in [({"status": "gone"}, "status"), ({"month": "2026-13"}, "month"),
                          ({"month": "0000-01"}, "month"), ({"region": "33"}, "region"), ({"limit": 0}, "limit")]:
        response = client.get(URL, params, **headers)
        assert response.status_code == 422, (params, response.content)
        body = response.json()
        assert field in body["message"] or body["details"].get("field") == field
    assert client.get(URL).status_code == 401


def test_detail_has_change_and_payment_history(client, bearer, caseworker, county_user, enrolled):
    e = enrolled["a1"]
    payroll_prepare(actor=county_user, region_code=COUNTY, month=this_month(), now=timezone.now())
    headers = bearer(caseworker)
    # when the caseworker lowers the amount
    response = post_json(client, f"{URL}/{e.pk}/actions/adjust",
                         {"amount": "420.00", "klass": "C", "reason": "家庭成员就业，收入增加"}, headers)
    # then the change is on record from next month, this month still pays the old terms
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["amount"], body["klass"], body["version"]) == ("420.00", "C", 2)
    assert body["month_terms"] == {"month": this_month().isoformat(), "status": "active", "amount": "650.00",
                                   "klass": "A", "payable": True}
    [change] = body["changes"]
    assert (change["kind"], change["old_amount"], change["new_amount"]) == ("adjust", "650.00", "420.00")
    assert change["effective_month"] == next_month().isoformat() and "第三十二条" in change["legal_ground"]
    # and the payment history shows this month's line at the old amount
    detail = client.get(f"{URL}/{e.pk}", **headers).json()
    [payment] = detail["payments"]
    assert (payment["month"], payment["amount"], payment["status"]) == (this_month().isoformat(), "650.00", "pending")
    assert payment["batch_number"].startswith(f"{COUNTY}-{this_month():%Y%m}-ZC01")
    assert set(detail["allowed_actions"]) == {"adjust", "suspend", "stop", "graduate"}


def test_suspend_resume_stop_through_the_api(client, bearer, caseworker, county_user, enrolled):
    e = enrolled["a1"]
    headers = bearer(caseworker)
    reason = {"reason": "外出务工，暂无法核实家庭情况"}
    assert post_json(client, f"{URL}/{e.pk}/actions/suspend", reason, headers).json()["status"] == "suspended"
    assert post_json(client, f"{URL}/{e.pk}/actions/resume", reason, headers).json()["status"] == "active"
    stopped = post_json(client, f"{URL}/{e.pk}/actions/stop", {"reason": "人均收入超过标准"}, bearer(county_user))
    assert stopped.status_code == 200 and stopped.json()["stopped_month"] == next_month().isoformat()
    # stopping again: not allowed from 停保, nothing changes
    before = state(e)
    again = post_json(client, f"{URL}/{e.pk}/actions/stop", {"reason": "再次停保"}, headers)
    assert again.status_code == 409 and again.json()["code"] == "enrollment.wrong_status"
    assert "停保" in again.json()["message"] and state(e) == before


@pytest.mark.parametrize("payload, field, words", [
    ({"amount": "-5", "reason": "减发"}, "amount", "调整后月保障金"),
    ({"amount": "abc", "reason": "减发"}, "amount", "调整后月保障金"),
    ({"amount": "500.00"}, "reason", "变更理由"),
    ({"amount": "500.00", "reason": "减发", "klass": "E"}, "klass", "分类"),
    ({"amount": "500.00", "reason": "减发", "sneaky": 1}, "sneaky", ""),
])
def test_bad_action_input_is_422_naming_the_field_and_changes_nothing(client, bearer, caseworker, enrolled, payload,
                                                                       field, words):
    e = enrolled["a1"]
    headers = bearer(caseworker)  # (issuing a token is audited)
    before = state(e)
    response = post_json(client, f"{URL}/{e.pk}/actions/adjust", payload, headers)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["details"]["field"] == field and words in body["message"]
    assert state(e) == before


def test_other_township_gets_404_and_nothing_changes(client, bearer, outsider, caseworker, enrolled):
    e = enrolled["a1"]
    headers, own = bearer(outsider), bearer(caseworker)
    before = state(e)
    assert client.get(f"{URL}/{e.pk}", **headers).status_code == 404
    for kind, payload in [("adjust", {"amount": "1.00", "reason": "越权"}), ("stop", {"reason": "越权"}),
                          ("suspend", {"reason": "越权"})]:
        response = post_json(client, f"{URL}/{e.pk}/actions/{kind}", payload, headers)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert state(e) == before
    # while township A's caseworker may
    assert post_json(client, f"{URL}/{e.pk}/actions/stop", {"reason": "x"}, own).status_code == 200


def test_unknown_action_and_role(client, bearer, village_user, enrolled):
    e = enrolled["a1"]
    headers = bearer(village_user)
    before = state(e)
    response = post_json(client, f"{URL}/{e.pk}/actions/delete", {}, headers)
    assert response.status_code == 404 and "未知的变更类型" in response.json()["message"]
    response = post_json(client, f"{URL}/{e.pk}/actions/stop", {"reason": "x"}, headers)
    assert response.status_code == 403 and response.json()["code"] == "enrollment.role"
    assert state(e) == before


def test_openapi_documents_the_enrollment_operations(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/enrollments", "/api/v1/enrollments/{enrollment_id}",
            "/api/v1/enrollments/{enrollment_id}/actions/adjust"} <= set(paths)
    body = paths["/api/v1/enrollments/{enrollment_id}/actions/adjust"]["post"]["requestBody"]
    assert "amount" in body["content"]["application/json"]["schema"]["properties"]
