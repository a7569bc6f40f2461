"""Issue 18 §4: a request body over 1 MB, or one that is not JSON, gets the API's JSON error format
({"code", "message", "details"}) — never Django's HTML 400 page or a 500 — and changes nothing."""

from __future__ import annotations

import json

import pytest

from jiuzhu.apps.registry.models import Household
from tests.bad_files import CHINESE

pytestmark = pytest.mark.django_db
PATHS = ["/api/v1/households", "/api/v1/cases"]


@pytest.mark.parametrize("path", PATHS)
def test_body_over_one_megabyte_is_413_json(client, bearer, caseworker, path):
    # given a JSON body of 1 MB and a bit
    body = json.dumps({"address": "a" * (1024 * 1024)})
    # when it is posted
    resp = client.post(path, data=body, content_type="application/json", **bearer(caseworker))
    # then the answer is 413 in the API's error format, in Chinese
    assert resp.status_code == 413 and resp["Content-Type"].startswith("application/json")
    data = resp.json()
    assert set(data) == {"code", "message", "details"} and data["code"] == "too_large"
    assert CHINESE.search(data["message"]) and "1.0 MB" in data["message"]
    assert not Household.objects.exists()


@pytest.mark.parametrize("body", ["{bad json", b"\xff\xfe{\x00}\x00", "", "[1, 2"], ids=["broken", "utf16", "empty",
                                                                                       "unclosed"])
@pytest.mark.parametrize("path", PATHS)
def test_malformed_json_is_a_json_4xx(client, bearer, caseworker, path, body):
    # when a body that is not valid JSON is posted
    resp = client.post(path, data=body, content_type="application/json", **bearer(caseworker))
    # then a 400/422 in the API's error format says so in Chinese
    assert resp.status_code in (400, 422), resp.content[:300]
    data = resp.json()
    assert set(data) == {"code", "message", "details"} and CHINESE.search(data["message"])
    assert not Household.objects.exists()
