"""Browser test (issue 14 "Done when"): the county allocates the township's 备用金; a township caseworker
on a phone records an emergency (a house fire), pays 先行救助 from the reserve fund the same day and
completes the 核对, survey and 公示 afterwards; an expenditure case (medical costs) above the township's
limit goes from the township to the county, is approved in two stages and paid in both; the reserve
page reconciles the fund to the fen. The fixtures create the personas and the household; every step is
a page. Screenshots in var/screenshots/temporary_walk/."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import TOWNSHIP_A, VILLAGE_A
from tests.e2e.test_case_flow import work_calendar  # noqa: F401  (shared fixture)
from tests.e2e.test_roles_walk import DESK, PHONE, Walk, browser  # noqa: F401

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path(os.environ.get("JIUZHU_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
             ) / "temporary_walk"
SH = ZoneInfo("Asia/Shanghai")

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("needs_chromium")]


class TemporaryWalk(Walk):
    shots_dir = SHOTS

    def act(self, case_id: int, action: str, fill=None, state: str | None = None):
        """Open ``action`` on the case page, fill its form, submit, and wait for the case page again (a
        refused form stays on the page with its errors: the test fails naming them)."""
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import expect

        self.open_action(case_id, action)
        if fill:
            fill(self.page)
        self.page.click("#action-form button[type=submit]")
        case_page = re.compile(rf".*/cases/{case_id}/(#.*)?$")
        for _ in range(150):
            if case_page.match(self.page.url) and not self.page.locator("#action-form").count():
                break
            try:
                errors = self.page.locator("#action-form .field-error, #action-error").all_inner_texts()
            except PlaywrightError:  # the page is navigating to the case page
                errors = []
            assert not errors, (action, errors)
            self.page.wait_for_timeout(100)
        self.page.wait_for_load_state("networkidle")  # htmx's redirect has landed before the next step navigates
        if state:
            expect(self.page.locator("#case-state")).to_have_text(state, timeout=15000)

    def open_case(self, household_id: int, fields: dict) -> int:
        self.page.goto(f"{self.url}/households/{household_id}/temporary/")
        self.page.select_option("#id_kind", fields.pop("kind"))
        self.page.select_option("#id_category", fields.pop("category"))
        if self.page.locator("select#id_place_region").count():
            self.page.select_option("#id_place_region", fields.pop("place_region", ""))
        for name, value in fields.items():
            self.page.fill(f"#id_{name}", value)
        self.page.click("#temporary-new-form button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/cases/\d+/$"))
        return int(re.search(r"/cases/(\d+)/$", self.page.url).group(1))


def _follow_up(walk: TemporaryWalk, case_id: int):
    """核对, 入户调查 and 公示 — afterwards for an emergency, before the decision for an expenditure."""
    def verification(page):
        page.fill("#id_income_per_capita", "600")
        page.check("#id_assets_within_limits")
        page.fill("#id_verified_on", "2026-12-07")

    def survey(page):
        page.fill("#id_surveyed_on", "2026-12-07")
        page.fill("#id_investigators", "王经办、陈协理")
        page.fill("#id_findings", "情况属实，家庭无其他收入来源")

    def notice(page):
        page.fill("#id_starts_on", "2026-12-07")

    for action, fill in (("ta_record_verification", verification), ("ta_record_survey", survey),
                         ("ta_publish_notice", notice)):
        walk.act(case_id, action, fill)


def test_emergency_from_the_reserve_and_an_expenditure_in_two_stages(  # noqa: PLR0915
        live_server, work_calendar, household, caseworker, reviewer, county_user, browser,  # noqa: F811
        settings, tmp_path):
    from playwright.sync_api import expect

    from jiuzhu.apps.cases.models import Case
    from jiuzhu.apps.programs.temporary import limits
    from jiuzhu.apps.reserve.models import ReserveFund

    settings.JIUZHU_FILES_DIR = tmp_path
    context, page = browser
    walk = TemporaryWalk(live_server, context, page)
    with time_machine.travel(datetime(2026, 12, 7, 9, tzinfo=SH), tick=True):
        # 1. the county allocates 5 000 yuan to the township's 备用金
        walk.as_(county_user, DESK)
        page.goto(f"{walk.url}/reserve/")
        page.select_option("#id_township", TOWNSHIP_A)
        page.fill("#reserve-allocate-form #id_amount", "5000")
        page.fill("#reserve-allocate-form #id_note", "2026年度乡镇临时救助备用金")
        page.click("#reserve-allocate-form button[type=submit]")
        expect(page.locator("#reserve-balances")).to_contain_text("5000.00")

        # 2. on a phone, the caseworker records the fire and pays 500 yuan from the fund the same day
        walk.as_(caseworker, PHONE)
        emergency = walk.open_case(household.pk, {
            "kind": "emergency", "category": "fire", "circumstance": "夜间住房失火，衣物被褥烧毁",
            "occurred_on": "2026-12-06", "place_region": VILLAGE_A, "need": "1000"})
        expect(page.locator("#case-state")).to_have_text("已受理")
        walk.shot("emergency_recorded_on_a_phone")

        def advance(p):
            p.fill("#id_amount", "500")
            p.fill("#id_reason", "火灾后基本生活无着，先行救助")
            p.select_option("#id_modality", "cash")
            p.fill("#id_recipient", "张建国")
            p.fill("#id_receipt_number", "SJ-20261207-01")
            p.check("#id_from_reserve")

        walk.act(emergency, "ta_pay_advance", advance, "已先行救助·待补办")
        walk.shot("advance_paid_from_the_reserve")

        # 3. the verification, survey and notice afterwards, then the 补办 is completed
        _follow_up(walk, emergency)
        walk.act(emergency, "ta_complete_follow_up", None, "已批准")
        walk.shot("emergency_follow_up_completed")

        # 4. an expenditure case above the township's limit: accepted, followed up, referred to the county
        walk.as_(caseworker, DESK)
        expenditure = walk.open_case(household.pk, {
            "kind": "expenditure", "category": "medical", "circumstance": "子女突发重病住院，自付医疗费用高",
            "occurred_on": "2026-11-20", "need": "30000"})
        walk.act(expenditure, "ta_accept", None, "已受理")
        _follow_up(walk, expenditure)
        amount = limits(Case.objects.get(pk=expenditure), date(2026, 12, 7))["township"] + 100
        first = (amount / 2).quantize(Decimal("0.01"))
        walk.as_(reviewer, DESK)

        def refer(p):
            p.fill("#id_amount", str(amount))
            p.fill("#id_note", "超过乡镇审批额度，报县级审批")

        walk.act(expenditure, "ta_refer_county", refer, "待县级审批")
        walk.shot("expenditure_referred_to_the_county")

        # 5. the county approves it in two stages
        walk.as_(county_user, DESK)

        def approve(p):
            p.fill("#id_amount", str(amount))
            p.select_option("#id_modality", "bank")
            p.fill("#id_stages", f"{first}\n{amount - first}")  # one stage a line
            p.fill("#id_note", "同意，分两次发放")

        walk.act(expenditure, "ta_county_approve", approve, "发放中")
        walk.shot("county_approved_in_two_stages")

        # 6. the township pays both stages and closes the payments
        walk.as_(caseworker, DESK)

        def pay(p):
            p.select_option("#id_modality", "bank")
            p.fill("#id_recipient", "张建国")
            p.fill("#id_paid_on", "2026-12-07")

        walk.act(expenditure, "ta_pay", pay, "发放中")
        walk.act(expenditure, "ta_pay", pay, "发放中")
        walk.act(expenditure, "ta_close_payments", None, "已批准")
        walk.shot("expenditure_paid_in_two_stages")

        # 7. the fund reconciles to the fen: 5 000 allocated, 500 drawn, 4 500 left
        page.goto(f"{walk.url}/reserve/")
        expect(page.locator("#reserve-balances")).to_contain_text("4500.00")
        expect(page.locator("#reserve-entries")).to_contain_text("500.00")
        walk.shot("reserve_reconciled")

    fund = ReserveFund.objects.get(pk=TOWNSHIP_A)
    assert fund.balance == Decimal("4500.00")
    case = Case.objects.get(pk=expenditure)
    assert [r.data["stage"] for r in case.records.filter(kind="ta_payment").order_by("id")] == [1, 2]
    assert sum(Decimal(str(r.data["amount"])) for r in case.records.filter(kind="ta_payment")) == amount
