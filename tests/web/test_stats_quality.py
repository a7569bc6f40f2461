"""The efficiency and quality page (/dashboard/quality/): every panel with chart data and table,
figures of the small world, xlsx read back, scope and bad input, no inline script."""

from __future__ import annotations

import io
import json
import re

import pytest
from python_calamine import CalamineWorkbook

from jiuzhu.apps.stats.services import stats_compute
from tests.apps.stats.conftest import NOV, NOW, stats_world  # noqa: F401  (fixture)
from tests.apps.stats.test_quality import quality_world  # noqa: F401  (fixture)
from tests.conftest import COUNTY, TOWNSHIP_A

pytestmark = pytest.mark.django_db
URL = "/dashboard/quality/"
KEYS = ("distribution", "steps", "overdue_steps", "verify_rate", "outcomes", "reasons", "on_time")


@pytest.fixture
def computed(quality_world):  # noqa: F811
    stats_compute(month=NOV, region_code=COUNTY, actor=quality_world.maker, now=NOW)
    return quality_world


def table(html: str, key: str) -> str:
    start = html.index(f'id="table-{key}"')
    return html[start:html.index("</table>", start)]


def test_county_sees_every_panel_with_the_figures(client, county_user, computed):
    client.force_login(county_user)
    response = client.get(URL, {"month": "2026-11"})
    html = response.content.decode()
    assert response.status_code == 200
    for key in KEYS:
        assert f'data-bar-chart="chart-data-{key}"' in html and f'id="table-{key}"' in html
        assert json.loads(re.search(rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>',
                                    html, re.S).group(1))["series"] is not None
    assert not re.search(r"<script>(?!\s*</script>)", html)
    # B: 2 closed applications, 1 rejected, 1 withdrawn: 50 % each, one objection
    outcomes = table(html, "outcomes")
    assert re.search(r"文昌镇</td>.*?>2</td>.*?>0</td>.*?>1</td>.*?>0</td>.*?>1</td>.*?>0</td>.*?>50.0</td>.*?>50.0</td>"
                     r".*?>1</td>", outcomes, re.S)
    assert "家庭人均收入高于保障标准" in table(html, "reasons") and "申请人书面撤回" in table(html, "reasons")
    assert "入户调查" in table(html, "overdue_steps")
    assert "100.0" in table(html, "verify_rate")  # A's closed application had its report
    book = CalamineWorkbook.from_filelike(io.BytesIO(client.get(URL, {"month": "2026-11", "format": "xlsx"}).content))
    assert len(book.sheet_names) == len(KEYS)
    one = client.get(URL, {"month": "2026-11", "format": "xlsx", "table": "reasons"})
    assert len(CalamineWorkbook.from_filelike(io.BytesIO(one.content)).sheet_names) == 1
    assert 'id="quality-report"' in client.get("/dashboard/", {"month": "2026-11"}).content.decode()


def test_township_user_sees_only_their_township(client, outsider, computed):
    client.force_login(outsider)
    html = client.get(URL, {"month": "2026-11"}).content.decode()
    assert "文昌镇" in html and "千岛湖镇" not in html
    response = client.get(URL, {"month": "2026-11", "region": TOWNSHIP_A})
    assert response.status_code == 422 and "不在您的管辖范围内" in response.content.decode()


def test_village_assistant_is_refused(client, village_user, computed):
    client.force_login(village_user)
    assert client.get(URL).status_code == 403


def test_bad_month_names_the_field(client, county_user, computed):
    client.force_login(county_user)
    response = client.get(URL, {"month": "2026-13"})
    assert response.status_code == 422 and 'id="err-month"' in response.content.decode()
