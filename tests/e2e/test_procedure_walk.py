"""Browser test (issue 20 "Done when"): a dibao case in a county that runs the 年审 plan's full
procedure — 申请情况公示 and 民主听证 on (the demo county's settings) — walked in the browser.

"受理后...出具《申请最低生活保障受理告知书》" (年审 plan 三(2)一): after acceptance the case page offers the
受理告知书; "自受理申请的次日起在申请人所在的村(居)委员会公示申请情况" (三(2)二): the case shows the
申请情况公示 and /gongshi/ lists it from the next day; "对公示有异议或核对有预警人员，应组织开展民主听证"
(三(2)五): 核对 finds more than was declared, so the initial review is shown blocked with the reason until the
hearing — the five steps, the attendees' signatures and the uploaded signature sheet — is recorded.
The fixtures set the region's settings and create the personas and the household; every step is a page.
Screenshots in var/screenshots/procedure_walk/."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import COUNTY
from tests.e2e.test_case_flow import work_calendar  # noqa: F401  (shared fixture)
from tests.e2e.test_roles_walk import DESK, PHONE, Walk, browser  # noqa: F401
from tests.web.test_cases_support import tiny_png

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path(os.environ.get("JIUZHU_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
             ) / "procedure_walk"
SH = ZoneInfo("Asia/Shanghai")

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("needs_chromium")]


class ProcedureWalk(Walk):
    shots_dir = SHOTS


@pytest.fixture
def full_procedure(regions):
    """The county's settings as the demo county has them (apps/synthetic/demo_procedure.py)."""
    from tests.apps.cases.flow import workflow_setting

    return workflow_setting(COUNTY, application_notice=True, hearing=True)


@pytest.fixture
def home(caseworker, household_data, settings, tmp_path):
    from jiuzhu.apps.registry.services import household_create
    from tests.conftest import AS_OF

    settings.JIUZHU_FILES_DIR = tmp_path
    return household_create(actor=caseworker, data=household_data(), as_of=AS_OF)


def test_acceptance_notice_application_notice_and_hearing_in_the_browser(  # noqa: PLR0915
        live_server, work_calendar, full_procedure, home, village_user, caseworker, county_user,  # noqa: F811
        browser):  # noqa: F811
    from playwright.sync_api import expect

    context, page = browser
    walk = ProcedureWalk(live_server, context, page)
    hh = home
    with time_machine.travel(datetime(2026, 12, 7, 9, tzinfo=SH), tick=True):
        # the village assistant declares the head's wage and applies, with the 一证一书
        walk.as_(village_user, PHONE)
        page.goto(f"{walk.url}/households/{hh.pk}/")
        head = hh.head_id
        page.click(f"#declared-{head} summary:has-text('添加或修改一项收入')")
        page.select_option(f"#kind-{head}", "wage")
        page.fill(f"#amount-{head}", "300")
        page.click(f"#declared-{head} form.row-grid button[type=submit]")
        page.locator(f"#declared-{head} tr[data-kind=wage]").wait_for()
        page.click("#apply-button")
        page.select_option("#id_program", "dibao")
        page.select_option("#id_applicant", str(head))
        page.check("#id_id_checked")
        page.check("#id_authorization_signed")
        page.click("#case-new-form button[type=submit].primary")
        page.wait_for_url(re.compile(r".*/cases/\d+/$"))
        case_id = int(re.search(r"/cases/(\d+)/$", page.url).group(1))
        walk.upload_scan("id_card", "身份证.png")
        walk.upload_scan("authorization", "委托授权书.png")

        # the caseworker requests 核对; the county finds a wage above the declared one (核对有预警)
        walk.as_(caseworker)
        walk.open_action(case_id, "request_verification")
        walk.submit_action("核对中")
        walk.as_(county_user)
        walk.open_action(case_id, "record_verification")
        page.select_option("#id_conclusion", "inconsistent")
        page.select_option("#id_items_0__member", str(head))
        page.fill("#id_items_0__source", "人社部门")
        page.select_option("#id_items_0__item", "wage")
        page.fill("#id_items_0__amount", "900.00")
        page.fill("#id_items_0__as_of", "2026-10-31")
        walk.submit_action("已核对")

        # acceptance: the 受理告知书 is offered and the 申请情况公示 is posted
        walk.as_(caseworker)
        walk.open_action(case_id, "accept")
        walk.submit_action("已受理")
        expect(page.locator("a#doc-acceptance_notice")).to_contain_text("受理告知书")
        expect(page.locator("#case-notices")).to_contain_text("申请情况")
        walk.shot("accepted_with_acceptance_notice_and_application_notice")
        with page.expect_download() as download:
            page.click("a#doc-acceptance_notice")
        assert download.value.suggested_filename.endswith(".pdf")

    with time_machine.travel(datetime(2026, 12, 8, 9, tzinfo=SH), tick=True):
        # from the next day the public notice page lists the application (no amount)
        context.clear_cookies()
        page.goto(f"{walk.url}/gongshi/")
        expect(page.locator("main")).to_contain_text(hh.head.name)
        walk.shot("gongshi_application_notice")

        # the survey, then the initial review is shown blocked until the hearing
        walk.as_(village_user, PHONE)
        walk.open_action(case_id, "record_survey")
        page.set_input_files("#id_photo_file", files=[{"name": "现场.png", "mimeType": "image/png",
                                                       "buffer": tiny_png(160, 120)}])
        page.click("#photo-upload button[type=submit]")
        page.locator("#survey-photos img").wait_for()
        page.fill("#id_date", "2026-12-08")
        page.fill("#id_investigators", "王经办、陈协理")
        page.fill("#id_living_conditions", "砖混住房两间")
        page.fill("#id_findings", "有季节性务工收入")
        walk.submit_action("已入户调查")
        walk.as_(caseworker)
        page.goto(f"{walk.url}/cases/{case_id}/")
        expect(page.locator("main")).to_contain_text("民主听证")
        assert page.locator("#act-initial_review").count() == 0 or page.locator("#act-initial_review").is_disabled()
        walk.shot("initial_review_blocked_until_hearing")

        # the hearing: the signed sheet uploaded, then the record with its five steps and signatures
        walk.upload_scan("hearing_sheet", "听证签字表.png")
        page.wait_for_load_state("networkidle")  # the upload's redirect back to the case page is done
        walk.open_action(case_id, "hold_hearing")
        page.fill("#id_date", "2026-12-08")
        page.fill("#id_place", "珍珠半岛村村委会")
        page.fill("#id_host", "周书记")
        for field, text in (("policy", "宣讲低保政策"), ("situation", "介绍家庭情况及核对差异"),
                            ("deliberation", "代表现场评议"), ("conclusion", "差异系季节性务工收入"),
                            ("signing", "参加人员签字确认")):
            page.fill(f"#id_steps_{field}", text)
        for i, (name, capacity) in enumerate((("张代表", "村民代表"), ("李代表", "村民代表"), ("王干部", "驻村干部"))):
            if i:
                page.click("#action-form button.add-row")
            page.fill(f"#id_attendees_{i}__name", name)
            page.fill(f"#id_attendees_{i}__capacity", capacity)
            page.check(f"#id_attendees_{i}__signed")
        page.select_option("#id_conclusion", "eligible")
        page.fill("#id_conclusion_text", "差异系季节性务工收入，已说明，符合条件")
        with page.expect_navigation(url=re.compile(rf".*/cases/{case_id}/$")):  # the redirect back to the case
            page.click("#action-form button[type=submit]")
        page.wait_for_load_state()
        expect(page.locator("main")).to_contain_text("听证")
        walk.shot("hearing_recorded")

        # now the initial review can be given
        walk.open_action(case_id, "initial_review")
        page.select_option("#id_opinion", "grant")
        walk.submit_action("已初审")
        walk.shot("initial_review_after_hearing")
