"""/api/v1/calendar: is-workday, add-workdays (the deadline arithmetic), years with the provisional flag;
a year outside the calendar and bad input are 422 with a Chinese message naming the field."""

from __future__ import annotations

import pytest

from tests.bad_files import CHINESE

pytestmark = pytest.mark.django_db
URL = "/api/v1/calendar"


def test_is_workday_knows_holidays_and_makeup_days(client, bearer, caseworker):
    headers = bearer(caseworker)
    national_day = client.get(f"{URL}/is-workday", {"date": "2026-10-01"}, **headers).json()
    assert national_day == {"date": "2026-10-01", "workday": False, "provisional": False}
    monday = client.get(f"{URL}/is-workday", {"date": "2026-12-07"}, **headers).json()
    assert monday["workday"] is True
    # 2027 has no official schedule yet in the test database: provisional
    assert client.get(f"{URL}/is-workday", {"date": "2027-03-01"}, **headers).json()["provisional"] is True


def test_add_workdays_counts_like_the_deadlines(client, bearer, caseworker):
    headers = bearer(caseworker)
    # 3 working days after 30 September 2026: National Day off (1–7 Oct), 8 and 9 Oct, then the 调休 Saturday
    body = client.get(f"{URL}/add-workdays", {"date": "2026-09-30", "days": 3}, **headers).json()
    assert body["result"] == "2026-10-10" and body["provisional"] is False
    late = client.get(f"{URL}/add-workdays", {"date": "2026-12-28", "days": 10}, **headers).json()
    assert late["provisional"] is True and late["result"].startswith("2027-01")


def test_years_list_official_and_provisional(client, bearer, caseworker):
    items = client.get(f"{URL}/years", **bearer(caseworker)).json()["items"]
    by_year = {y["year"]: y for y in items}
    assert by_year[2026]["status"] == "official" and by_year[2026]["provisional"] is False
    assert by_year[2027]["status"] == "provisional" and by_year[2027]["provisional"] is True
    assert by_year[2027]["source"]


@pytest.mark.parametrize(("path", "params", "field"), [
    ("is-workday", {}, "date"), ("is-workday", {"date": "2026-02-30"}, "date"),
    ("is-workday", {"date": "1899-01-01"}, "date"), ("add-workdays", {"date": "2026-01-05", "days": 0}, "days"),
    ("add-workdays", {"date": "2026-01-05", "days": 100000}, "days"), ("add-workdays", {"days": 3}, "date"),
])
def test_bad_input_is_422_naming_the_field(client, bearer, caseworker, path, params, field):
    response = client.get(f"{URL}/{path}", params, **bearer(caseworker))
    assert response.status_code == 422, response.content
    body = response.json()
    assert field in body["message"] and CHINESE.search(body["details"]["errors"][0]["message"])


def test_a_year_outside_the_calendar_is_422_in_chinese(client, bearer, caseworker):
    response = client.get(f"{URL}/is-workday", {"date": "2001-05-01"}, **bearer(caseworker))
    assert response.status_code == 422 and response.json()["code"] == "calendar.year_missing"
    assert "2001" in response.json()["message"]


def test_anonymous_is_401_and_the_session_works(client, caseworker):
    assert client.get(f"{URL}/years").status_code == 401
    client.force_login(caseworker)
    assert client.get(f"{URL}/years").status_code == 200
