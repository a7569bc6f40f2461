"""One style across the API (issue 13 §3): record ids are digit strings in every response (requests take
an integer or that string), every datetime is Beijing time with ``+08:00``, "not found" is always 404
with a distinguishing code, deadline steps and the actions that open them are documented."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from jiuzhu.apps.registry.services import household_create
from jiuzhu.rules.workflow.states import STEP_LABELS
from tests.apps.cases.flow import submit
from tests.conftest import AS_OF

from .conftest import post_json

pytestmark = pytest.mark.django_db
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(?P<tz>.*)$")
ID_KEYS = {"id", "household", "applicant", "person", "person_id", "supported_person_id", "enrollment", "case",
           "batch", "next_after", "recheck_case"}


def walk(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from walk(value, f"{path}[]")
    else:
        yield path, node


def check_style(body):
    for path, value in walk(body):
        key = path.rsplit(".", 1)[-1].removesuffix("[]")
        if key in ID_KEYS and value is not None:
            assert isinstance(value, str) and value.isdigit(), (path, value)
        if isinstance(value, str) and (m := DATETIME.match(value)):
            assert m["tz"] == "+08:00", (path, value)


@pytest.fixture
def case(caseworker, household_data):
    household = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    return submit(caseworker, household, day=date(2026, 12, 3))


def test_ids_are_strings_and_times_are_beijing_time_everywhere(client, bearer, caseworker, case):
    headers = bearer(caseworker)
    for path in ("/api/v1/households", f"/api/v1/households/{case.household_id}", f"/api/v1/cases/{case.pk}",
                 "/api/v1/cases", "/api/v1/tasks"):
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.content)
        check_style(response.json())
    detail = client.get(f"/api/v1/households/{case.household_id}", **headers).json()
    assert detail["created_at"].endswith("+08:00") and detail["id"] == str(case.household_id)


def test_a_case_is_started_with_the_ids_as_received(client, bearer, caseworker, household_data):
    headers = bearer(caseworker)
    household = post_json(client, "/api/v1/households", household_data(), headers).json()
    head = next(m["person_id"] for m in household["members"] if m["relation"] == "head")
    # the strings exactly as the household came back
    created = post_json(client, "/api/v1/cases", {"program": "dibao", "household": household["id"], "applicant": head,
                                                  "channel": "window"}, headers)
    assert created.status_code == 201, created.content
    assert created.json()["household"] == household["id"] and created.json()["applicant"] == head
    bad = post_json(client, "/api/v1/cases", {"program": "dibao", "household": "H1", "applicant": head,
                                              "channel": "window"}, headers)
    assert bad.status_code == 422 and bad.json()["details"]["errors"][0]["field"] == "body.household"


def test_not_found_is_always_404_with_a_distinguishing_code(client, bearer, caseworker, case):
    headers = bearer(caseworker)
    codes = {
        "/api/v1/cases/999999": "not_found",
        f"/api/v1/cases/{case.pk}/documents/nonsense": "document.unknown_kind",
        f"/api/v1/cases/{case.pk}/documents/denial_letter": "document.unavailable",
        "/api/v1/regions/330127101000": "region.not_found",
    }
    for path, code in codes.items():
        response = client.get(path, **headers)
        assert (response.status_code, response.json()["code"]) == (404, code), path


def test_openapi_documents_ids_deadline_steps_and_time_style(client):
    doc = json.loads(client.get("/api/openapi.json").content)
    schemas = doc["components"]["schemas"]
    for name, schema in schemas.items():
        if name.endswith(("Out", "Detail", "Row")) and "id" in schema.get("properties", {}):
            assert schema["properties"]["id"].get("type") == "string", name
    step = schemas["DeadlineOut"]["properties"]["step"]
    assert set(step["enum"]) == set(STEP_LABELS)
    for name, label in STEP_LABELS.items():
        assert f"`{name}` {label}：由 `" in step["description"], name
    assert "`publish_notice`" in step["description"] and "+08:00" in doc["info"]["description"]
    assert "X-CSRFToken" in doc["info"]["description"]
