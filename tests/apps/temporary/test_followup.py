"""Automatic follow-up of temporary assistance (issue 14 §3; R-TA-06 跟进救助; R-SYS-03): a 支出型 case
paid and closed puts the household in the low-income register (once); lasting hardship — the decision's
flag or ``temporary.lasting_min_cases`` cases within ``temporary.lasting_window_months`` — suggests
applying for dibao/特困, with one click to the prefilled form."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.monitoring.models import LowIncomeEntry
from jiuzhu.apps.programs.temporary_followup import lasting_suggestion, lasting_suggestions, register_expenditure
from tests.apps.enrollment.lifecycle_helpers import make_enrollment

from .test_temporary_cases import DAY, EMERGENCY, EXPENDITURE, NOW, _act, _follow_up, _open

pytestmark = pytest.mark.django_db
ADVANCE = {"amount": "300", "reason": "火灾后基本生活无着", "recipient": "张建国", "modality": "cash",
           "receipt_number": "XJ-0001"}


def _expenditure_paid(caseworker, reviewer, household, **decision):
    case = _act(caseworker, _open(caseworker, household, EXPENDITURE), "ta_accept", {})
    case = _follow_up(caseworker, case)
    case = _act(reviewer, case, "ta_approve", {"amount": "500", "modality": "bank", **decision})
    return _act(caseworker, case, "ta_pay", {"modality": "bank", "recipient": "张建国", "paid_on": "2026-12-07"})


def _emergency_paid(caseworker, household, **intake):
    case = _open(caseworker, household, {**EMERGENCY, **intake})
    return _act(caseworker, case, "ta_pay_advance", ADVANCE)


def test_expenditure_closed_enters_register_once(caseworker, reviewer, household):
    """R-SYS-03 / issue 14 §3: closed 支出型 → 临时救助 entry with the reason, source case linked, once."""
    case = _expenditure_paid(caseworker, reviewer, household)
    assert not LowIncomeEntry.objects.exists()  # not before the payments are closed
    case = _act(caseworker, case, "ta_close_payments", {})
    entry = LowIncomeEntry.objects.get()
    assert (entry.household_id, entry.category, entry.recognized_on, entry.source_case_id) == (
        household.pk, "temporary", DAY, case.pk)
    assert case.number in entry.note and "医疗支出" in entry.note
    event = AuditEvent.objects.get(action="lowincome.register")
    assert event.details["source_case"] == case.pk
    # idempotent: running the follow-up again returns the same entry and writes nothing
    assert register_expenditure(case, actor=caseworker, now=NOW, today=DAY).pk == entry.pk
    assert LowIncomeEntry.objects.count() == 1 and AuditEvent.objects.filter(action="lowincome.register").count() == 1


def test_emergency_does_not_enter_register(caseworker, reviewer, household):
    case = _follow_up(caseworker, _emergency_paid(caseworker, household))
    _act(reviewer, case, "ta_complete_follow_up", {"note": "补办完成"})
    assert not LowIncomeEntry.objects.exists()


def test_flag_at_decision_suggests_dibao(caseworker, reviewer, household):
    """The decision says the hardship will last → suggestion, even after one case."""
    _expenditure_paid(caseworker, reviewer, household, lasting_hardship=True)
    suggestion = lasting_suggestion(household, DAY)
    assert "长期性" in suggestion["reason"]
    assert suggestion["prefill"]["applicant"] == str(household.head_id)


def test_count_in_window_suggests_and_enrollment_silences(caseworker, household):
    """temporary.lasting_min_cases (2) within temporary.lasting_window_months (12)."""
    _emergency_paid(caseworker, household)
    assert lasting_suggestion(household, DAY) is None
    _emergency_paid(caseworker, household, confirm_duplicate=True)
    suggestion = lasting_suggestion(household, DAY)
    assert "2 次" in suggestion["reason"]
    assert [s["household"].pk for s in lasting_suggestions(actor=caseworker, today=DAY)] == [household.pk]
    make_enrollment(household)  # already on dibao: nothing to suggest
    assert lasting_suggestion(household, DAY) is None
    assert lasting_suggestions(actor=caseworker, today=DAY) == []


def test_other_township_task_list_does_not_show_it(caseworker, outsider, household):
    _emergency_paid(caseworker, household)
    _emergency_paid(caseworker, household, confirm_duplicate=True)
    assert lasting_suggestions(actor=outsider, today=DAY) == []


def test_household_page_and_task_list_link_to_prefilled_form(client, caseworker, household):
    """One click opens the dibao application with applicant and reason filled in."""
    _emergency_paid(caseworker, household)
    _emergency_paid(caseworker, household, confirm_duplicate=True)
    client.force_login(caseworker)
    with time_machine.travel(NOW, tick=False):  # the pages read today: the day the cases were paid
        html = client.get(reverse("web:household_detail", args=[household.pk])).content.decode()
        assert 'id="followup-suggestion"' in html
        link = unescape(re.search(r'id="followup-dibao" href="([^"]+)"', html).group(1))
        assert household.number in client.get(reverse("web:workbench")).content.decode().split('id="followups"')[1]
        form = client.get(link).content.decode()
    assert re.search(r'<option value="dibao" selected>', form)
    assert f'<option value="{household.head_id}" selected' in form
    assert "临时救助跟进" in unescape(form)
