"""一门受理 API (``/api/v1/intake``, issue 14 §4): record, list by department, respond, close; bad body 422
naming the field with nothing written; another township 404."""

from __future__ import annotations

import pytest

from jiuzhu.apps.monitoring.models import Intake, Referral

from .conftest import post_json

pytestmark = pytest.mark.django_db
BASE = "/api/v1/intake"


def test_intake_lifecycle(client, bearer, caseworker, household):
    h = bearer(caseworker)
    r = post_json(client, BASE, {"household": household.pk, "needs": ["medical", "基本生活"],
                                 "description": "住院自付费用高", "departments": ["medical"]}, h)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["needs"] == ["medical", "basic_living"] and len(body["tickets"]) == 1
    ticket = body["tickets"][0]
    assert ticket["department"] == "medical" and ticket["due_date"] and ticket["status"] == "sent"
    r = client.get(f"{BASE}/referrals?department=medical", **h)
    assert [t["id"] for t in r.json()["items"]] == [ticket["id"]]
    r = post_json(client, f"{BASE}/referrals/{ticket['id']}/close", {"closing_note": "办结"}, h)
    assert r.status_code == 409 and r.json()["details"]["field"] == "feedback"
    r = post_json(client, f"{BASE}/referrals/{ticket['id']}/respond", {"feedback": "已救助", "assisted": True}, h)
    assert r.status_code == 200 and r.json()["status"] == "answered"
    r = post_json(client, f"{BASE}/referrals/{ticket['id']}/close", {"closing_note": "医保报销完毕"}, h)
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["closing_note"] == "医保报销完毕"


def test_bad_body_and_other_township(client, bearer, caseworker, outsider, household):
    r = post_json(client, BASE, {"household": household.pk, "needs": ["housing"], "description": "房屋漏雨"},
                  bearer(caseworker))
    assert r.status_code == 422 and r.json()["details"]["field"] == "departments" and "转介部门" in r.json()["message"]
    assert not Intake.objects.exists()
    r = post_json(client, BASE, {"household": household.pk, "needs": ["medical"], "description": "住院",
                                 "departments": ["medical"]}, bearer(caseworker))
    ticket = r.json()["tickets"][0]["id"]
    h = bearer(outsider)
    assert post_json(client, BASE, {"household": household.pk, "needs": ["medical"], "description": "x",
                                    "departments": ["medical"]}, h).status_code == 404
    assert client.get(f"{BASE}/referrals/{ticket}", **h).status_code == 404
    assert post_json(client, f"{BASE}/referrals/{ticket}/respond", {"feedback": "伪造", "assisted": True},
                     h).status_code == 404
    assert client.get(f"{BASE}/referrals", **h).json()["items"] == []
    assert Intake.objects.count() == 1 and Referral.objects.get(pk=ticket).status == "sent"
