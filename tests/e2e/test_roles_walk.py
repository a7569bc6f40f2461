"""Browser test (issue 13 §5): a month's work of every role, in the browser only.

The village assistant (390 px phone) declares the head's wage, submits a dibao application and uploads
the 一证一书 scans; the township caseworker requests verification; the county records it; the caseworker
accepts; the village assistant records the household survey; the caseworker gives the initial opinion and publishes the
notice; after the 7-day notice (the clock moves, nothing is written to the database) the caseworker
closes it and the township lead confirms; the county maker prepares next month's payroll, a second
county user approves and exports the bank file; the inspector reads the case's audit trail; the
administrator creates a user and imports the 2027 holiday schedule. The fixtures create only the
regions, the personas and the household; every step of a role is a page. Background jobs (the payroll
batch) run through the worker's round, as the ``jiuzhu worker`` process would. Screenshots in
var/screenshots/roles_walk/.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.apps.test_workcalendar import official_2027
from tests.conftest import COUNTY, PASSWORD, TOWNSHIP_A
from tests.e2e.test_case_flow import CHROMIUM, CHROMIUM_ARGS, work_calendar  # noqa: F401  (shared fixture)
from tests.e2e.walk import BrowserWalk
from tests.jobs_helpers import run_jobs
from tests.web.test_cases_support import tiny_png

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses that without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path(os.environ.get("JIUZHU_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
             ) / "roles_walk"
SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("needs_chromium")]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = b.new_context(locale="zh-CN", viewport=DESK, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield context, page
        context.close()
        b.close()


@pytest.fixture
def people(village_user, caseworker, reviewer, county_user, inspector, admin_user, settings, tmp_path):
    """The personas of the walk, plus the second 县民政 user who checks the payroll."""
    from jiuzhu.apps.accounts.roles import Role
    from tests.apps.payments.conftest import user

    settings.JIUZHU_FILES_DIR = tmp_path
    return {"village": village_user, "caseworker": caseworker, "lead": reviewer, "county": county_user,
            "checker": user("county_checker", Role.COUNTY, COUNTY, "钱审核"), "inspector": inspector,
            "admin": admin_user}


@pytest.fixture
def applicant_household(caseworker, household_data):
    """The household as registered by the township (with its bank account for the payroll)."""
    from jiuzhu.apps.registry.services import household_create
    from tests.conftest import AS_OF

    data = household_data(bank_account="6228480012345678901", bank_name="中国农业银行淳安支行")
    return household_create(actor=caseworker, data=data, as_of=AS_OF)


class Walk(BrowserWalk):
    shots_dir = SHOTS

    def as_(self, user, viewport=DESK):
        self.page.wait_for_load_state("networkidle")  # the last step's redirect and htmx swaps are done
        self.page.set_viewport_size(viewport)
        self.login(user)

    def open_action(self, case_id: int, action: str):
        self.goto(f"{self.url}/cases/{case_id}/")
        self.page.click(f"#act-{action}")
        self.page.locator(f"#action-form[data-action={action}]").wait_for()

    def submit_action(self, state_label: str):
        from playwright.sync_api import expect

        self.page.click("#action-form button[type=submit]")
        expect(self.page.locator("#case-state")).to_have_text(state_label, timeout=15000)

    def upload_scan(self, kind: str, name: str):
        self.page.select_option("#id_scan_kind", kind)
        self.page.set_input_files("#id_scan_file", files=[{"name": name, "mimeType": "image/png",
                                                           "buffer": tiny_png(200, 140)}])
        with self.page.expect_navigation():  # the upload posts and redirects back to the case page
            self.page.click("#scan-upload button[type=submit]")
        self.page.wait_for_load_state()


def test_every_role_does_its_month_in_the_browser(live_server, work_calendar, people, applicant_household,  # noqa: F811
                                                   browser, tmp_path):
    from playwright.sync_api import expect

    context, page = browser
    walk = Walk(live_server, context, page)
    hh = applicant_household

    # 1. village assistant, on a phone: the application from the household page, then the scans
    walk.as_(people["village"], PHONE)
    page.goto(f"{walk.url}/households/")
    page.click(f"a[href='/households/{hh.pk}/']")
    # the head's declared wage (the figure the calculation reads and 核对 compares with)
    head = hh.head_id
    page.click(f"#declared-{head} summary:has-text('添加或修改一项收入')")
    page.select_option(f"#kind-{head}", "wage")
    page.fill(f"#amount-{head}", "300")
    page.click(f"#declared-{head} form.row-grid button[type=submit]")
    page.locator(f"#declared-{head} tr[data-kind=wage]").wait_for()
    walk.shot("village_declared_income")
    page.click("#apply-button")
    page.select_option("#id_program", "dibao")
    page.select_option("#id_applicant", str(hh.head_id))
    page.check("#id_id_checked")
    page.check("#id_authorization_signed")
    walk.shot("village_apply_form")
    page.click("#case-new-form button[type=submit].primary")
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case_id = int(re.search(r"/cases/(\d+)/$", page.url).group(1))
    expect(page.locator("#case-state")).to_have_text("已提交")
    walk.upload_scan("id_card", "身份证.png")
    walk.upload_scan("authorization", "委托授权书.png")
    expect(page.locator("#files + .card ul.files li")).to_have_count(2)
    walk.shot("village_submitted_with_scans")

    # 2. township caseworker requests verification
    walk.as_(people["caseworker"])
    walk.open_action(case_id, "request_verification")
    walk.submit_action("核对中")
    walk.shot("caseworker_verifying")

    # 3. county records the verification report
    walk.as_(people["county"])
    walk.open_action(case_id, "record_verification")
    page.select_option("#id_conclusion", "consistent")
    page.select_option("#id_items_0__member", str(hh.head_id))
    page.fill("#id_items_0__source", "人社部门")
    page.select_option("#id_items_0__item", "wage")
    page.fill("#id_items_0__amount", "300.00")
    page.fill("#id_items_0__as_of", "2026-10-31")
    walk.submit_action("已核对")
    walk.shot("county_verified")

    # 4. caseworker accepts
    walk.as_(people["caseworker"])
    walk.open_action(case_id, "accept")
    walk.submit_action("已受理")
    walk.shot("caseworker_accepted")

    # 5. village assistant (phone) records the household survey with a photo
    walk.as_(people["village"], PHONE)
    walk.open_action(case_id, "record_survey")
    page.set_input_files("#id_photo_file", files=[{"name": "现场.png", "mimeType": "image/png",
                                                   "buffer": tiny_png(160, 120)}])
    page.click("#photo-upload button[type=submit]")
    page.locator("#survey-photos img").wait_for()
    page.fill("#id_date", "2026-12-07")
    page.fill("#id_investigators", "王经办、陈协理")
    page.fill("#id_living_conditions", "砖混住房两间，家电简陋")
    page.fill("#id_findings", "家庭收入主要靠务农，情况属实")
    walk.submit_action("已入户调查")
    walk.shot("village_surveyed")

    # 6. caseworker: initial opinion (the engine's proposal), then the notice
    walk.as_(people["caseworker"])
    walk.open_action(case_id, "initial_review")
    assert "规则测算" in page.inner_text("#review-preview")
    page.select_option("#id_opinion", "grant")
    walk.submit_action("已初审")
    walk.open_action(case_id, "publish_notice")
    walk.submit_action("公示中")
    walk.shot("caseworker_in_notice")

    # 7. eight days later (the clock moves; nothing is written behind the pages' back)
    with time_machine.travel(datetime(2026, 12, 15, 10, tzinfo=SH), tick=True):
        walk.as_(people["caseworker"])
        walk.open_action(case_id, "close_notice")
        walk.submit_action("待审核确认")
        walk.shot("caseworker_notice_closed")

        # 8. township lead confirms from the workbench
        walk.as_(people["lead"])
        page.click(f"#tasks a[href*='/cases/{case_id}/']")
        page.click("#act-confirm")
        page.locator("#action-form[data-action=confirm]").wait_for()
        page.fill("#id_meeting_date", "2026-12-15")
        page.fill("#id_members_present", "周组长、吴委员、郑委员")
        page.fill("#id_opinion", "经审核，符合最低生活保障条件")
        walk.submit_action("已批准")
        walk.shot("lead_confirmed")

        # 9. county maker prepares January's payroll; the batch job runs in the worker's round
        walk.as_(people["county"])
        page.goto(f"{walk.url}/payroll/")
        page.select_option("#id_region", COUNTY)
        page.fill("#id_month", "2027-01")
        page.click("#prepare-submit")
        expect(page.locator(".job-status")).to_contain_text("生成发放批次")
        assert run_jobs() == 1
        page.locator("a.job-result").click()
        page.wait_for_url(re.compile(r".*/payroll/\d+/$"))
        batch_url = page.url
        expect(page.locator("#batch-status")).to_have_text("已生成待审核")
        expect(page.locator("#lines tbody tr")).to_have_count(1)
        expect(page.locator("#lines")).to_contain_text(hh.head_name)
        assert page.locator("#approve").count() == 0 and page.is_visible("#own-batch")  # maker-checker
        walk.shot("county_payroll_prepared")

        # 10. the second county user approves (with the totals shown) and exports the bank file
        walk.as_(people["checker"])
        page.goto(batch_url)
        expect(page.locator("#approve-totals")).to_contain_text(re.compile(r"共\s*1\s*户"))
        page.check("#id_confirm")
        page.click("#approve")
        expect(page.locator("#batch-status")).to_have_text("已审核锁定")
        page.select_option("#id_format", "csv")
        page.click("#export")
        page.locator("#download").wait_for()
        with page.expect_download() as info:
            page.click("#download")
        bank_file = Path(info.value.path()).read_bytes().decode("utf-8-sig")
        assert "6228480012345678901" in bank_file
        walk.shot("checker_exported")

        # 11. the inspector reads the case's audit trail
        walk.as_(people["inspector"])
        page.goto(f"{walk.url}/audit/")
        page.fill("#id_action", "case.")
        page.locator("form.filters button[type=submit], form.filters input[type=submit]").first.click()
        # (the action's Chinese name once the plain-language work lands, its code until then)
        expect(page.locator("#audit-table tbody")).to_contain_text(re.compile("审核确认|case\\.confirm"))
        expect(page.locator("#audit-table tbody")).to_contain_text(re.compile("申请|case\\.submit"))
        walk.shot("inspector_audit")

        # 12. the administrator creates a township lead user, then imports the official 2027 calendar
        walk.as_(people["admin"])
        page.goto(f"{walk.url}/system/")
        page.click("a[href='/system/users/']")
        page.fill("#id_username", "lead_b2")
        page.fill("#id_display_name", "孙组长")
        page.fill("#id_post", "审核确认小组组长")
        page.select_option("#id_role", "township_reviewer")
        page.select_option("#id_region", TOWNSHIP_A)
        page.fill("#id_password", PASSWORD)
        page.click("#create")
        expect(page.locator("body")).to_contain_text("lead_b2")
        walk.shot("admin_user_created")
        page.goto(f"{walk.url}/calendar/")
        path = tmp_path / "2027.csv"
        path.write_text(official_2027(), encoding="utf-8")
        page.set_input_files("#id_file", str(path))
        page.click("#calendar-import button[type=submit]")
        expect(page.locator("#import-result")).to_contain_text("2027")
        walk.shot("admin_calendar_imported")

        # and the new user can log in
        walk.login(type("U", (), {"username": "lead_b2"}))
        expect(page.locator("body")).to_contain_text("孙组长")

    print("\nscreenshots:\n" + "\n".join(str(p) for p in walk.shots))
    assert all(p.exists() and p.stat().st_size > 0 for p in walk.shots)
