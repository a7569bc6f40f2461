"""Browser test on a 390 px phone (issue 16 §2): the village assistant opens the township's 摸底排查,
finds the person still to visit and records the line on the phone form; the page fits the screen and
the campaign shows complete."""

import os
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.care import survey
from jiuzhu.apps.care.models import SurveyItem
from jiuzhu.apps.enrollment.models import Enrollment
from tests.apps.care.conftest import NOW
from tests.conftest import AS_OF, TOWNSHIP_A, make_id

from .test_care_visit_phone import _fits, _login, phone  # noqa: F401  (fixture)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("needs_chromium")]


def test_survey_line_on_a_phone(live_server, transactional_db, village_user, caseworker, household_data,
                                phone):  # noqa: F811
    from jiuzhu.apps.registry.services import household_create

    hh = household_create(actor=caseworker, as_of=AS_OF, data=household_data(members=[
        {"name": "王老五", "id_number": make_id(date(1950, 2, 3)), "relation": "head"}]))
    e = Enrollment.objects.create(program="tekun", household=hh, person=hh.memberships.first().person,
                                  region_id=hh.region_id, amount=Decimal("1000"), persons=1,
                                  start_month=date(2026, 3, 1), decided_on=date(2026, 2, 20))
    campaign, _ = survey.survey_start(actor=caseworker, region_code=TOWNSHIP_A, year=2026, now=NOW)
    page, url = phone, live_server.url

    _login(page, url, village_user)
    page.goto(f"{url}/care/survey/{campaign.pk}/?pending=1")
    assert "王老五" in page.inner_text("#item-table") and _fits(page)
    page.click("#item-table >> text=登记")
    assert _fits(page)
    page.fill("#id_visited_on", "2026-12-07")  # the date field stops a future day (max = today)
    page.select_option("#id_capacity", "limited")
    page.select_option("#id_living", "alone")
    page.select_option("#id_care_wish", "dispersed")
    page.click("#survey-submit")  # limited capacity without its cause: refused under the field
    assert "须注明原因" in page.inner_text("#err-capacity_cause") and _fits(page)
    assert not SurveyItem.objects.filter(done=True).exists()
    page.select_option("#id_capacity_cause", "intellectual")
    page.select_option("#id_living", "alone")
    page.select_option("#id_care_wish", "dispersed")
    page.fill("#id_caregiver", "侄子王小明")
    page.click("#survey-submit")
    page.wait_for_url(f"{url}/care/survey/{campaign.pk}/?village={e.region_id}&pending=1")
    assert "已全部完成" in page.inner_text("#survey-total") and _fits(page)
    item = SurveyItem.objects.get()
    assert (item.done, item.capacity_cause, item.caregiver) == (True, "intellectual", "侄子王小明")
