"""工作日历 page (issue 12 §1): an administrator sees official and provisional years, imports the
official schedule in the browser and sees the moved deadlines; bad files get a Chinese error and
change nothing; other roles cannot import; the workbench warns from 1 October."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.workcalendar import selectors
from jiuzhu.apps.workcalendar.models import CalendarDay
from tests.apps.test_workcalendar import official_2027

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _upload(client, content: bytes, name="2027.csv", **extra):
    return client.post("/calendar/", {"file": SimpleUploadedFile(name, content), **extra})


def test_admin_sees_provisional_years_and_their_days(client, admin_user):
    client.force_login(admin_user)
    with time_machine.travel(datetime(2026, 12, 7, 10, tzinfo=TZ), tick=False):
        page = client.get("/calendar/").content.decode()
    assert "2027" in page and "暂定" in page and 'id="provisional-2027"' in page
    assert "春节补假" in page  # the 补假 of a weekend 春节 day is listed
    assert 'id="calendar-banner"' in page


def test_admin_imports_the_official_schedule_in_the_browser(client, admin_user):
    client.force_login(admin_user)
    response = _upload(client, official_2027().encode())
    assert response.status_code == 200
    page = response.content.decode()
    assert "已导入 2027 年放假安排" in page and 'id="import-result"' in page
    assert selectors.year_status(2027) == "official"
    # the same file again: nothing changes
    again = _upload(client, official_2027().encode()).content.decode()
    assert "未作改动" in again


@pytest.mark.parametrize(
    "case, content, name, message",
    [
        ("one holiday only", b"2027-01-01,holiday\n", "2027.csv", "法定节假日"),
        ("UTF-16 file", official_2027().encode("utf-16"), "2027.csv", "UTF-8"),
        ("binary", bytes(range(256)) * 4, "2027.csv", "UTF-8"),
        ("weekday make-up workday", official_2027(**{"2027-02-12": "班"}).encode(), "2027.csv", "2027-02-12"),
        ("broken JSON", b'{"year": 2027, "holidays": [', "2027.json", "JSON"),
    ],
)
def test_a_bad_file_gets_a_chinese_error_and_changes_nothing(client, admin_user, case, content, name, message):
    client.force_login(admin_user)
    days, events = CalendarDay.objects.count(), AuditEvent.objects.count()
    response = _upload(client, content, name)
    assert response.status_code == 422, case
    assert message in response.content.decode(), case
    assert (CalendarDay.objects.count(), AuditEvent.objects.count()) == (days, events)
    assert selectors.year_status(2027) == "provisional"


def test_no_file_is_named(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/calendar/", {})
    assert response.status_code == 422 and "请选择放假安排文件" in response.content.decode()


@pytest.mark.parametrize("persona", ["caseworker", "outsider", "inspector"])
def test_other_roles_cannot_open_or_import(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/calendar/").status_code == 403
    assert _upload(client, official_2027().encode()).status_code == 403
    assert selectors.year_status(2027) == "provisional"


@pytest.mark.parametrize("day, shown", [(datetime(2026, 9, 30, 10, tzinfo=TZ), False),
                                        (datetime(2026, 10, 1, 10, tzinfo=TZ), True)])
def test_the_county_workbench_warns_from_1_october(client, county_user, caseworker, day, shown):
    client.force_login(county_user)
    with time_machine.travel(day, tick=False):
        page = client.get("/").content.decode()
    assert ('id="calendar-banner"' in page) is shown
    # a township caseworker is not the one to import: no banner
    client.force_login(caseworker)
    with time_machine.travel(day, tick=False):
        assert 'id="calendar-banner"' not in client.get("/").content.decode()
