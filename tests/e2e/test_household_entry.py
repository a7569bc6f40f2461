"""Browser test: a caseworker registers a household through the form, fixing a wrong ID check digit."""

import os
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, bad_check_digit, make_id

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses that without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.usefixtures("needs_chromium"),  # skipped without chromium, failed under CI=true
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 412, "height": 900})  # a phone
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()


def test_caseworker_enters_household_and_finds_it(live_server, transactional_db, caseworker, browser_page):
    page = browser_page
    head_id = make_id(date(1972, 4, 9))
    wrong_id = bad_check_digit(head_id)

    # given the caseworker logs in through the login form
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", caseworker.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "乡镇经办人" in page.inner_text("header")

    # when they open the new-household form and enter a head with a wrong check digit
    page.goto(f"{live_server.url}/households/new/")
    page.select_option("#id_region_code", "330127100201")
    page.fill("#id_address", "珍珠半岛村8号")
    page.fill("#id_m-0-name", "钱浩然")
    page.fill("#id_m-0-id_number", wrong_id)
    page.select_option("#id_m-0-relation", "head")
    page.click("#household-form button[type=submit].primary")

    # then the check-digit error is shown next to the ID field and the input is kept
    error = page.locator("#err-m-0-id_number")
    error.wait_for()
    assert error.inner_text() == "身份证号校验位错误，请核对后重新输入"
    assert page.input_value("#id_m-0-id_number") == wrong_id
    assert page.input_value("#id_m-0-name") == "钱浩然"

    # when they fix it and submit again
    page.fill("#id_m-0-id_number", head_id)
    page.click("#household-form button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/households/*/")
    assert "钱浩然" in page.inner_text("h1")

    # and the full ID number can be revealed in place (htmx POST with the CSRF header)
    assert head_id not in page.inner_text("#members-table")
    page.click("#members-table button:has-text('显示完整号码')")
    page.locator(f"#members-table .revealed:has-text('{head_id}')").wait_for()

    # then a search by name in the household list finds it
    page.goto(f"{live_server.url}/households/")
    page.fill("#id_q", "钱浩")
    page.click("form.filters button[type=submit]")
    # the search goes by POST (an ID number never appears in a URL or an access log)
    page.locator("#household-table:has-text('钱浩然')").wait_for()
    table = page.locator("#household-table")
    assert "钱浩然" in table.inner_text()
    assert "珍珠半岛村" in table.inner_text()


def test_add_member_row_button_adds_a_fifth_row(live_server, transactional_db, caseworker, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", caseworker.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/households/new/")
    assert page.locator("fieldset.member-row").count() == 4
    page.click("#add-member-row")
    assert page.locator("fieldset.member-row").count() == 5
    assert page.locator("#id_m-4-id_number").count() == 1
