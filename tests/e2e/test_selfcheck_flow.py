"""Browser test of 自查自纠 (issue 15 §5): the county starts a campaign over the caseload in the UI, the
background job runs, the campaign page shows the hits per township; the township caseworker opens a
hit, sees the evidence, stops the enrollment of the deceased member's household and closes a false
alarm; another township sees none of it. A screenshot after every step (var/screenshots/selfcheck_flow/)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.apps.integrity.selfcheck_fixtures import EXPECTED, caseload, sc_ids, sc_snapshots  # noqa: F401
from tests.conftest import TOWNSHIP_A
from tests.e2e.test_payroll_flow import browser  # noqa: F401
from tests.e2e.walk import BrowserWalk
from tests.jobs_helpers import run_jobs

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path(os.environ.get("JIUZHU_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
             ) / "selfcheck_flow"

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("needs_chromium")]


class Walk(BrowserWalk):
    shots_dir = SHOTS


def test_campaign_hits_resolved_by_the_township(live_server, county_user, caseworker, outsider, sc_snapshots,
                                                browser):  # noqa: F811
    from playwright.sync_api import expect

    from jiuzhu.apps.integrity.selfcheck_models import RectificationItem

    context, page = browser
    walk = Walk(live_server, context, page)

    # 1. the county starts a campaign with every check (all ticked by default), as of the data date
    walk.login(county_user)
    page.goto(f"{walk.url}/selfcheck/")
    page.fill("#id_name", "2026年度社会救助自查自纠")
    page.fill("#id_as_of", "2026-11-30")
    walk.shot("start_form")
    page.click("#start-form button[type=submit]")
    expect(page.locator(".job-status")).to_contain_text("自查自纠检查")
    walk.shot("queued")
    assert run_jobs() == 1
    page.reload()
    expect(page.locator("#campaign-status")).to_have_text("已完成")
    assert page.locator("#item-table tbody tr").count() == len(EXPECTED)
    expect(page.locator("#report-table")).to_contain_text("千岛湖镇")
    walk.shot("hits")
    campaign_url = page.url

    # 2. the township opens its death hit: the evidence, then stops the enrollment
    walk.login(caseworker)
    page.goto(f"{campaign_url}?check=death")
    assert page.locator("#item-table tbody tr").count() == 1
    page.locator("#item-table tbody tr a").first.click()
    page.wait_for_url(re.compile(r".*/selfcheck/items/\d+/$"))
    expect(page.locator("#evidence")).to_contain_text("户籍及死亡")
    walk.shot("evidence")
    page.select_option("#id_outcome", "stop")
    page.fill("#id_result", "李秀英已于2026年10月死亡，家庭仅余一人，经核实收入超过标准，停保")
    page.click("#resolve-form button[type=submit]")
    expect(page.locator("#item-status")).to_contain_text("停保")
    expect(page.locator("#change-link")).to_be_visible()
    walk.shot("stopped")

    # 3. ... and closes the vehicle hit as a false alarm after a visit
    page.goto(f"{campaign_url}?check=vehicle&region={TOWNSHIP_A}")
    page.locator("#item-table tbody tr a").first.click()
    page.select_option("#id_outcome", "false_alarm")
    page.fill("#id_result", "车辆为残疾人专用改装车，已核实")
    page.click("#resolve-form button[type=submit]")
    expect(page.locator("#item-status")).to_contain_text("误报")
    walk.shot("false_alarm")
    assert RectificationItem.objects.filter(status="resolved").count() == 2

    # 4. another township sees only its own hit
    walk.login(outsider)
    page.goto(campaign_url)
    assert page.locator("#item-table tbody tr").count() == 1
    expect(page.locator("#item-table")).to_contain_text("赵九户")
    walk.shot("other_township")
