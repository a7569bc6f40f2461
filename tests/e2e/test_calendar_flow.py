"""Browser test (issue 12 §1): a caseworker sees a 2027 deadline marked 暂定; the administrator sees
the banner, imports the official 2027 schedule on the 工作日历 page and sees the moved case; the
caseworker's task list flags it ("时限因放假安排调整")."""

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.apps.cases.flow import act, submit, verification
from tests.apps.test_workcalendar import official_2027
from tests.e2e.test_case_flow import browser, work_calendar  # noqa: F401  (shared fixtures)
from tests.e2e.walk import BrowserWalk

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
SHOTS = Path(os.environ.get("JIUZHU_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"
                            / "calendar_flow"))
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("needs_chromium")]


class Walk(BrowserWalk):
    shots_dir = SHOTS


def test_provisional_deadline_then_official_import_in_the_browser(live_server, work_calendar, household,  # noqa: F811
                                                                    caseworker, county_user, admin_user, browser,  # noqa: F811
                                                                    tmp_path):
    # given a case accepted on 2027-02-03 whose survey deadline crosses the provisional 春节 of 2027
    case = submit(caseworker, household, day=date(2027, 1, 29))
    case = act(caseworker, case, "request_verification", date(2027, 2, 1))
    case = act(county_user, case, "record_verification", date(2027, 2, 2), verification())
    case = act(caseworker, case, "accept", date(2027, 2, 3))
    context, page = browser
    walk = Walk(live_server, context, page)
    with time_machine.travel(datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        # when the caseworker opens the case
        walk.login(caseworker)
        page.goto(f"{walk.url}/cases/{case.pk}/")
        # then the survey deadline (2027-02-12) says 暂定, with the explanation
        assert "2027-02-12" in page.inner_text("#deadlines") and "暂定" in page.inner_text("#deadlines")
        assert page.is_visible("#provisional-note")
        walk.shot("case_provisional")
        # when the administrator opens the workbench: the banner links to the calendar page
        walk.login(admin_user)
        assert page.is_visible("#calendar-banner")
        walk.shot("admin_banner")
        page.click("#calendar-banner a")
        assert "2027 年暂定放假日" in page.inner_text("#provisional-2027")
        # and uploads the official schedule
        path = tmp_path / "2027.csv"
        path.write_text(official_2027(), encoding="utf-8")
        page.set_input_files("#id_file", str(path))
        page.click("#calendar-import button[type=submit]")
        page.locator("#import-result").wait_for()
        # then the moved case is listed with its old and new due date
        moved = page.inner_text("#moved")
        assert case.number in moved and "2027-02-12" in moved and "2027-02-14" in moved
        walk.shot("import_result")
        # and the caseworker's task list flags the case, the case page shows the new date, not 暂定
        walk.login(caseworker)
        assert "时限因放假安排调整" in page.inner_text("#tasks")
        walk.shot("tasks_moved")
        page.goto(f"{walk.url}/cases/{case.pk}/")
        assert page.is_visible("#deadline-moved")
        assert "2027-02-14" in page.inner_text("#deadlines") and "暂定" not in page.inner_text("#deadlines")
