"""The login page names the system and the office it serves (issue 13 §4)."""

from __future__ import annotations

import pytest

from jiuzhu.apps.regions.models import Region

pytestmark = pytest.mark.django_db


def _heading(client) -> str:
    html = client.get("/login/").content.decode()
    start = html.index('id="system-name"')
    return html[start:html.index("</p>", start)]


def test_login_names_the_system_and_the_one_county(client, regions):
    # given the regions of the test county (one county)
    assert Region.objects.filter(level=3).count() == 1
    county = Region.objects.get(level=3).name
    # then the login page names the system and the county's civil affairs bureau
    heading = _heading(client)
    assert "救助 · 社会救助经办平台" in heading and f"{county}民政局" in heading


def test_login_names_the_configured_office(client, settings, regions):
    settings.JIUZHU_OFFICE_NAME = "某某区民政局"
    assert "某某区民政局" in _heading(client)


def test_login_without_a_single_county_names_only_the_system(client, regions):
    # given two counties and no configured office
    parent = Region.objects.get(level=3).parent
    Region.objects.create(code="330182000000", name="建德市", level=3, parent=parent)
    heading = _heading(client)
    assert "救助 · 社会救助经办平台" in heading and "民政局" not in heading
