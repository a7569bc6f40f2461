"""/api/v1/cases: ``blocked`` (actions a guard refuses, with the reason) and the 一证一书 recorded after a
case was started with the documented minimal body ``{program, household, applicant, channel}``."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case, CaseEvent, CaseRecord

from .conftest import post_json

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases"
AUTHORIZATION_MISSING = {
    "action": "request_verification", "label": "提请核对", "code": "case.authorization_missing",
    "message": "尚未签署委托授权书（一证一书），不能提请核对。需要：登记一证一书或上传委托授权书扫描件"}


@pytest.fixture
def minimal(client, bearer, caseworker, household):
    """A case started through the API with the minimal body (no intake: no 一证一书)."""
    body = {"program": "dibao", "household": household.pk, "applicant": household.head_id, "channel": "window"}
    response = post_json(client, URL, body, bearer(caseworker))
    assert response.status_code == 201, response.json()
    return response.json()


def _record(client, headers, case_id, payload):
    return post_json(client, f"{URL}/{case_id}/actions/record_id_authorization", payload, headers)


def _unchanged(case_id, version):
    case = Case.objects.get(pk=case_id)
    assert case.version == version and case.state == "submitted"
    assert not CaseRecord.objects.filter(case=case, kind="id_authorization").exists()
    assert not CaseEvent.objects.filter(case=case, action="record_id_authorization").exists()
    assert not AuditEvent.objects.filter(action="case.record_id_authorization").exists()


def test_minimal_case_lists_verification_as_blocked_with_the_reason(client, bearer, caseworker, minimal):
    # given the case just started without 一证一书
    # then verification is not allowed but blocked, saying what unblocks it; recording 一证一书 is allowed
    assert "request_verification" not in minimal["allowed_actions"]
    assert "record_id_authorization" in minimal["allowed_actions"]
    assert minimal["blocked"] == [AUTHORIZATION_MISSING]
    # and the case document says the same on a later read
    again = client.get(f"{URL}/{minimal['id']}", **bearer(caseworker)).json()
    assert again["blocked"] == [AUTHORIZATION_MISSING]
    # and trying the blocked action gives the same code and message (409), changing nothing
    refused = post_json(client, f"{URL}/{minimal['id']}/actions/request_verification", {}, bearer(caseworker))
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["message"]) == (AUTHORIZATION_MISSING["code"],
                                                                   AUTHORIZATION_MISSING["message"])


def test_blocked_is_computed_for_the_caller(client, bearer, reviewer, county_user, minimal):
    # the review-confirmation group and the county have nothing to do on a submitted case: nothing blocked
    for user in (reviewer, county_user):
        body = client.get(f"{URL}/{minimal['id']}", **bearer(user)).json()
        assert body["allowed_actions"] == [] and body["blocked"] == []


def test_recording_one_zheng_one_shu_unblocks_verification(client, bearer, caseworker, minimal):
    headers = bearer(caseworker)
    # when the ID is checked first: the authorization is still missing
    body = _record(client, headers, minimal["id"], {"id_checked": True})
    assert body.status_code == 200, body.json()
    assert [b["code"] for b in body.json()["blocked"]] == ["case.authorization_missing"]
    assert "record_id_authorization" in body.json()["allowed_actions"]
    # and then the signed authorization
    today = timezone.localdate().isoformat()
    body = _record(client, headers, minimal["id"],
                   {"authorization_signed": True, "signed_on": today, "note": "申请人在窗口签署"})
    assert body.status_code == 200, body.json()
    doc = body.json()
    # then verification can be requested; the 一证一书 action is done (neither allowed nor blocked)
    assert doc["blocked"] == [] and doc["state"] == "submitted" and doc["version"] == minimal["version"] + 2
    assert "request_verification" in doc["allowed_actions"]
    assert "record_id_authorization" not in doc["allowed_actions"]
    assert [e["action"] for e in doc["timeline"]] == ["submit", "record_id_authorization", "record_id_authorization"]
    assert doc["timeline"][-1]["label"] == "登记一证一书"
    # recorded in the case's records and audited, once per action
    records = list(CaseRecord.objects.filter(case_id=minimal["id"], kind="id_authorization")
                   .order_by("id").values_list("data", flat=True))
    assert [(r["id_checked"], r["authorization_signed"]) for r in records] == [(True, False), (False, True)]
    assert records[1]["signed_on"] == today and records[1]["note"] == "申请人在窗口签署"
    assert AuditEvent.objects.filter(action="case.record_id_authorization", subject_id=minimal["id"]).count() == 2
    # and recording again is refused as done, and verification goes ahead
    again = _record(client, headers, minimal["id"], {"id_checked": True, "authorization_signed": True})
    assert again.status_code == 409 and again.json()["code"] == "case.id_authorization_complete"
    moved = post_json(client, f"{URL}/{minimal['id']}/actions/request_verification", {}, headers)
    assert moved.status_code == 200 and moved.json()["state"] == "verifying"


@pytest.mark.parametrize("payload, field, words", [
    ({}, "authorization_signed", "至少一项"),
    ({"id_checked": False, "authorization_signed": False}, "authorization_signed", "至少一项"),
    ({"id_checked": "也许"}, "id_checked", "已核验身份证件"),
    ({"authorization_signed": True, "signed_on": "2099-01-01"}, "signed_on", "不能晚于办理当日"),
    ({"authorization_signed": True, "signed_on": "昨天"}, "signed_on", "签署日期"),
    ({"authorization_signed": True, "note": "长" * 501}, "note", "备注"),
    ({"authorization_signed": True, "scanned": True}, "scanned", ""),
])
def test_bad_input_is_refused_naming_the_field(client, bearer, caseworker, minimal, payload, field, words):
    # when
    response = _record(client, bearer(caseworker), minimal["id"], payload)
    # then 422 with a Chinese message naming the field, and nothing changes
    assert response.status_code == 422, response.json()
    error = response.json()
    assert error["details"]["field"] == field and words in error["message"]
    _unchanged(minimal["id"], minimal["version"])


def test_outsider_from_another_township_gets_404_and_changes_nothing(client, bearer, outsider, minimal):
    headers = bearer(outsider)
    # when township B records 一证一书 on, or reads, township A's case
    response = _record(client, headers, minimal["id"], {"id_checked": True, "authorization_signed": True})
    read = client.get(f"{URL}/{minimal['id']}", **headers)
    # then both are 404 (the case does not exist for them) and nothing changed
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert read.status_code == 404
    _unchanged(minimal["id"], minimal["version"])


def test_roles_outside_the_action_get_403(client, bearer, reviewer, minimal):
    response = _record(client, bearer(reviewer), minimal["id"], {"id_checked": True, "authorization_signed": True})
    assert response.status_code == 403 and response.json()["code"] == "case.role"
    _unchanged(minimal["id"], minimal["version"])


def test_openapi_documents_blocked_and_the_new_action(client, db):
    doc = client.get("/api/openapi.json").json()
    case_out = doc["components"]["schemas"]["CaseOut"]
    assert "blocked" in case_out["properties"] and "条件" in case_out["properties"]["blocked"]["description"]
    blocked = doc["components"]["schemas"]["BlockedOut"]
    assert {"action", "code", "message"} <= set(blocked["required"])
    operation = doc["paths"]["/api/v1/cases/{case_id}/actions/record_id_authorization"]["post"]
    assert operation["summary"] == "登记一证一书（record_id_authorization）"
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert {"id_checked", "authorization_signed", "signed_on", "note"} <= set(schema["properties"])
