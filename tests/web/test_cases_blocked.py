"""Blocked actions on the case page (disabled, with the guard's reason), 一证一书 recorded after submit,
the workbench's "等待：…" items, and the notice step on the first day it may be closed."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.jobs import cases_mark_overdue
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.selectors import allowed_actions
from jiuzhu.rules.workflow.deadlines import late_on, notice_over_on
from tests.web.helpers import field_error

from .test_cases_support import case_in, people, submit  # noqa: F401  (people is a fixture)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NO_ID_AUTHORIZATION = {"id_checked": False, "authorization_signed": False}


def _page(client, case) -> str:
    return client.get(reverse("web:case_detail", args=[case.pk])).content.decode()


def _blocked(page: str, action: str) -> str:
    """The blocked action's list item (its disabled button and reason)."""
    match = re.search(rf'<li id="blocked-{action}">(.*?)</li>', page, re.S)
    assert match, f"{action} is not shown as blocked"
    return match.group(1)


def _task_row(page: str, case) -> str:
    start = page.rindex("<tr", 0, page.index(case.number))
    return page[start:page.index("</tr>", start)]


def test_case_page_shows_verification_disabled_with_what_unblocks_it(client, people, household):
    # given a case submitted without 一证一书
    case = submit(people["caseworker"], household, **NO_ID_AUTHORIZATION)
    client.force_login(people["caseworker"])
    # when the caseworker opens the case page
    page = _page(client, case)
    # then 提请核对 is a disabled button with the guard's message and what unblocks it
    item = _blocked(page, "request_verification")
    assert "disabled" in item and ">提请核对</button>" in item
    assert "暂不能办理：尚未签署委托授权书（一证一书），不能提请核对。需要：登记一证一书或上传委托授权书扫描件" in item
    assert 'href="' not in item  # nothing to click
    # and recording 一证一书 is offered as an action
    assert 'id="act-record_id_authorization"' in page and ">登记一证一书</a>" in page
    assert 'id="no-actions"' not in page


def test_case_page_shows_close_notice_disabled_while_the_notice_runs(client, people, household):
    case = case_in(people, household, "in_notice")
    client.force_login(people["caseworker"])
    last = timezone.localdate() + timedelta(days=7)
    item = _blocked(_page(client, case), "close_notice")
    assert "disabled" in item and ">公示期满</button>" in item
    assert f"公示期未满（公示至 {last.isoformat()}），{(last + timedelta(days=1)).isoformat()} 起方可结束公示" in item


def test_only_the_role_that_may_act_sees_the_blocked_button(client, people, household):
    case = submit(people["caseworker"], household, **NO_ID_AUTHORIZATION)
    client.force_login(people["reviewer"])
    page = _page(client, case)
    assert 'id="blocked-actions"' not in page and 'id="no-actions"' in page


def test_recording_id_authorization_on_the_page_unblocks_verification(client, people, household):
    case = submit(people["caseworker"], household, **NO_ID_AUTHORIZATION)
    client.force_login(people["caseworker"])
    url = reverse("web:case_action", args=[case.pk, "record_id_authorization"])
    # the form offers the two boxes with Chinese labels
    form = client.get(url).content.decode()
    assert "已核验身份证件" in form and "已签署委托授权书" in form and "签署日期" in form
    # when posted with no box ticked: the error is next to the field and nothing changes
    audit = AuditEvent.objects.count()
    refused = client.post(url, {"version": case.version, "note": "窗口"})
    assert refused.status_code == 422
    assert "至少一项" in field_error(refused.content.decode(), "authorization_signed")
    assert AuditEvent.objects.count() == audit and Case.objects.get(pk=case.pk).version == case.version
    # when both are ticked
    done = client.post(url, {"version": case.version, "id_checked": "on", "authorization_signed": "on"})
    assert done.status_code == 302 and done.url == reverse("web:case_detail", args=[case.pk])
    # then 提请核对 is offered, nothing is blocked, and the record is on the page
    page = _page(client, case)
    assert 'id="act-request_verification"' in page and 'id="blocked-actions"' not in page
    assert "一证一书（补登）" in page
    assert AuditEvent.objects.filter(action="case.record_id_authorization").count() == 1


def test_outsider_cannot_see_or_record_id_authorization(client, people, household):
    case = submit(people["caseworker"], household, **NO_ID_AUTHORIZATION)
    client.force_login(people["outsider"])
    url = reverse("web:case_action", args=[case.pk, "record_id_authorization"])
    assert client.get(reverse("web:case_detail", args=[case.pk])).status_code == 404
    assert client.post(url, {"version": case.version, "id_checked": "on",
                             "authorization_signed": "on"}).status_code == 404
    assert Case.objects.get(pk=case.pk).version == case.version


def test_workbench_shows_waiting_items_with_the_reason(client, people, household, household_data):
    from jiuzhu.apps.registry.services import household_create
    from tests.conftest import AS_OF

    # given a case without 一证一书 and a case in its notice period
    waiting = submit(people["caseworker"], household, **NO_ID_AUTHORIZATION)
    in_notice = case_in(people, household_create(actor=people["caseworker"], data=household_data(), as_of=AS_OF),
                        "in_notice")
    client.force_login(people["caseworker"])
    # when the caseworker opens the workbench
    page = client.get(reverse("web:workbench")).content.decode()
    # then both are listed as 等待 with the reason, not hidden and not as plain steps
    row = _task_row(page, waiting)
    assert 'class="task waiting"' in row and "等待：尚未签署委托授权书（一证一书）" in row
    row = _task_row(page, in_notice)
    assert "等待：公示期未满（公示至" in row and "逾期" not in row


def test_notice_is_not_overdue_on_the_first_day_it_may_be_closed(client, people, household):
    # given a notice published on the frozen business date 2026-12-07: it runs 12-08 … 12-14
    published = timezone.localdate()
    case = case_in(people, household, "in_notice")
    period = case.deadlines.get(step="notice_period")
    assert (published, period.due, notice_over_on(period.due)) == (
        date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 15))
    # on its last day it may not be closed yet and nothing is late
    last_day = datetime(2026, 12, 14, 10, tzinfo=TZ)
    with time_machine.travel(last_day, tick=False):
        client.force_login(people["caseworker"])  # a session of that day
        assert "close_notice" not in allowed_actions(case=case, actor=people["caseworker"], today=last_day.date())
        row = _task_row(client.get(reverse("web:workbench")).content.decode(), case)
        assert "逾期" not in row and "今天到期" not in row and "等待：公示期未满" in row
    # when the first day it may be closed comes and the daily overdue job has run
    first_day = datetime(2026, 12, 15, 10, tzinfo=TZ)
    with time_machine.travel(first_day, tick=False):
        cases_mark_overdue(today=first_day.date())
        client.force_login(people["caseworker"])
        page = client.get(reverse("web:workbench")).content.decode()
        case_page = _page(client, case)
    # then closing is offered, the task is neither overdue nor waiting, and the case is not overdue
    row = _task_row(page, case)
    assert "逾期" not in row and 'class="task"' in row and "等待" not in row
    assert 'id="act-close_notice"' in case_page and 'id="blocked-close_notice"' not in case_page
    case.refresh_from_db()
    assert not case.overdue and case.task_waiting == ""
    assert list(case.deadlines.filter(step="notice_period").values_list("status", flat=True)) == ["open"]


def test_late_on_only_for_supervised_steps_after_their_due_date():
    due = date(2026, 12, 14)
    assert not late_on(due, due) and late_on(due, due + timedelta(days=1))
    assert not late_on(due, due + timedelta(days=1), supervised=False)  # the notice period is a span
    assert not late_on(None, due)


def test_opening_a_blocked_action_form_says_why(client, people, household):
    case = submit(people["caseworker"], household, **NO_ID_AUTHORIZATION)
    client.force_login(people["caseworker"])
    response = client.get(reverse("web:case_action", args=[case.pk, "request_verification"]))
    page = response.content.decode()
    assert response.status_code == 409
    assert "暂不能办理“提请核对”：尚未签署委托授权书（一证一书），不能提请核对。需要：登记一证一书或上传委托授权书扫描件" in page
