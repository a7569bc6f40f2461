"""一门受理 pages (issue 14 §4): the intake form from the household page, the intake with its tickets and
the prefilled applications, the department list, the overdue view (township list, county per township),
a ticket's response and closing; Chinese errors under the field with nothing written; another township
gets 404 and changes nothing."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from jiuzhu.apps.monitoring.intake import intake_record
from jiuzhu.apps.monitoring.models import Intake, Referral
from tests.apps.cases.flow import at

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 7)
NOW = at(DAY)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _error(html: str, name: str) -> str | None:
    m = re.search(rf'<p class="field-error" id="err-{re.escape(name)}"[^>]*>(.*?)</p>', html, re.S)
    return unescape(m.group(1)) if m else None


def _intake(actor, household, **changes):
    data = {"household": household.pk, "needs": ["medical", "basic_living", "emergency"],
            "description": "户主住院，家中无人照料", "departments": ["medical", "charity"], **changes}
    return intake_record(actor=actor, data=data, now=NOW)


def test_form_bad_input_then_good(client, village_user, household):
    client.force_login(village_user)
    url = reverse("web:intake_new", args=[household.pk])
    assert "intake-button" in client.get(reverse("web:household_detail", args=[household.pk])).content.decode()
    form = client.get(url).content.decode()
    assert "基本生活" in form and "慈善帮扶" in form and "10 个工作日" in form
    response = client.post(url, {"description": "住院", "needs": []})
    assert response.status_code == 422
    assert "困难需求" in _error(response.content.decode(), "needs")
    response = client.post(url, {"description": "住院", "needs": ["housing"]})
    assert "转介部门" in _error(response.content.decode(), "departments")
    assert not Intake.objects.exists() and not Referral.objects.exists()
    response = client.post(url, {"description": "住院", "needs": ["housing", "basic_living"],
                                 "departments": ["housing"], "person": str(household.head_id)})
    intake = Intake.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:intake_detail", args=[intake.pk])
    detail = client.get(response["Location"]).content.decode()
    assert intake.number in detail and "住房救助" in detail
    # the village assistant may apply for dibao (case.submit) and record temporary assistance
    assert 'id="apply-dibao"' in detail and 'id="apply-expenditure"' in detail


def test_applications_open_prefilled(client, caseworker, household):
    """基本生活 → 低保/特困 and 支出型; 急难 → 急难型, with household, applicant and the circumstance."""
    intake = _intake(caseworker, household)
    client.force_login(caseworker)
    detail = client.get(reverse("web:intake_detail", args=[intake.pk])).content.decode()
    links = {m.group(1): unescape(m.group(2)) for m in re.finditer(r'id="(apply-[a-z]+)" href="([^"]+)"', detail)}
    assert set(links) == {"apply-dibao", "apply-tekun", "apply-emergency", "apply-expenditure"}
    dibao = client.get(links["apply-dibao"]).content.decode()
    assert '<option value="dibao" selected>' in dibao and intake.number in unescape(dibao)
    tekun = client.get(links["apply-tekun"]).content.decode()
    assert '<option value="tekun" selected>' in tekun
    emergency = unescape(client.get(links["apply-emergency"]).content.decode())
    assert "户主住院，家中无人照料" in emergency
    assert re.search(r'value="emergency"[^>]*checked|value="emergency" selected', emergency)


def test_list_filter_overdue_and_county_view(client, caseworker, county_user, household):
    intake = _intake(caseworker, household)
    medical = intake.referrals.get(department="medical")
    Referral.objects.filter(pk=medical.pk).update(due_date=date(2026, 12, 1))
    client.force_login(caseworker)
    html = client.get(reverse("web:referral_list") + "?department=charity").content.decode()
    assert "慈善帮扶" in html and medical.number not in html
    html = client.get(reverse("web:referral_overdue")).content.decode()
    assert medical.number in html and "逾期" in html
    client.force_login(county_user)
    html = client.get(reverse("web:referral_overdue")).content.decode()
    assert 'id="overdue-townships"' in html and "千岛湖镇" in html


def test_respond_and_close_on_the_ticket_page(client, caseworker, household):
    ticket = _intake(caseworker, household).referrals.get(department="medical")
    client.force_login(caseworker)
    url = reverse("web:referral_detail", args=[ticket.pk])
    assert 'id="respond-form"' in client.get(url).content.decode()
    response = client.post(reverse("web:referral_respond", args=[ticket.pk]), {"feedback": "", "assisted": "1"})
    assert response.status_code == 422 and "部门反馈" in _error(response.content.decode(), "feedback")
    response = client.post(reverse("web:referral_respond", args=[ticket.pk]), {"feedback": "已纳入医疗救助"})
    assert "是否已给予救助" in _error(response.content.decode(), "assisted")
    assert Referral.objects.get(pk=ticket.pk).status == "sent"
    response = client.post(reverse("web:referral_respond", args=[ticket.pk]), {"feedback": "已纳入医疗救助",
                                                                              "assisted": "1"})
    assert response.status_code == 302
    response = client.post(reverse("web:referral_close", args=[ticket.pk]), {"closing_note": ""})
    assert "办结说明" in _error(response.content.decode(), "closing_note")
    client.post(reverse("web:referral_close", args=[ticket.pk]), {"closing_note": "医保已报销"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closing_note) == ("closed", "医保已报销")
    assert "医保已报销" in client.get(url).content.decode()


def test_other_township_gets_404_and_changes_nothing(client, caseworker, outsider, household):
    intake = _intake(caseworker, household)
    ticket = intake.referrals.first()
    client.force_login(outsider)
    assert client.get(reverse("web:intake_new", args=[household.pk])).status_code == 404
    assert client.post(reverse("web:intake_new", args=[household.pk]),
                       {"description": "x", "needs": ["basic_living"]}).status_code == 404
    assert client.get(reverse("web:intake_detail", args=[intake.pk])).status_code == 404
    assert client.get(reverse("web:referral_detail", args=[ticket.pk])).status_code == 404
    assert client.post(reverse("web:referral_respond", args=[ticket.pk]),
                       {"feedback": "伪造", "assisted": "1"}).status_code == 404
    assert client.post(reverse("web:referral_close", args=[ticket.pk]), {"closing_note": "伪造"}).status_code == 404
    assert ticket.number not in client.get(reverse("web:referral_list")).content.decode()
    assert Intake.objects.count() == 1 and Referral.objects.get(pk=ticket.pk).status == "sent"


def test_due_date_in_provisional_calendar_year_is_flagged(client, caseworker, household):
    """A ticket sent on 2026-12-24 is due in 2027, a year whose calendar is provisional (the State Council's
    notice not imported): the list, the ticket and the intake mark its due date 暂定; one due in 2026 is not."""
    from jiuzhu.apps.workcalendar.selectors import provisional_years

    assert 2027 in provisional_years() and 2026 not in provisional_years()
    early = _intake(caseworker, household, departments=["medical"], needs=["medical"])
    late_day = at(date(2026, 12, 24))
    with time_machine.travel(late_day, tick=False):
        late = intake_record(actor=caseworker, data={"household": household.pk, "needs": ["education"],
                                                     "description": "子女学费", "departments": ["education"]},
                             now=late_day)
    early_t, late_t = early.referrals.get(), late.referrals.get()
    assert early_t.due_date.year == 2026 and late_t.due_date.year == 2027
    client.force_login(caseworker)
    listing = client.get("/referrals/").content.decode()
    assert f'href="/referrals/{early_t.pk}/"' in listing
    assert listing.count('class="provisional-due"') == 1 and 'id="provisional-note"' in listing
    late_row = listing[listing.index(f'href="/referrals/{late_t.pk}/"'):]
    assert 'class="provisional-due"' in late_row[:late_row.index("</tr>")]
    assert 'class="provisional-due"' in client.get(f"/referrals/{late_t.pk}/").content.decode()
    assert 'class="provisional-due"' not in client.get(f"/referrals/{early_t.pk}/").content.decode()
    assert 'class="provisional-due"' in client.get(f"/intake/{late.pk}/").content.decode()
