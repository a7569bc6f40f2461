"""Monitoring API (``/api/v1/monitoring``): the alert queue and detail, dispose, referral feedback and
registering a low-income household. Errors ``{code, message, details.field}`` in Chinese; another
township gets 404 and changes nothing; ID numbers only masked."""

from __future__ import annotations

import json

import pytest

from jiuzhu.apps.monitoring.models import Alert, LowIncomeEntry, Referral
from jiuzhu.apps.monitoring.scan import monitor_scan
from tests.apps.monitoring.conftest import EXPECTED, NOW, homes, ids, snapshots  # noqa: F401 (fixtures)
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

from .conftest import post_json

pytestmark = pytest.mark.django_db
BASE = "/api/v1/monitoring"


@pytest.fixture
def alerts(snapshots, caseworker):  # noqa: F811
    monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW)
    return {(a.type, a.person.name): a for a in Alert.objects.select_related("person")}


def _state(alert):
    alert.refresh_from_db()
    return alert.status, alert.disposition, alert.result, alert.version


def test_list_filters_and_masks(client, bearer, alerts, caseworker, ids):  # noqa: F811
    h = bearer(caseworker)
    r = client.get(f"{BASE}/alerts", **h)
    body = r.json()
    assert r.status_code == 200 and len(body["items"]) == len(EXPECTED) and body["next_page"] is None
    assert {(i["type"], i["person_name"]) for i in body["items"]} == EXPECTED
    assert all(n not in r.content.decode() for n in ids.values())
    assert all("*" in i["person_id_number"] for i in body["items"])
    r = client.get(f"{BASE}/alerts?type=unemployment&status=open&region={TOWNSHIP_A}", **h)
    assert {i["person_name"] for i in r.json()["items"]} == {"李秀英", "刘六"}
    Alert.objects.filter(type="death").update(due_date="2026-01-05")
    Alert.objects.exclude(type="death").update(due_date="2099-12-31")  # not overdue whatever the clock says
    r = client.get(f"{BASE}/alerts?overdue=true", **h)
    assert [(i["type"], i["overdue"]) for i in r.json()["items"]] == [("death", True)]
    r = client.get(f"{BASE}/alerts?type=lottery", **h)
    assert r.status_code == 422 and r.json()["code"] == "validation_error"


def test_scope_and_roles_on_reads(client, bearer, alerts, outsider, village_user):
    a = alerts[("medical_expense", "张建国")]
    h = bearer(outsider)
    assert client.get(f"{BASE}/alerts", **h).json()["items"] == []
    r = client.get(f"{BASE}/alerts?region={TOWNSHIP_A}", **h)
    assert r.status_code == 404 and r.json()["details"]["field"] == "region"
    r = client.get(f"{BASE}/alerts/{a.pk}", **h)
    assert r.status_code == 404 and r.json()["code"] == "not_found" and "管辖范围" in r.json()["message"]
    assert client.get(f"{BASE}/alerts", **bearer(village_user)).status_code == 403
    assert client.get(f"{BASE}/alerts").status_code == 401


def test_dispose_refer_then_feedback_closes(client, bearer, alerts, caseworker):
    a = alerts[("medical_expense", "王五")]
    h = bearer(caseworker)
    r = post_json(client, f"{BASE}/alerts/{a.pk}/dispose",
                  {"disposition": "refer", "result": "推送医保局", "departments": ["medical", "残疾人帮扶（残疾人联合会）"]}, h)
    body = r.json()
    assert r.status_code == 200 and body["status"] == "in_progress" and body["disposition_label"] == "分类推送"
    assert [x["department"] for x in body["referrals"]] == ["medical", "disability"]
    detail = client.get(f"{BASE}/alerts/{a.pk}", **h).json()
    assert detail["referrals"][0]["status"] == "sent"
    first, second = (x["id"] for x in body["referrals"])
    r = post_json(client, f"{BASE}/referrals/{first}/feedback", {"feedback": "已给予医疗救助", "assisted": True}, h)
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = post_json(client, f"{BASE}/referrals/{second}/feedback", {"feedback": "不符合条件", "assisted": False}, h)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = post_json(client, f"{BASE}/referrals/{second}/feedback", {"feedback": "again", "assisted": False}, h)
    assert r.status_code == 409 and r.json()["details"]["field"] == "feedback"
    r = post_json(client, f"{BASE}/alerts/{a.pk}/dispose", {"disposition": "implement", "result": "x"}, h)
    assert r.status_code == 409 and r.json()["code"] == "monitor.already_disposed"


def test_dispose_implement_and_verify_close(client, bearer, alerts, caseworker):
    h = bearer(caseworker)
    a = alerts[("medical_expense", "张建国")]
    r = post_json(client, f"{BASE}/alerts/{a.pk}/dispose", {"disposition": "落实政策", "result": "已落实"}, h)
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["disposition"] == "implement"
    b = alerts[("new_vehicle", "李秀英")]
    r = post_json(client, f"{BASE}/alerts/{b.pk}/dispose", {"disposition": "verify_close", "result": "核查车辆"}, h)
    assert r.status_code == 200 and r.json()["recheck_case"] is not None


@pytest.mark.parametrize("payload, status, field", [
    ({"disposition": "ignore", "result": "x"}, 422, "disposition"),
    ({"disposition": "refer", "result": "x"}, 422, "departments"),
    ({"disposition": "implement", "result": "x", "departments": ["medical"]}, 422, "departments"),
    ({"disposition": "implement"}, 422, "result"),
    ({"disposition": "implement", "result": "x", "extra": 1}, 422, "extra"),
    ([1, 2], 422, "payload"),
])
def test_dispose_bad_input_changes_nothing(client, bearer, alerts, caseworker, payload, status, field):
    a = alerts[("unemployment", "李秀英")]
    before = _state(a)
    r = post_json(client, f"{BASE}/alerts/{a.pk}/dispose", payload, bearer(caseworker))
    body = r.json()
    assert r.status_code == status and body["details"]["field"] == field and body["message"]
    assert _state(a) == before and not Referral.objects.exists()


def test_dispose_bad_json_is_400(client, bearer, alerts, caseworker):
    a = alerts[("unemployment", "李秀英")]
    r = client.post(f"{BASE}/alerts/{a.pk}/dispose", data="{not json", content_type="application/json",
                    **bearer(caseworker))
    assert r.status_code == 400 and r.json()["code"] == "bad_request"


def test_outsider_and_inspector_cannot_dispose(client, bearer, alerts, outsider, inspector):
    a = alerts[("death", "张建国")]
    before = _state(a)
    body = {"disposition": "implement", "result": "x"}
    r = post_json(client, f"{BASE}/alerts/{a.pk}/dispose", body, bearer(outsider))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = post_json(client, f"{BASE}/alerts/{a.pk}/dispose", body, bearer(inspector))
    assert r.status_code == 403 and r.json()["code"] == "monitor.role"
    assert client.get(f"{BASE}/alerts/{a.pk}", **bearer(inspector)).status_code == 200  # reads
    assert _state(a) == before


def test_outsider_cannot_give_feedback(client, bearer, alerts, caseworker, outsider):
    a = alerts[("medical_expense", "王五")]
    post_json(client, f"{BASE}/alerts/{a.pk}/dispose",
              {"disposition": "refer", "result": "推送", "departments": ["medical"]}, bearer(caseworker))
    ref = Referral.objects.get(alert=a)
    r = post_json(client, f"{BASE}/referrals/{ref.pk}/feedback", {"feedback": "x", "assisted": True}, bearer(outsider))
    assert r.status_code == 404
    ref.refresh_from_db()
    assert ref.status == "sent"
    assert post_json(client, f"{BASE}/referrals/999999/feedback", {"feedback": "x", "assisted": True},
                     bearer(caseworker)).status_code == 404


def test_register(client, bearer, homes, caseworker, village_user, ids):  # noqa: F811
    payload = {"household": homes["zhou"].pk, "category": "temporary", "recognized_on": "2026-10-01",
               "note": "因病临时救助"}
    r = post_json(client, f"{BASE}/register", payload, bearer(caseworker))
    body = r.json()
    assert r.status_code == 201 and body["category"] == "temporary" and body["household_number"] == homes["zhou"].number
    assert body["head_name"] == "周八" and ids["zhou"] not in r.content.decode()
    r = post_json(client, f"{BASE}/register", payload, bearer(caseworker))
    assert r.status_code == 409 and r.json()["code"] == "monitor.register_exists"
    # a village assistant registers in her own village (周八 lives in 珍珠半岛村)
    r = post_json(client, f"{BASE}/register", {**payload, "category": "低保边缘家庭"}, bearer(village_user))
    assert r.status_code == 201 and r.json()["category"] == "edge"


@pytest.mark.parametrize("change, field", [
    ({"category": "dibao"}, "category"),
    ({"recognized_on": "2026-13-01"}, "recognized_on"),
    ({"recognized_on": "2099-01-01"}, "recognized_on"),
    ({"valid_until": "2026-01-01"}, "valid_until"),
    ({"household": "H0001"}, "household"),
    ({"household": 2**63}, "household"),
    ({"note": "x" * 301}, "note"),
])
def test_register_bad_input(client, bearer, homes, caseworker, change, field):
    payload = {"household": homes["zhou"].pk, "category": "edge", "recognized_on": "2026-10-01", **change}
    r = post_json(client, f"{BASE}/register", payload, bearer(caseworker))
    body = r.json()
    assert r.status_code == 422 and body["details"]["field"] == field, body
    assert LowIncomeEntry.objects.count() == 1


def test_register_outsider_404_inspector_403(client, bearer, homes, outsider, inspector):
    payload = {"household": homes["zhou"].pk, "category": "edge", "recognized_on": "2026-10-01"}
    r = post_json(client, f"{BASE}/register", payload, bearer(outsider))
    assert r.status_code == 404 and r.json()["code"] == "not_found" and r.json()["details"]["field"] == "household"
    r = post_json(client, f"{BASE}/register", payload, bearer(inspector))
    assert r.status_code == 403
    assert LowIncomeEntry.objects.count() == 1


def test_routes_in_openapi(client):
    doc = json.loads(client.get("/api/openapi.json").content)
    paths = doc["paths"]
    for p in ("/api/v1/monitoring/alerts", "/api/v1/monitoring/alerts/{alert_id}",
              "/api/v1/monitoring/alerts/{alert_id}/dispose", "/api/v1/monitoring/referrals/{referral_id}/feedback",
              "/api/v1/monitoring/register"):
        assert p in paths
    body = paths["/api/v1/monitoring/alerts/{alert_id}/dispose"]["post"]["requestBody"]
    assert body["required"] and "anyOf" in json.dumps(body)
    assert TOWNSHIP_B  # (township B's user is the outsider fixture)
