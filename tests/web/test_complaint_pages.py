"""Complaint pages: intake with field errors, handling to the reply PDF, the 督办 list, the anonymous
reporter hidden from the township and revealed (audited) to the county, the outsider gets 404."""

from __future__ import annotations

from django.urls import reverse

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.integrity.models import Complaint
from tests.conftest import TOWNSHIP_A
from tests.web.helpers import field_error

FORM = {"category": "report", "channel": "phone", "region": TOWNSHIP_A, "received_on": "2026-12-01",
        "content": "某户隐瞒子女工资收入仍领取低保", "reporter_name": "李四", "reporter_phone": "13900002222"}


def test_intake_errors_then_handle_to_reply(client, caseworker):
    client.force_login(caseworker)
    bad = client.post(reverse("web:complaint_list"), {**FORM, "category": "", "content": "短", "reporter_phone": "x"})
    html = bad.content.decode()
    assert bad.status_code == 422 and field_error(html, "category")
    assert not Complaint.objects.exists()
    ok = client.post(reverse("web:complaint_list"), FORM)
    c = Complaint.objects.get()
    assert ok.status_code == 302
    url = lambda a: reverse("web:complaint_action", args=[c.pk, a])  # noqa: E731
    client.post(url("assign"), {"handler": caseworker.pk})
    empty = client.post(url("investigate"), {"text": ""})
    assert field_error(empty.content.decode(), "text")
    client.post(url("investigate"), {"text": "入户核查，子女在杭州务工"})
    client.post(url("conclude"), {"result": "founded", "text": "属实，已启动停保和追回"})
    pdf = client.get(reverse("web:complaint_reply", args=[c.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.post(url("satisfaction"), {"satisfaction": "satisfied"})
    c.refresh_from_db()
    assert c.status == "replied" and c.satisfaction == "satisfied"


def test_anonymous_reporter_hidden_from_township_revealed_to_county(client, caseworker, county_user):
    client.force_login(caseworker)
    client.post(reverse("web:complaint_list"), {**FORM, "anonymous": "on", "received_on": "2026-11-01"})
    c = Complaint.objects.get()
    page = client.get(reverse("web:complaint_detail", args=[c.pk])).content.decode()
    assert "李四" not in page and "13900002222" not in page and 'id="reveal"' not in page
    assert client.post(reverse("web:complaint_action", args=[c.pk, "reveal"])).status_code == 403
    client.force_login(county_user)
    listing = client.get(reverse("web:complaint_list")).content.decode()
    assert f'id="overdue-{c.pk}"' in listing and "李四" not in listing
    shown = client.post(reverse("web:complaint_action", args=[c.pk, "reveal"])).content.decode()
    assert "李四" in shown and AuditEvent.objects.filter(action="complaint.reporter_view").count() == 1


def test_outsider_gets_not_found(client, caseworker, outsider):
    client.force_login(caseworker)
    client.post(reverse("web:complaint_list"), FORM)
    c = Complaint.objects.get()
    client.force_login(outsider)
    assert client.get(reverse("web:complaint_detail", args=[c.pk])).status_code == 404
    assert client.post(reverse("web:complaint_action", args=[c.pk, "assign"]), {"handler": outsider.pk}).status_code == 404
    assert client.get(reverse("web:complaint_reply", args=[c.pk])).status_code == 404
    refused = client.post(reverse("web:complaint_list"), FORM)  # township A from township B
    assert refused.status_code == 404 and field_error(refused.content.decode(), "region")
