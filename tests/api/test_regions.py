"""/api/v1/regions: the caller's region and those under it (list by level, one region's subtree); a code
outside the caller's region is 404 (another township's), bad input 422 naming the field."""

from __future__ import annotations

import pytest

from tests.bad_files import CHINESE
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A, VILLAGE_A2, VILLAGE_B

pytestmark = pytest.mark.django_db
URL = "/api/v1/regions"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["code"] for r in response.json()["items"]]


def test_a_caseworker_lists_their_township_and_its_villages(client, bearer, caseworker):
    headers = bearer(caseworker)
    listed = codes(client.get(URL, **headers))
    assert listed[0] == TOWNSHIP_A and {VILLAGE_A, VILLAGE_A2} <= set(listed)
    assert TOWNSHIP_B not in listed and VILLAGE_B not in listed and COUNTY not in listed
    villages = client.get(URL, {"level": 5}, **headers).json()["items"]
    assert all(v["level"] == 5 and v["level_label"] == "村(居)" and v["parent"] == TOWNSHIP_A for v in villages)


def test_the_county_reads_a_subtree(client, bearer, county_user):
    headers = bearer(county_user)
    tree = client.get(f"{URL}/{COUNTY}", **headers).json()
    assert tree["region"]["code"] == COUNTY and tree["region"]["parent"] is not None
    townships = [r["code"] for r in tree["items"]]
    assert {TOWNSHIP_A, TOWNSHIP_B} <= set(townships) and VILLAGE_A not in townships
    deeper = codes(client.get(f"{URL}/{COUNTY}", {"depth": 2}, **headers))
    assert VILLAGE_A in deeper and VILLAGE_B in deeper
    assert VILLAGE_A in codes(client.get(f"{URL}/{TOWNSHIP_A}", **headers))


@pytest.mark.parametrize("code", [TOWNSHIP_A, VILLAGE_A, COUNTY, "999999999999", "abc"])
def test_outside_the_region_or_unknown_is_404(client, bearer, outsider, code):
    response = client.get(f"{URL}/{code}", **bearer(outsider))
    assert response.status_code == 404 and response.json()["code"] == "region.not_found"
    assert CHINESE.search(response.json()["message"])


@pytest.mark.parametrize(("path", "params", "field"), [(URL, {"level": 9}, "level"), (URL, {"limit": 0}, "limit"),
                                                       (f"{URL}/{TOWNSHIP_A}", {"depth": "x"}, "depth")])
def test_bad_input_is_422_naming_the_field(client, bearer, caseworker, path, params, field):
    response = client.get(path, params, **bearer(caseworker))
    assert response.status_code == 422 and field in response.json()["message"]
    assert response.json()["details"]["errors"][0]["field"] == f"query.{field}"


def test_token_and_session_agree(client, bearer, caseworker):
    by_token = client.get(URL, **bearer(caseworker)).json()
    client.force_login(caseworker)
    assert client.get(URL).json() == by_token
