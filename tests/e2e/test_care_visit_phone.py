"""Browser test on a 390 px phone (issue 16 "done when"): the village assistant records a monthly visit
with a photo and a need that becomes a referral; the township officer records a class Ⅲ guardian and
opens its agreement PDF; the county sees visit completion per township."""

import os
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.care.models import Guardianship, Visit
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.monitoring.models import Referral
from tests.apps.care.conftest import PNG
from tests.conftest import AS_OF, PASSWORD, make_id

from .test_household_entry import CHROMIUM, CHROMIUM_ARGS

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("needs_chromium")]


@pytest.fixture
def phone():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()


def _login(page, url, user):
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_visit_guardian_and_completion_on_a_phone(live_server, transactional_db, village_user, caseworker,
                                                   county_user, household_data, phone):
    from jiuzhu.apps.registry.services import household_create

    hh = household_create(actor=caseworker, as_of=AS_OF, data=household_data(members=[
        {"name": "王老五", "id_number": make_id(date(1950, 2, 3)), "relation": "head",
         "disability_kind": "mental", "disability_grade": 2}]))
    e = Enrollment.objects.create(program="tekun", household=hh, person=hh.memberships.first().person,
                                  region_id=hh.region_id, amount=Decimal("1000"), persons=1,
                                  start_month=date(2026, 3, 1), decided_on=date(2026, 2, 20))
    page, url = phone, live_server.url

    # the village assistant finds the missed visit and records it with a photo and a need
    _login(page, url, village_user)
    page.goto(f"{url}/care/?overdue=1")
    assert "王老五" in page.inner_text("#care-table")
    page.click("text=登记探访")
    assert _fits(page)
    page.fill("#id_visited_on", "2026-12-05")
    for area in ("food", "housing", "health", "hygiene", "safety", "caregiver"):
        page.select_option(f"#id_finding_{area}", "attention" if area == "housing" else "good")
    page.set_input_files("#id_photos", files=[{"name": "门口.png", "mimeType": "image/png", "buffer": PNG}])
    page.fill("#id_needs", "屋顶漏雨，需危房改造")
    page.select_option("#id_need_department", "housing")
    page.click("#visit-submit")
    page.wait_for_url(f"{url}/care/{e.pk}/#visits")
    assert "屋顶漏雨" in page.inner_text("#visits")
    visit = Visit.objects.get()
    assert visit.photos.count() == 1 and Referral.objects.get(alert_id=visit.alert_id).department == "housing"

    # the township officer records no capacity and a class Ⅲ guardian, and opens the agreement
    _login(page, url, caseworker)
    page.goto(f"{url}/care/{e.pk}/")
    page.select_option("#id_capacity", "none")
    page.select_option("#id_capacity_basis", "disability")
    page.fill("#id_capacity_on", "2026-11-01")
    page.click("#capacity-form button[type=submit]")
    page.wait_for_selector("#guardian-form")
    page.select_option("#id_guardian_class", "III")
    page.select_option("#id_guardian_kind", "village_committee")
    page.fill("#id_guardian_name", "珍珠半岛村村民委员会")
    page.fill("#id_start", "2026-12-01")
    page.fill("#id_review_on", "2027-12-01")
    page.click("#guardian-submit")
    page.wait_for_selector(".agreement-pdf")
    wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right))""")
    assert _fits(page), wide
    g = Guardianship.objects.get()
    pdf = page.request.get(f"{url}/care/guardians/{g.pk}/agreement.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")

    # the county sees the completion per township
    _login(page, url, county_user)
    page.goto(f"{url}/care/report/")
    assert "千岛湖镇" in page.inner_text("#completion-table") and "100.0%" in page.inner_text("#completion-table")
