"""The monthly statistical return page (/dashboard/return/): county and township views, downloads,
scope, bad input, and a ledger mismatch shown with the downloads refused."""

from __future__ import annotations

import io
import re

import pytest
from python_calamine import CalamineWorkbook

from tests.apps.stats.conftest import lines_off_by, stats_world  # noqa: F401  (fixture)
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db
URL = "/dashboard/return/"


def test_county_sees_the_tables_and_downloads_both_files(client, county_user, stats_world):  # noqa: F811
    client.force_login(county_user)
    response = client.get(URL, {"month": "2026-11"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "千岛湖镇" in html and "文昌镇" in html and "4350.49" in html and 'id="downloads"' in html
    for key in ("return_enrolled", "return_paid", "return_flows", "return_temporary", "return_check"):
        assert f'id="table-{key}"' in html
    assert not re.search(r"<script>(?!\s*</script>)", html)
    xlsx = client.get(URL, {"month": "2026-11", "format": "xlsx"})
    assert xlsx.status_code == 200 and "monthly_return_202611" in xlsx["Content-Disposition"]
    assert len(CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).sheet_names) == 5
    pdf = client.get(URL, {"month": "2026-11", "region": TOWNSHIP_A, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    # the dashboard links to the page
    assert 'id="monthly-return"' in client.get("/dashboard/", {"month": "2026-11"}).content.decode()


def test_township_user_sees_only_their_township(client, outsider, stats_world):  # noqa: F811
    client.force_login(outsider)
    html = client.get(URL, {"month": "2026-11"}).content.decode()
    assert "文昌镇" in html and "千岛湖镇" not in html and "1850.50" not in html
    response = client.get(URL, {"month": "2026-11", "region": TOWNSHIP_A, "format": "xlsx"})
    body = response.content.decode()
    assert response.status_code == 422 and "不在您的管辖范围内" in body and "1850.50" not in body


def test_village_assistant_is_refused(client, village_user, stats_world):  # noqa: F811
    client.force_login(village_user)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("params, field", [({"month": "2026-13"}, "month"), ({"month": "2027-02"}, "month"),
                                           ({"month": "2026-11", "format": "docx"}, "format")])
def test_bad_input_shows_a_chinese_error(client, county_user, stats_world, params, field):  # noqa: F811
    client.force_login(county_user)
    response = client.get(URL, params)
    assert response.status_code == 422
    assert f'id="err-{field}"' in response.content.decode()


def test_a_ledger_mismatch_is_shown_and_the_download_refused(client, county_user, stats_world, monkeypatch):  # noqa: F811
    lines_off_by(monkeypatch, 1, "q.region_id LIKE %s", (TOWNSHIP_B[:9] + "%",))  # one fen more on each of B's lines
    client.force_login(county_user)
    html = client.get(URL, {"month": "2026-11"}).content.decode()
    assert 'id="ledger-mismatch"' in html and 'id="downloads"' not in html and "不一致" in html
    response = client.get(URL, {"month": "2026-11", "format": "xlsx"})
    assert response.status_code == 409 and "发放台账不一致" in response.content.decode()
