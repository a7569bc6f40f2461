"""特困人员监护照护 pages (issue 16): list and missed visits, the phone visit form with a photo and a
need that becomes a referral, a class Ⅲ guardian with its agreement PDF, the county report and xlsx;
errors next to the field; the outsider's township gets 404; roles without the permission get 403."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jiuzhu.apps.care.models import Guardianship, Visit
from jiuzhu.apps.monitoring.models import Referral
from tests.apps.care.conftest import PNG, tekun  # noqa: F401  (fixture)

from .helpers import field_error

pytestmark = pytest.mark.django_db

FINDINGS = {f"finding_{k}": "good" for k in ("food", "housing", "health", "hygiene", "safety", "caregiver")}


def test_list_shows_missed_visit_and_the_visit_clears_it(client, village_user, tekun):  # noqa: F811
    client.force_login(village_user)
    page = client.get(reverse("web:care_list"), {"overdue": "1"}).content.decode()
    assert "王老五" in page and "已逾期" in page
    photo = SimpleUploadedFile("门口.png", PNG, content_type="image/png")
    r = client.post(reverse("web:care_visit", args=[tekun.pk]), {
        "visited_on": "2026-12-05", "visitor_name": "协理员小王", **FINDINGS, "needs": "屋顶漏雨需维修",
        "need_department": "housing", "photos": [photo]})
    assert r.status_code == 302, r.content.decode()[:2000]
    v = Visit.objects.get()
    assert v.photos.count() == 1 and Referral.objects.get(alert_id=v.alert_id).department == "housing"
    page = client.get(reverse("web:care_list"), {"overdue": "1"}).content.decode()
    assert "没有未按期探访的人员" in page
    page = client.get(reverse("web:care_list"), {"schedule": "1"}).content.decode()
    assert "2027年1月" in page and "2027-01-04" in page  # due 30 days after the visit
    assert client.get(reverse("web:care_photo", args=[v.photos.get().pk])).content == PNG


def test_visit_in_the_future_refused_next_to_the_field(client, village_user, tekun):  # noqa: F811
    client.force_login(village_user)
    r = client.post(reverse("web:care_visit", args=[tekun.pk]), {"visited_on": "2026-12-20",
                                                                   "visitor_name": "小王", **FINDINGS})
    assert r.status_code == 400
    assert "晚于今天" in field_error(r.content.decode(), "visited_on")
    assert not Visit.objects.exists()


def test_township_records_class_III_guardian_with_agreement_pdf(client, caseworker, tekun):  # noqa: F811
    client.force_login(caseworker)
    url = reverse("web:care_detail", args=[tekun.pk])
    r = client.post(url, {"form": "capacity", "capacity": "none", "capacity_basis": "disability",
                          "capacity_on": "2026-11-01"})
    assert r.status_code == 302
    r = client.post(url, {"form": "guardian", "guardian_class": "III", "guardian_kind": "village_committee",
                          "guardian_name": "珍珠半岛村村民委员会", "duties": "照料生活", "start": "2026-12-01",
                          "review_on": "2027-12-01", "committee_capable": "1", "rel_relation_0": "sibling",
                          "rel_name_0": "王老六", "rel_able_0": "1"})
    assert r.status_code == 400  # an able brother: class Ⅰ
    assert "王老六" in field_error(r.content.decode(), "guardian_class")
    r = client.post(url, {"form": "guardian", "guardian_class": "III", "guardian_kind": "village_committee",
                          "guardian_name": "珍珠半岛村村民委员会", "duties": "照料生活", "start": "2026-12-01",
                          "review_on": "2027-12-01", "committee_capable": "1", "rel_relation_0": "sibling",
                          "rel_name_0": "王老六", "rel_able_0": "0"})
    assert r.status_code == 302
    g = Guardianship.objects.get()
    pdf = client.get(reverse("web:care_agreement", args=[g.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    r = client.post(reverse("web:care_agreement_upload", args=[g.pk]),
                    {"file": SimpleUploadedFile("signed.png", PNG, content_type="image/png")})
    assert r.status_code == 302
    g.refresh_from_db()
    assert g.signed_sha256
    end = reverse("web:care_guardian_end", args=[g.pk])
    r = client.post(end, {"ended_on": "2026-11-01", "end_reason": "另行确定"})  # before it began
    assert r.status_code == 400 and "终止日期" in field_error(r.content.decode(), "ended_on")
    assert client.post(end, {"ended_on": "2026-12-06", "end_reason": "另行确定"}).status_code == 302
    g.refresh_from_db()
    assert g.ended_on is not None


def test_outsider_and_roles(client, outsider, admin_user, village_user, county_user, tekun):  # noqa: F811
    client.force_login(outsider)
    assert client.get(reverse("web:care_detail", args=[tekun.pk])).status_code == 404
    assert client.post(reverse("web:care_visit", args=[tekun.pk]), {"visited_on": "2026-12-05"}).status_code in (403, 404)
    assert "王老五" not in client.get(reverse("web:care_list")).content.decode()
    client.force_login(admin_user)  # no need for personal care records
    assert client.get(reverse("web:care_list")).status_code == 403
    client.force_login(village_user)
    r = client.post(reverse("web:care_detail", args=[tekun.pk]), {"form": "capacity", "capacity": "full",
                                                                  "capacity_on": "2026-11-01"})
    assert r.status_code == 403
    assert client.get(reverse("web:care_report")).status_code == 403


def test_county_sees_completion_by_township_and_xlsx(client, village_user, county_user, tekun):  # noqa: F811
    client.force_login(village_user)
    client.post(reverse("web:care_visit", args=[tekun.pk]), {"visited_on": "2026-12-02", "visitor_name": "小王",
                                                             **FINDINGS})
    client.force_login(county_user)
    page = client.get(reverse("web:care_report")).content.decode()
    assert "千岛湖镇" in page and "100.0%" in page
    r = client.get(reverse("web:care_report_xlsx"))
    rows = CalamineWorkbook.from_filelike(BytesIO(r.content)).get_sheet_by_name("探访完成率").to_python()
    assert ["2026-12", "千岛湖镇", 1, 1, "100.0%"] in [[int(c) if isinstance(c, float) else c for c in row]
                                                      for row in rows]
