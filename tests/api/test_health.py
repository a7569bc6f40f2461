import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "today, next_year, warn",
    [
        ("2026-12-07", "provisional", True),  # from 1 October, next year without an official schedule warns
        ("2026-09-30", "provisional", False),
        ("2026-10-01", "provisional", True),
        ("2025-12-07", "official", False),
    ],
)
def test_health_needs_no_token_and_reports_next_years_calendar(client, db, today, next_year, warn):
    # given no Authorization header, on a frozen day
    with time_machine.travel(datetime.fromisoformat(today).replace(hour=10, tzinfo=SHANGHAI), tick=False):
        # when
        response = client.get("/api/v1/health")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["calendar"]["next_year"] == next_year
    assert body["calendar"]["year"] == int(today[:4]) + 1
    assert body["calendar"]["warn"] is warn


def test_openapi_document_lists_paths_security_and_errors(client, db):
    # given / when
    response = client.get("/api/openapi.json")
    # then
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/health", "/api/v1/households", "/api/v1/households/{household_id}",
                 "/api/v1/persons/{person_id}/reveal"):
        assert path in doc["paths"]
    assert doc["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    create = doc["paths"]["/api/v1/households"]["post"]
    assert {"201", "401", "403", "409", "422"} <= set(create["responses"])
    assert create["security"] == [{"BearerToken": []}, {"WebSession": []}]  # a token or the web session
    assert "security" not in doc["paths"]["/api/v1/health"]["get"]
    member = doc["components"]["schemas"]["MemberIn"]["properties"]
    assert "head" in member["relation"]["enum"]
    assert member["name"]["maxLength"] == 50


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/households/abc"])
def test_unknown_paths_are_not_server_errors(client, caseworker, bearer, path):
    # given a valid token
    headers = bearer(caseworker)
    # when
    response = client.get(path, **headers)
    # then
    assert response.status_code in (404, 422)
