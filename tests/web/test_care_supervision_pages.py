"""Care supervision pages (issue 16 §6–7): the county spot-checks a visit from the person's page, a survey
on the phone form, the quarter's figures with the evaluation and 督办 forms (errors next to the field,
nothing written), the township sees the 督办 on its list, the report's charts, the xlsx; another
township's users get 404 and roles without the permission 403."""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jiuzhu.apps.care import placements, visits
from jiuzhu.apps.care.models import Evaluation, SatisfactionSurvey, VisitCheck, VisitUrge
from tests.apps.care.conftest import NOW, tekun  # noqa: F401  (fixture)
from tests.conftest import TOWNSHIP_A

from .helpers import field_error

pytestmark = pytest.mark.django_db

FINDINGS = {k: "good" for k in ("food", "housing", "health", "hygiene", "safety", "caregiver")}
SCORES = {"score_care": "5", "score_health": "4", "score_visits": "4", "score_overall": "4"}


@pytest.fixture
def visit(village_user, tekun):  # noqa: F811
    return visits.visit_record(actor=village_user, enrollment_id=tekun.pk, now=NOW, data={
        "visited_on": "2026-12-05", "visitor_name": "协理员小王", "findings": FINDINGS})


def test_county_spot_checks_a_visit_on_the_persons_page(client, county_user, visit, tekun):  # noqa: F811
    client.force_login(county_user)
    page = client.get(reverse("web:care_detail", args=[tekun.pk])).content.decode()
    assert f'id="check-form-{visit.pk}"' in page
    r = client.post(reverse("web:care_visit_check", args=[visit.pk]), {
        "checked_on": "2026-12-08", "method": "phone", "result": "confirmed"})
    assert r.status_code == 400 and "晚于今天" in field_error(r.content.decode(), "check-checked_on")
    assert not VisitCheck.objects.exists()
    r = client.post(reverse("web:care_visit_check", args=[visit.pk]), {
        "checked_on": "2026-12-07", "method": "phone", "result": "discrepancy", "note": "本人称未见探访"})
    assert r.status_code == 302
    page = client.get(reverse("web:care_detail", args=[tekun.pk])).content.decode()
    assert "县级抽查 2026-12-07（电话回访）：<strong>情况不符</strong>" in page


def test_spot_check_refused_to_township_roles_and_other_townships(client, caseworker, outsider, visit):
    data = {"checked_on": "2026-12-07", "method": "phone", "result": "confirmed"}
    client.force_login(caseworker)
    assert client.post(reverse("web:care_visit_check", args=[visit.pk]), data).status_code == 403
    page = client.get(reverse("web:care_detail", args=[visit.profile.enrollment_id])).content.decode()
    assert "check-form-" not in page  # no form the role cannot use
    client.force_login(outsider)
    assert client.post(reverse("web:care_visit_check", args=[visit.pk]), data).status_code == 403
    assert not VisitCheck.objects.exists()


def test_survey_on_the_phone_form(client, village_user, outsider, tekun):  # noqa: F811
    client.force_login(village_user)
    url = reverse("web:care_satisfaction", args=[tekun.pk])
    assert "score_overall" in client.get(url).content.decode()
    r = client.post(url, {"surveyed_on": "2026-12-07", "respondent": "self", **{**SCORES, "score_overall": ""}})
    assert r.status_code == 400 and "总体评价" in field_error(r.content.decode(), "scores")
    assert not SatisfactionSurvey.objects.exists()
    r = client.post(url, {"surveyed_on": "2026-12-07", "respondent": "guardian", **SCORES, "comment": "满意"})
    assert r.status_code == 302
    assert "监护人：" in client.get(reverse("web:care_detail", args=[tekun.pk])).content.decode()
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"surveyed_on": "2026-12-07", "respondent": "self", **SCORES}).status_code == 404
    assert SatisfactionSurvey.objects.count() == 1


def test_supervision_page_evaluation_and_urge(client, county_user, caseworker, tekun):  # noqa: F811
    placements.placement_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW, data={
        "placement": "dispersed", "since": "2026-03-01", "caregiver": "邻居李大姐", "caregiver_duties": "每日探望"})
    client.force_login(county_user)
    page = client.get(reverse("web:care_supervision")).content.decode()
    assert "2026Q4 督导情况" in page and 'id="figures-table"' in page and "邻居李大姐" in page
    chart = json.loads(re.search(r'<script id="supervision-chart" type="application/json">(.*?)</script>',
                                 page, re.S).group(1))
    assert "series" in chart and chart["categories"]
    url = reverse("web:care_evaluate")
    r = client.post(url, {"township": TOWNSHIP_A, "quarter": "2026Q4", "subject_kind": "caregiver",
                          "subject": "邻居李大姐", "score": "120"})
    assert r.status_code == 400 and field_error(r.content.decode(), "score")
    r = client.post(url, {"township": TOWNSHIP_A, "quarter": "2026Q4", "subject_kind": "caregiver",
                          "subject": "张三", "score": "80"})
    assert r.status_code == 400 and "不是" in field_error(r.content.decode(), "subject")
    assert not Evaluation.objects.exists()
    r = client.post(url, {"township": TOWNSHIP_A, "quarter": "2026Q4", "subject_kind": "caregiver",
                          "subject": "邻居李大姐", "score": "93", "note": "照料到位"})
    assert r.status_code == 302
    page = client.get(reverse("web:care_supervision"), {"quarter": "2026Q4"}).content.decode()
    assert "优秀" in page and "照料到位" in page
    r = client.post(reverse("web:care_urge"), {"township": TOWNSHIP_A, "note": "请尽快补访"})
    assert r.status_code == 302 and VisitUrge.objects.count() == 1
    client.force_login(caseworker)  # the township sees the 督办 on its list; it cannot 督办 itself
    page = client.get(reverse("web:care_list")).content.decode()
    assert "督办" in page and "2026-12-14" in page and "请尽快补访" in page
    assert client.post(reverse("web:care_urge"), {"township": TOWNSHIP_A}).status_code == 403
    xlsx = client.get(reverse("web:care_supervision_xlsx"), {"quarter": "2026Q4"})
    sheets = CalamineWorkbook.from_filelike(BytesIO(xlsx.content))
    assert sheets.sheet_names == ["督导情况", "季度评估"]
    assert sheets.get_sheet_by_name("季度评估").to_python()[1][2] == "邻居李大姐"


def test_bad_quarter_named_and_village_has_no_supervision(client, county_user, village_user):
    client.force_login(county_user)
    r = client.get(reverse("web:care_supervision"), {"quarter": "2026-13"})
    assert r.status_code == 200 and "季度格式" in field_error(r.content.decode(), "quarter")
    client.force_login(village_user)
    assert client.get(reverse("web:care_supervision")).status_code == 403


def test_care_report_draws_its_charts(client, county_user, visit):
    client.force_login(county_user)
    page = client.get(reverse("web:care_report")).content.decode()
    assert page.count("data-bar-chart=") == 5 and "echarts.min.js" in page
    completion = json.loads(re.search(r'<script id="completion-chart" type="application/json">(.*?)</script>',
                                      page, re.S).group(1))
    assert completion["series"][1]["name"] == "已探访" and sum(completion["series"][1]["data"]) == 1
