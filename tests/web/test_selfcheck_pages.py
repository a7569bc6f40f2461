"""自查自纠 pages (issue 15 §5): the county starts a campaign (background job, progress on its page), hits
per township with filters, a township resolves its items, another township gets "not found", the report
downloads as xlsx and PDF."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from jiuzhu.apps.integrity.selfcheck_models import RectificationItem, SelfCheckCampaign
from jiuzhu.apps.jobs.worker import Worker
from tests.apps.integrity.selfcheck_fixtures import ALL_CHECKS, AS_OF, EXPECTED, caseload, sc_ids, sc_snapshots  # noqa: F401
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B


@pytest.fixture
def started(client, county_user, sc_snapshots):
    client.force_login(county_user)
    response = client.post("/selfcheck/", {"name": "2026年度自查自纠", "as_of": AS_OF.isoformat(), "checks": ALL_CHECKS})
    assert response.status_code == 302
    campaign = SelfCheckCampaign.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "2026年度自查自纠" in page and f"job-{campaign.job_id}" in page  # progress of the queued job
    Worker(schedule=False).tick()
    campaign.refresh_from_db()
    assert campaign.status == "done"
    return campaign


def test_county_starts_and_sees_hits_per_township_with_filters(client, started):
    page = client.get(f"/selfcheck/{started.pk}/").content.decode()
    assert "千岛湖镇" in page and "文昌镇" in page and page.count('data-label="编号"') == len(EXPECTED)
    page = client.get(f"/selfcheck/{started.pk}/?region={TOWNSHIP_B}").content.decode()
    assert page.count('data-label="编号"') == 1 and "赵九户" in page
    page = client.get(f"/selfcheck/{started.pk}/?check=death").content.decode()
    assert page.count('data-label="编号"') == 1 and "死亡登记" in page
    assert "2026年度自查自纠" in client.get("/selfcheck/").content.decode()


def test_bad_start_form_shows_the_field_error_and_writes_nothing(client, county_user, caseload):
    client.force_login(county_user)
    response = client.post("/selfcheck/", {"name": "", "as_of": "2026-13-01", "checks": ["vehicle"]})
    page = response.content.decode()
    assert response.status_code in (400, 422) and 'id="err-name"' in page
    response = client.post("/selfcheck/", {"name": "自查", "as_of": AS_OF.isoformat()})
    assert response.status_code in (400, 422) and 'id="err-checks"' in response.content.decode()
    assert not SelfCheckCampaign.objects.exists()


def test_township_resolves_its_item_and_another_township_cannot(client, started, caseworker, outsider):
    item = RectificationItem.objects.get(check_code="vehicle", region_id=TOWNSHIP_A)
    client.force_login(outsider)
    assert client.get(f"/selfcheck/items/{item.pk}/").status_code == 404
    response = client.post(f"/selfcheck/items/{item.pk}/resolve/", {"outcome": "false_alarm", "result": "越权"})
    assert response.status_code == 404
    page = client.get(f"/selfcheck/{started.pk}/").content.decode()
    assert page.count('data-label="编号"') == 1 and "千岛湖镇" not in page
    client.force_login(caseworker)
    page = client.get(f"/selfcheck/items/{item.pk}/").content.decode()
    assert "机动车" in page and "浙A11111" in page and "R-AST-04" in page
    response = client.post(f"/selfcheck/items/{item.pk}/resolve/", {"outcome": "adjust", "result": "调整"})
    assert response.status_code in (400, 422) and 'id="err-amount"' in response.content.decode()
    response = client.post(f"/selfcheck/items/{item.pk}/resolve/", {"outcome": "false_alarm", "result": "已核实无问题"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "resolved" and "误报" in client.get(f"/selfcheck/items/{item.pk}/").content.decode()


def test_report_downloads_as_xlsx_and_pdf(client, started):
    response = client.get(f"/selfcheck/{started.pk}/report.xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    summary = book.get_sheet_by_name("按乡镇汇总").to_python()
    assert summary[1][0] == "乡镇（街道）" and summary[-1][0] == "合计" and summary[-1][1] == len(EXPECTED)
    assert len(book.get_sheet_by_name("整改事项").to_python()) == len(EXPECTED) + 1
    response = client.get(f"/selfcheck/{started.pk}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(f"/selfcheck/{started.pk}/report.doc").status_code == 404


def test_the_same_form_submitted_twice_starts_one_campaign(client, county_user, caseload):
    client.force_login(county_user)
    form = {"name": "2026年度自查自纠", "as_of": AS_OF.isoformat(), "checks": ["death"], "job_token": "ab" * 16}
    first, second = client.post("/selfcheck/", form), client.post("/selfcheck/", form)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert SelfCheckCampaign.objects.count() == 1
