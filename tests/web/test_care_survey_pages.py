"""摸底排查 and placement pages (issue 16 §2, §4): the township starts the campaign, the village
assistant records a line on the phone form (errors under the field), progress by village, the 台账
xlsx; the institution roster; the 委托照料协议 PDF and its signed copy; a GET of the care page writes
nothing; the outsider's township gets 404."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.care.models import CareProfile, SurveyCampaign, SurveyItem
from tests.apps.care.conftest import PNG, tekun  # noqa: F401  (fixture)
from tests.conftest import TOWNSHIP_A

from .helpers import field_error

pytestmark = pytest.mark.django_db

LINE = {"visited_on": "2026-12-07", "visitor_name": "协理员小王", "capacity": "limited", "capacity_cause": "intellectual",
        "living": "with_family", "care_wish": "dispersed", "institution_kind": "", "caregiver": "侄子王小明",
        "caregiver_phone": "13800000000", "notes": "=HYPERLINK(\"x\")"}


def _start(client, caseworker) -> SurveyCampaign:
    client.force_login(caseworker)
    r = client.post(reverse("web:care_survey_list"), {"region": TOWNSHIP_A, "year": "2026", "due": ""})
    assert r.status_code == 302, r.content.decode()[:1000]
    return SurveyCampaign.objects.get()


def test_survey_started_recorded_on_the_phone_and_exported(client, caseworker, village_user, tekun):  # noqa: F811
    campaign = _start(client, caseworker)
    client.force_login(village_user)
    page = client.get(reverse("web:care_survey_detail", args=[campaign.pk]), {"pending": "1"}).content.decode()
    assert "王老五" in page and "已排查 0 / 1 人" in page
    url = reverse("web:care_survey_item", args=[campaign.pk, tekun.pk])
    form = client.get(url)
    assert form.status_code == 200 and 'id="survey-form"' in form.content.decode()
    r = client.post(url, {**LINE, "visited_on": "2026-12-09"})
    assert r.status_code == 400 and "晚于今天" in field_error(r.content.decode(), "visited_on")
    r = client.post(url, {**LINE, "capacity_cause": ""})
    assert r.status_code == 400 and "须注明原因" in field_error(r.content.decode(), "capacity_cause")
    assert not SurveyItem.objects.filter(done=True).exists()
    assert client.post(url, LINE).status_code == 302
    page = client.get(reverse("web:care_survey_detail", args=[campaign.pk])).content.decode()
    assert "已排查 1 / 1 人" in page and "已全部完成" in page and "珍珠半岛村" in page
    xlsx = client.get(reverse("web:care_survey_xlsx", args=[campaign.pk]))
    assert xlsx.status_code == 200
    rows = CalamineWorkbook.from_filelike(BytesIO(xlsx.content)).get_sheet_by_name("摸底台账").to_python()
    assert rows[2][:4] == ["序号", "乡镇(街道)", "村(居)", "姓名"]
    line = dict(zip(rows[2], rows[3]))
    assert (line["姓名"], line["民事行为能力"], line["原因"], line["照料护理意愿"], line["现照料人"]) == (
        "王老五", "限制民事行为能力", "智力障碍", "分散供养", "侄子王小明")
    assert line["排查状态"] == "已排查" and line["备注"] == "=HYPERLINK(\"x\")"  # text, not a formula
    assert "*" in line["身份证号"]
    assert AuditEvent.objects.get(action="care.survey_export").details["rows"] == 1


def test_outsider_township_gets_404_and_village_cannot_start(client, caseworker, outsider, village_user, reviewer,
                                                             tekun):  # noqa: F811
    campaign = _start(client, caseworker)
    client.force_login(reviewer)  # reads the progress, records no line
    assert client.get(reverse("web:care_survey_detail", args=[campaign.pk])).status_code == 200
    assert client.post(reverse("web:care_survey_item", args=[campaign.pk, tekun.pk]), LINE).status_code == 403
    client.force_login(outsider)
    for url in (reverse("web:care_survey_detail", args=[campaign.pk]),
                reverse("web:care_survey_xlsx", args=[campaign.pk]),
                reverse("web:care_survey_item", args=[campaign.pk, tekun.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("web:care_survey_item", args=[campaign.pk, tekun.pk]), LINE).status_code == 404
    r = client.post(reverse("web:care_survey_list"), {"region": TOWNSHIP_A, "year": "2026"})
    assert r.status_code == 400 and "不在您的管辖范围内" in field_error(r.content.decode(), "region")
    client.force_login(village_user)
    r = client.post(reverse("web:care_survey_list"), {"region": TOWNSHIP_A, "year": "2026"})
    assert r.status_code == 403
    assert not SurveyItem.objects.filter(done=True).exists()


def test_care_page_get_writes_nothing(client, village_user, caseworker, tekun):  # noqa: F811
    client.force_login(village_user)
    events = AuditEvent.objects.count()
    for url in (reverse("web:care_detail", args=[tekun.pk]), reverse("web:care_visit", args=[tekun.pk])):
        assert client.get(url).status_code == 200
    assert not CareProfile.objects.exists() and AuditEvent.objects.count() == events
    client.force_login(caseworker)
    r = client.post(reverse("web:care_detail", args=[tekun.pk]),
                    {"form": "capacity", "capacity": "full", "capacity_on": "2026-11-01"})
    assert r.status_code == 302
    profile = CareProfile.objects.get()
    assert AuditEvent.objects.filter(action="care.profile_open", subject_id=str(profile.pk)).count() == 1


def test_entrusted_agreement_pdf_upload_and_institution_roster(client, caseworker, outsider, tekun):  # noqa: F811
    client.force_login(caseworker)
    url = reverse("web:care_detail", args=[tekun.pk])
    r = client.get(reverse("web:care_entrusted_pdf", args=[tekun.pk]))  # no caregiver yet: no agreement
    assert r.status_code == 404 and "委托照料人" in r.content.decode()
    r = client.post(url, {"form": "placement", "placement": "dispersed", "caregiver": "邻居张大妈",
                          "caregiver_phone": "13900000000", "care_fee": "200", "caregiver_duties": "每日探望，照料饮食起居",
                          "since": "2026-03-01", "placement_review_on": "2026-02-01"})
    assert r.status_code == 400 and "复核日期" in field_error(r.content.decode(), "placement_review_on")
    r = client.post(url, {"form": "placement", "placement": "dispersed", "caregiver": "邻居张大妈",
                          "caregiver_phone": "13900000000", "care_fee": "200", "caregiver_duties": "每日探望，照料饮食起居",
                          "since": "2026-03-01", "placement_review_on": ""})
    assert r.status_code == 302
    p = CareProfile.objects.get()
    assert str(p.placement_review_on) == "2027-03-01"  # 12 months on by default
    pdf = client.get(reverse("web:care_entrusted_pdf", args=[tekun.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    upload = reverse("web:care_entrusted_upload", args=[tekun.pk])
    r = client.post(upload, {"file": SimpleUploadedFile("signed.png", b"not an image", content_type="image/png")})
    assert r.status_code == 400 and field_error(r.content.decode(), "file")
    assert client.post(upload, {"file": SimpleUploadedFile("signed.png", PNG, content_type="image/png")}).status_code == 302
    assert client.get(reverse("web:care_entrusted_signed", args=[tekun.pk])).content == PNG
    assert AuditEvent.objects.filter(action="care.entrusted_upload").count() == 1
    # transfer to an elder home: the reason is required, then the institution's roster lists the person
    move = {"form": "placement", "placement": "centralized", "institution_kind": "elder_home",
            "institution": "千岛湖镇敬老院", "since": "2026-12-01"}
    r = client.post(url, move)
    assert r.status_code == 400 and "转换原因" in field_error(r.content.decode(), "reason")
    assert client.post(url, {**move, "reason": "本人申请集中供养"}).status_code == 302
    assert AuditEvent.objects.filter(action="care.transfer").count() == 1
    page = client.get(reverse("web:care_institutions")).content.decode()
    assert "千岛湖镇敬老院" in page and "敬老院（供养服务机构）" in page
    page = client.get(reverse("web:care_institutions"), {"name": "千岛湖镇敬老院"}).content.decode()
    assert "王老五" in page and "花名册（1 人）" in page
    client.force_login(outsider)
    page = client.get(reverse("web:care_institutions"), {"name": "千岛湖镇敬老院"}).content.decode()
    assert "王老五" not in page
    assert client.get(reverse("web:care_entrusted_pdf", args=[tekun.pk])).status_code == 404
