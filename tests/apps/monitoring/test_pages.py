"""Pages: the alert queue with the chart, one alert with the disposition form and referrals; errors in
Chinese next to the field; township B gets 404 on township A's alert and changes nothing."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from jiuzhu.apps.monitoring.models import Alert, Referral
from jiuzhu.apps.monitoring.scan import monitor_scan
from tests.conftest import TOWNSHIP_A
from tests.jobs_helpers import run_jobs

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(snapshots, caseworker):
    monitor_scan(actor=caseworker, region_code=TOWNSHIP_A, now=NOW)
    return {(a.type, a.person.name): a for a in Alert.objects.select_related("person")}


def _error(html: str, name: str) -> str | None:
    m = re.search(rf'<p class="field-error" id="err-{re.escape(name)}"[^>]*>(.*?)</p>', html, re.S)
    return unescape(m.group(1)) if m else None


def test_queue_renders_with_chart_and_overdue_in_red(client, alerts, caseworker):
    # given one alert whose due date has passed
    Alert.objects.filter(type="death").update(due_date="2026-01-05")
    Alert.objects.exclude(type="death").update(due_date="2099-12-31")  # not overdue whatever the clock says
    client.force_login(caseworker)
    response = client.get(reverse("web:alert_list"))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="alert-table"' in html and "预警" in html
    chart = json.loads(re.search(r'<script id="alert-chart-data" type="application/json">(.*?)</script>', html,
                                 re.S).group(1))
    assert chart["categories"][0] == "大额自付医疗费用"
    assert [s["name"] for s in chart["series"]] == ["待处置", "落实政策", "分类推送", "一事一议", "核查终止"]
    assert sum(chart["series"][0]["data"]) == len(alerts)
    overdue = html.split('class="overdue"')
    assert len(overdue) == 2 and "家庭成员死亡" in overdue[1].split("</tr>")[0]
    # the chart library is the vendored file; nothing is loaded from another host (random tokens may spell "cdn")
    assert "vendor/echarts/echarts.min.js" in html and not re.search(r'(?:src|href)="(?:https?:)?//', html)
    filtered = client.get(reverse("web:alert_list") + "?type=unemployment&status=open").content.decode()
    assert len(re.findall(r'href="/alerts/\d+/"', filtered)) == 2


def test_detail_and_dispose_form(client, alerts, caseworker):
    a = alerts[("medical_expense", "王五")]
    client.force_login(caseworker)
    html = client.get(reverse("web:alert_detail", args=[a.pk])).content.decode()
    assert 'id="dispose-form"' in html and "25000.00 元" in html
    # bad input: no result text, unknown outcome → the Chinese message next to the field, nothing changed
    r = client.post(reverse("web:alert_detail", args=[a.pk]), {"disposition": "refer", "departments": ["medical"]})
    assert r.status_code == 422 and "处置结果" in _error(r.content.decode(), "result")
    r = client.post(reverse("web:alert_detail", args=[a.pk]), {"disposition": "ignore", "result": "x"})
    assert r.status_code == 422 and "处置方式“ignore”无效" in _error(r.content.decode(), "disposition")
    assert Alert.objects.get(pk=a.pk).status == "open" and not Referral.objects.exists()
    # refer, then the department's feedback closes it
    r = client.post(reverse("web:alert_detail", args=[a.pk]),
                    {"disposition": "refer", "departments": ["medical"], "result": "推送医保局"})
    assert r.status_code == 302
    ref = Referral.objects.get(alert=a)
    html = client.get(reverse("web:alert_detail", args=[a.pk])).content.decode()
    assert "医疗救助（医疗保障局）" in html and "feedback-form" in html
    r = client.post(reverse("web:referral_feedback", args=[a.pk, ref.pk]), {"feedback": "", "assisted": "1"})
    assert r.status_code == 422 and "部门反馈" in _error(r.content.decode(), f"feedback-{ref.pk}")
    r = client.post(reverse("web:referral_feedback", args=[a.pk, ref.pk]), {"feedback": "已救助", "assisted": "1"})
    assert r.status_code == 302 and Alert.objects.get(pk=a.pk).status == "closed"


def test_outsider_gets_404_and_changes_nothing(client, alerts, outsider):
    a = alerts[("medical_expense", "张建国")]
    client.force_login(outsider)
    assert client.get(reverse("web:alert_detail", args=[a.pk])).status_code == 404
    r = client.post(reverse("web:alert_detail", args=[a.pk]), {"disposition": "implement", "result": "x"})
    assert r.status_code == 404 and Alert.objects.get(pk=a.pk).status == "open"
    html = client.get(reverse("web:alert_list")).content.decode()
    assert "张建国" not in html and 'id="alert-table"' not in html


def test_village_assistant_is_refused(client, alerts, village_user):
    client.force_login(village_user)
    assert client.get(reverse("web:alert_list")).status_code == 403


def test_scan_from_the_page(client, snapshots, caseworker):
    client.force_login(caseworker)
    r = client.post(reverse("web:alert_scan"), {"region": TOWNSHIP_A})
    # the scan is queued as a background job; the page it returns to shows it
    assert r.status_code == 302 and r["Location"].startswith(reverse("web:alert_list") + "?job=")
    assert "已提交后台任务：监测扫描" in client.get(r["Location"]).content.decode() and not Alert.objects.exists()
    # today (the frozen date) is after the snapshots' date: the scan runs on today
    assert run_jobs() == 1 and Alert.objects.exists()
    assert "监测扫描" in client.get(r["Location"]).content.decode()
    r = client.post(reverse("web:alert_scan"), {"region": "12"})
    assert r.status_code == 422 and "区划代码" in r.content.decode()
