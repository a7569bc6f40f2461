"""Browser test (issue 15 "Done when", first half): an anonymous 举报 against an enrolled dibao household
is registered, assigned, investigated and found true; the township stops the enrollment and
raises a recovery item for the months paid after the concealed income (refund notice PDF); it proposes
the person for the 失信 list and the county decides (maker-checker); the complainant's reply PDF is
generated. The fixtures create the personas, the household and its paid enrollment; every step is a
page. Screenshots in var/screenshots/integrity_walk/."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.apps.integrity.conftest import make_paid
from tests.e2e.test_case_flow import work_calendar  # noqa: F401  (shared fixture)
from tests.e2e.test_roles_walk import DESK, Walk, browser  # noqa: F401

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path(os.environ.get("JIUZHU_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
             ) / "integrity_walk"
SH = ZoneInfo("Asia/Shanghai")

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("needs_chromium")]


class IntegrityWalk(Walk):
    shots_dir = SHOTS


@pytest.fixture
def paid_household(household, settings, tmp_path):
    settings.JIUZHU_FILES_DIR = tmp_path
    return make_paid(household)


def test_a_report_leads_to_stop_recovery_and_the_credit_list(  # noqa: PLR0915
        live_server, work_calendar, paid_household, caseworker, county_user,  # noqa: F811
        browser):  # noqa: F811
    from playwright.sync_api import expect

    from jiuzhu.apps.enrollment.models import Enrollment
    from jiuzhu.apps.integrity.models import Complaint, CreditRecord, RecoveryItem
    from jiuzhu.core.crypto import keyring

    context, page = browser
    walk = IntegrityWalk(live_server, context, page)
    enrollment = paid_household.enrollment
    head = enrollment.household.memberships.select_related("person").get(relation="head").person
    head_id = keyring().decrypt(head.id_number_enc, purpose="id_number")  # the form takes the full number
    with time_machine.travel(datetime(2026, 12, 7, 9, tzinfo=SH), tick=True):
        # 1. the caseworker registers an anonymous 举报 by phone about the enrolled household
        walk.as_(caseworker, DESK)
        page.goto(f"{walk.url}/complaints/")
        page.select_option("#id_category", "report")
        page.select_option("#id_channel", "phone")
        page.select_option("#id_region", enrollment.region_id[:9] + "000")
        page.fill("#id_enrollment", str(enrollment.pk))
        page.check("input[name=anonymous]")
        page.fill("#id_reporter_name", "王某")
        page.fill("#id_reporter_phone", "13905710000")
        page.fill("#id_content", "张建国在县城务工，月收入三千余元，仍领取低保")
        page.click("#intake-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/complaints/\d+/$"))
        complaint_id = int(re.search(r"/complaints/(\d+)/$", page.url).group(1))
        expect(page.locator("#reporter")).not_to_contain_text("王某")  # anonymous: not shown to the township
        walk.shot("report_registered_anonymous")

        # 2. assigned to the caseworker, investigated, concluded as true
        page.select_option("#id_handler", str(caseworker.pk))
        page.click("#complaint-assign button[type=submit]")
        expect(page.locator("#complaint-status")).to_have_text("办理中")  # a 举报 needs no acceptance decision
        expect(page.locator("main")).to_contain_text("承办人 caseworker_a")
        page.fill("#id_text", "经入户核实及人社部门数据比对，张建国自2026年9月起在县城务工，月工资3200元，未报告")
        page.click("#complaint-investigate button[type=submit]")
        page.wait_for_load_state()
        page.select_option("#id_result", "founded")
        page.fill("#id_result_text", "举报属实，停发低保并追回多发的保障金，拟列入失信名单")
        page.click("#complaint-conclude button[type=submit]")
        expect(page.locator("#complaint-status")).to_have_text("已办结待答复")
        walk.shot("report_concluded_true")

        # 3. the enrollment is stopped (附件9 follows from the change machinery)
        page.goto(f"{walk.url}/enrollments/{enrollment.pk}/")
        page.click("#change-buttons a.danger")
        page.locator("#change-form").wait_for()
        page.fill("#change-form [name=reason]", "经举报核实，家庭成员有稳定务工收入且未如实报告")
        page.click("#change-form button[type=submit]")
        page.wait_for_url(re.compile(rf".*/enrollments/{enrollment.pk}/.*"))
        walk.shot("enrollment_stopped")

        # 4. a recovery item for the months paid while the income was concealed, with its notice
        page.goto(f"{walk.url}/recovery/")
        page.fill("#id_enrollment", str(enrollment.pk))
        page.select_option("#id_reason", "undeclared_change")
        page.fill("#id_months", "2026-10, 2026-11")
        page.fill("#raise-form #id_note", "举报核实：2026年9月起务工收入未报告")
        page.click("#raise-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/recovery/\d+/$"))
        item_id = int(re.search(r"/recovery/(\d+)/$", page.url).group(1))
        expect(page.locator("main")).to_contain_text("应追回(元)1300.00")
        with page.expect_download() as notice:
            page.click(f"a[href='/recovery/{item_id}/notice.pdf']")
        assert notice.value.suggested_filename.endswith(".pdf")
        walk.shot("recovery_item_with_notice")

        # 5. the township proposes the 失信 record
        page.goto(f"{walk.url}/credit/")
        page.fill("#id_id_number", head_id)
        page.select_option("#id_behaviour", "concealed_income")
        page.fill("#propose-form #id_amount", "1300")
        page.fill("#id_facts", "隐瞒务工收入骗取低保保障金1300元，经举报查实")
        page.click("#propose-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/credit/\d+/$"))
        record_id = int(re.search(r"/credit/(\d+)/$", page.url).group(1))
        expect(page.locator("main")).to_contain_text("待县级决定")
        walk.shot("credit_record_proposed")

        # 6. the county decides: listed
        walk.as_(county_user, DESK)
        page.goto(f"{walk.url}/credit/{record_id}/")
        page.check("input[name=approve][value=yes]")
        page.fill("#id_decision_number", "淳民〔2026〕12号")
        page.fill("#id_decision", "经审查，事实清楚，列入社会救助失信名单")
        page.click(f"form[action='/credit/{record_id}/decide/'] button[type=submit]")
        page.wait_for_load_state()
        expect(page.locator("main")).to_contain_text("已列入失信名单")
        walk.shot("credit_record_listed_by_the_county")

        # 7. the reply to the complainant (PDF), then the complaint is replied
        walk.as_(caseworker, DESK)
        page.goto(f"{walk.url}/complaints/{complaint_id}/")
        with page.expect_download() as reply:
            page.click("#reply-pdf")
        assert reply.value.suggested_filename.endswith(".pdf")
        walk.shot("reply_pdf_issued")

    assert Enrollment.objects.get(pk=enrollment.pk).status in ("stopped", "stopping")
    assert RecoveryItem.objects.get(pk=item_id).total == 1300
    assert CreditRecord.objects.get(pk=record_id).status == "listed"
    assert Complaint.objects.get(pk=complaint_id).status == "replied"
