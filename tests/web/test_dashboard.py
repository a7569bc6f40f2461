"""The county dashboard (/dashboard/): charts with their tables from the statistics facts, the xlsx
export, region scope (a township sees only its own figures), the recompute button and bad input."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jiuzhu.apps.jobs.models import Job
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.stats.models import StatFact
from jiuzhu.apps.stats.services import stats_compute
from tests.apps.stats.conftest import NOV, NOW, stats_world  # noqa: F401  (fixture)
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tests.jobs_helpers import run_jobs

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


@pytest.fixture
def computed(stats_world):  # noqa: F811
    stats_compute(month=NOV, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    return stats_world


def chart_data(html: str, key: str) -> dict:
    m = re.search(rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def table(html: str, key: str) -> str:
    start = html.index(f'id="table-{key}"')
    return html[start:html.index("</table>", start)]


def sheets(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_county_sees_every_chart_with_its_table(client, county_user, computed):
    # given November computed; when the county opens the dashboard for November
    client.force_login(county_user)
    html = client.get(URL, {"month": "2026-11"}).content.decode()
    # then each panel has its chart data (json_script, no inline code) and the table under it
    for key in ("enrolled_township", "enrolled_month", "enrolled_matrix", "paid_matrix", "paid_township", "paid_month", "flows", "processing", "steps",
                "overdue", "alerts", "review", "register"):
        assert f'data-bar-chart="chart-data-{key}"' in html and f'id="table-{key}"' in html
    enrolled = chart_data(html, "enrolled_township")
    assert "千岛湖镇" in enrolled["categories"] and "文昌镇" in enrolled["categories"]
    assert "2650.50" in table(html, "paid_matrix") and "1699.99" in table(html, "paid_matrix")  # with tekun
    assert chart_data(html, "paid_matrix")["categories"][-1] == "2026-11"
    paid = table(html, "paid_township")
    assert "千岛湖镇" in paid and "1850.50" in paid and "1699.99" in paid  # A: 650 + 1200.50 dibao; B: 999.99 + 700
    assert "vendor/echarts/echarts.min.js" in html and "jiuzhu/bar_chart.js" in html
    assert not re.search(r"<script>(?!\s*</script>)", html)  # no inline scripts
    assert 'href="/dashboard/"' in html  # in the navigation


def test_township_user_sees_only_their_township_on_the_page_and_in_the_xlsx(client, outsider, computed):
    # given township B's caseworker
    client.force_login(outsider)
    # when they open the page and the export
    html = client.get(URL, {"month": "2026-11"}).content.decode()
    book = sheets(client.get(URL, {"month": "2026-11", "format": "xlsx"}).content)
    # then only B's figures: A's name and A's amounts appear nowhere
    assert "文昌镇" in html and "千岛湖镇" not in html and "1850.50" not in html
    text = json.dumps(book, ensure_ascii=False, default=str)
    assert "文昌镇" in text and "千岛湖镇" not in text and "1850.5" not in text
    # and asking for township A explicitly is refused with a message under the field
    response = client.get(URL, {"month": "2026-11", "region": TOWNSHIP_A})
    assert response.status_code == 422 and "不在您的管辖范围内" in response.content.decode()
    assert "1850.50" not in response.content.decode()


def test_village_assistant_is_refused(client, village_user, computed):
    client.force_login(village_user)
    assert client.get(URL).status_code == 403


def test_xlsx_opens_and_cells_are_never_formulas(client, county_user, computed):
    # given a township whose name looks like a formula
    Region.objects.filter(code=TOWNSHIP_B).update(name="=HYPERLINK(\"http://x\")")
    client.force_login(county_user)
    # when the whole export and one table are downloaded
    whole = client.get(URL, {"month": "2026-11", "format": "xlsx"})
    one = client.get(URL, {"month": "2026-11", "format": "xlsx", "table": "paid_township"})
    # then both open, the one-table file has one sheet, the name is text, and no cell is a formula
    assert whole["Content-Type"].startswith("application/vnd.openxmlformats")
    book = sheets(whole.content)
    assert len(book) == 13 and len(sheets(one.content)) == 1
    paid = next(rows for name, rows in book.items() if name.startswith("发放金额（按乡镇"))
    row_b = next(r for r in paid if r and r[0] == "=HYPERLINK(\"http://x\")")
    assert row_b[1] == pytest.approx(1699.99)
    with zipfile.ZipFile(io.BytesIO(whole.content)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode()


@pytest.mark.parametrize("month", ["2026-13", "abc", "2026/11"])
def test_bad_month_shows_a_chinese_error_naming_month(client, county_user, computed, month):
    client.force_login(county_user)
    response = client.get(URL, {"month": month})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="err-month"' in html and "月份（month）" in html and "YYYY-MM" in html


def test_county_recompute_button_queues_the_job_which_refreshes_the_month(client, county_user, stats_world):  # noqa: F811
    # given nothing computed yet
    client.force_login(county_user)
    assert "重新计算" in client.get(URL, {"month": "2026-11"}).content.decode()
    # when the county presses 重新计算 for November and a worker runs the job
    response = client.post(reverse("web:dashboard_recompute"), {"month": "2026-11", "region": "",
                                                                 "job_token": "0" * 32})
    assert response.status_code == 302 and "job=" in response["Location"]
    assert Job.objects.get(kind="stats.compute").params == {"region": COUNTY, "month": "2026-11"}
    assert run_jobs() == 1
    # then the month's facts exist and the page shows them
    assert StatFact.objects.filter(month=NOV).exists()
    html = client.get(response["Location"]).content.decode()
    assert "1850.50" in table(html, "paid_township")


def test_township_staff_and_inspector_cannot_recompute(client, outsider, inspector, stats_world):  # noqa: F811
    for who in (outsider, inspector):
        client.force_login(who)
        assert "重新计算" not in client.get(URL).content.decode()
        response = client.post(reverse("web:dashboard_recompute"), {"month": "2026-11", "region": TOWNSHIP_B})
        assert response.status_code == 403
    assert not Job.objects.filter(kind="stats.compute").exists()


def test_recompute_bad_month_is_refused_on_the_page(client, county_user, stats_world):  # noqa: F811
    client.force_login(county_user)
    response = client.post(reverse("web:dashboard_recompute"), {"month": "2026-99", "region": ""})
    assert response.status_code == 422 and "月份（month）" in response.content.decode()
    assert not Job.objects.filter(kind="stats.compute").exists()
