"""The 特困监护照护 section of the county dashboard and the care report's extra xlsx sheets (issue 16 §7):
chart data by township for the county, only its own township for a township user (and the county's
township filter), no section without ``care.supervise``; overdue, satisfaction and 摸底 sheets."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jiuzhu.apps.care import supervision, survey, visits
from jiuzhu.apps.enrollment.models import Enrollment
from tests.apps.care.conftest import NOW, tekun  # noqa: F401  (fixture)
from tests.conftest import AS_OF, TOWNSHIP_A, VILLAGE_B, make_id

pytestmark = pytest.mark.django_db
URL = "/dashboard/"
FINDINGS = {k: "good" for k in ("food", "housing", "health", "hygiene", "safety", "caregiver")}


def scores(overall: int) -> dict:
    return {"care": 4, "health": 4, "visits": 4, "overall": overall}


@pytest.fixture
def world(tekun, outsider, caseworker, village_user, household_data):  # noqa: F811
    """A (千岛湖镇): visited in November, satisfied (4), a running 摸底 campaign; B (文昌镇): never
    visited (overdue), dissatisfied (2)."""
    from jiuzhu.apps.registry.services import household_create

    hh = household_create(actor=outsider, as_of=AS_OF, data=household_data(
        region=VILLAGE_B, address="王家源村3号",
        members=[{"name": "李老四", "id_number": make_id(date(1948, 6, 1)), "relation": "head"}]))
    other = Enrollment.objects.create(program="tekun", household=hh, person=hh.memberships.first().person,
                                      region_id=hh.region_id, klass="", amount=Decimal("1000.00"), persons=1,
                                      start_month=date(2026, 3, 1), status="active", next_recheck=date(2027, 3, 1),
                                      decided_on=date(2026, 2, 20))
    visits.visit_record(actor=village_user, enrollment_id=tekun.pk, now=NOW,
                        data={"visited_on": "2026-11-10", "visitor_name": "协理员小王", "findings": FINDINGS})
    supervision.survey_record(actor=village_user, enrollment_id=tekun.pk, now=NOW,
                              data={"surveyed_on": "2026-12-06", "respondent": "self", "scores": scores(4)})
    supervision.survey_record(actor=outsider, enrollment_id=other.pk, now=NOW,
                              data={"surveyed_on": "2026-12-06", "respondent": "self", "scores": scores(2)})
    survey.survey_start(actor=caseworker, region_code=TOWNSHIP_A, year=2026, now=NOW)
    return other


def chart(html: str, key: str) -> dict:
    m = re.search(rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', html, re.S)
    assert m, key
    return json.loads(m.group(1))


def table(html: str, key: str) -> str:
    start = html.index(f'id="table-{key}"')
    return html[start:html.index("</table>", start)]


def section(html: str) -> str:
    return html[html.index('id="care-section"'):]  # the last section of the page


def series(data: dict) -> dict[str, list]:
    return {s["name"]: s["data"] for s in data["series"]}


def sheet(content: bytes, name: str) -> list[list]:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(name).to_python()
    return [[int(c) if isinstance(c, float) and c.is_integer() else c for c in row] for row in rows]


def test_county_sees_the_care_panels_with_chart_data(client, county_user, world):
    client.force_login(county_user)
    html = client.get(URL).content.decode()
    assert 'id="care-section"' in html
    placement = chart(html, "care_placement")
    assert placement["categories"] == ["分散供养", "集中供养"]
    assert series(placement)["人数"] == [2, 0]
    assert sum(series(chart(html, "care_care_class"))["人数"]) == 2
    done = chart(html, "care_completion")
    assert done["categories"] == ["千岛湖镇", "文昌镇"]
    assert series(done) == {"应探访": [1, 1], "已探访": [1, 0]}
    assert "100.0%" in table(html, "care_completion") and "0.0%" in table(html, "care_completion")
    assert "2026年11月" in html
    overdue = chart(html, "care_overdue")
    assert overdue["categories"] == ["千岛湖镇", "文昌镇"] and series(overdue)["未按期探访"] == [0, 1]
    sat = chart(html, "care_satisfaction")
    assert series(sat)["满意率（%）"] == [100.0, 0.0]
    assert "4.0" in table(html, "care_satisfaction") and "2.0" in table(html, "care_satisfaction")
    progress = chart(html, "care_survey")
    assert progress["categories"] == ["千岛湖镇"] and series(progress) == {"已完成": [0], "未完成": [1]}
    for link in ("/care/report/", "/care/supervision/", "/care/?overdue=1", "/care/survey/"):
        assert f'href="{link}"' in html


def test_township_user_sees_only_its_township(client, outsider, world):
    client.force_login(outsider)
    html = client.get(URL).content.decode()
    care = section(html)
    assert "文昌镇" in care and "千岛湖镇" not in care
    assert series(chart(html, "care_overdue"))["未按期探访"] == [1]
    assert series(chart(html, "care_completion")) == {"应探访": [1], "已探访": [0]}
    assert 'id="panel-care_survey"' not in html  # township A's campaign is not theirs
    book = client.get(URL, {"format": "xlsx", "table": "care_overdue"}).content
    text = json.dumps(sheet(book, "未按期探访（按乡镇）"), ensure_ascii=False)
    assert "文昌镇" in text and "千岛湖镇" not in text
    refused = client.get(URL, {"region": TOWNSHIP_A})  # another township's figures: refused, nothing shown
    assert refused.status_code == 422 and 'id="care-section"' not in refused.content.decode()
    refused = client.get(URL, {"region": TOWNSHIP_A, "format": "xlsx", "table": "care_overdue"})
    assert refused.status_code == 422 and "千岛湖镇" not in refused.content.decode()


def test_county_township_filter_narrows_the_care_panels(client, county_user, world):
    client.force_login(county_user)
    html = client.get(URL, {"region": TOWNSHIP_A}).content.decode()
    assert chart(html, "care_overdue")["categories"] == ["千岛湖镇"]
    assert series(chart(html, "care_satisfaction"))["满意率（%）"] == [100.0]
    assert "文昌镇" not in section(html)


def test_no_care_section_without_the_permission(client, admin_user, world):
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="care-section"' not in html and "chart-data-care_" not in html
    book = CalamineWorkbook.from_filelike(io.BytesIO(client.get(URL, {"format": "xlsx", "table": "care_overdue"}).content))
    assert not any("探访" in name for name in book.sheet_names)


def test_care_report_xlsx_has_overdue_satisfaction_and_survey_sheets(client, county_user, outsider, world):
    client.force_login(county_user)
    content = client.get(reverse("web:care_report_xlsx")).content
    assert sheet(content, "未按期探访") == [["乡镇(街道)", "分散供养人数", "未按期探访人数", "占比", "统计日期"],
                                       ["千岛湖镇", 1, 0, "0.0%", "2026-12-07"],
                                       ["文昌镇", 1, 1, "100.0%", "2026-12-07"]]
    assert sheet(content, "满意度调查")[1:] == [["2026Q4", "千岛湖镇", 1, 4, 1, "100.0%"],
                                         ["2026Q4", "文昌镇", 1, 2, 0, "0.0%"],
                                         ["2026Q4", "石林镇", 0, "", 0, "—"]]  # no survey there
    assert sheet(content, "摸底排查进度")[1:] == [["千岛湖镇", 1, 0, 1, "0.0%"]]
    client.force_login(outsider)
    content = client.get(reverse("web:care_report_xlsx")).content
    names = CalamineWorkbook.from_filelike(io.BytesIO(content)).sheet_names
    assert "摸底排查进度" not in names  # no campaign runs in township B
    assert sheet(content, "未按期探访")[1:] == [["文昌镇", 1, 1, "100.0%", "2026-12-07"]]


def test_care_panels_take_a_fixed_number_of_queries(county_user, world, django_assert_max_num_queries):
    from jiuzhu.web.views import dashboard_care

    with django_assert_max_num_queries(22):  # grouped queries: independent of the number of persons
        got = dashboard_care.panels(county_user, date(2026, 12, 7))
    assert [p.key for p in got][-1] == "care_survey"
