import json

import pytest


def test_health_needs_no_token(client, db):
    # given no Authorization header
    # when
    response = client.get("/api/v1/health")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


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
    assert create["security"] == [{"BearerToken": []}]
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
