"""特困 termination on a recheck (R-TK-16): a stop opinion is publicized 7 days before the decision;
an objection is investigated within 15 wd and a fresh notice follows; the decision stops the
enrollment from next month with the written notice (附件9) and a referral suggestion."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.documents import case_document_pdf
from jiuzhu.apps.cases.jobs import cases_mark_overdue
from jiuzhu.apps.cases.models import Case, Notice
from jiuzhu.apps.cases.selectors import allowed_actions
from jiuzhu.apps.enrollment.documents import change_notice_pdf
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.programs.selectors import public_notices
from jiuzhu.apps.registry.models import Person
from jiuzhu.apps.registry.pii import open_
from jiuzhu.apps.workcalendar.selectors import work_calendar
from jiuzhu.rules.calendar import add_workdays
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow import WorkflowSettings, table_for
from jiuzhu.rules.workflow.deadlines import due_date
from jiuzhu.rules.workflow.model import DeadlineRule
from tests.apps.documents.conftest import pdf_text
from tests.apps.enrollment.lifecycle_helpers import make_enrollment
from tests.apps.reviews.recheck_flow import DECISION, schedule

from .flow import TEKUN_SURVEY, act, verification

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)
# The obligor can now support him (R-TK-15 (5)): tekun stops; his own income is 0, so dibao fits.
OBLIGOR_SURVEY = {**TEKUN_SURVEY, "obligors_able": True, "obligor_notes": "儿子已在杭州稳定就业，有赡养能力"}
NOTICE = {"ground": "obligor_able", "reason": "其子已稳定就业，具备赡养能力", "reported_by": "village_committee"}
OBJECTION = {"content": "其子收入不稳定，无力赡养", "objector": "张建国之女", "contact": "13800000000"}
REINVESTIGATION = {"date": "2026-09-28", "findings": "经调查，其子月收入稳定，具备赡养能力", "conclusion": "unfounded"}
AMOUNT = "2345.67"  # an amount that must never appear on the public page


def tekun_enrollment(household, **kw):
    return make_enrollment(household, program="tekun", klass="", amount=AMOUNT, person=household.head, **kw)


def to_stop_opinion(people, enrollment, day, survey=OBLIGOR_SURVEY, review=None):
    """scheduled → … → proposed with the opinion ``stop``, one step a day. Returns (case, last day)."""
    case = schedule(people["caseworker"], enrollment, day)
    d = day
    for role, action, payload in [("caseworker", "request_verification", {}),
                                  ("county", "record_verification", verification()),
                                  ("caseworker", "record_survey", survey),
                                  ("caseworker", "recheck_review", review or {"outcome": "stop"})]:
        d += timedelta(days=1)
        case = act(people[role], case, action, d, payload)
    return case, d


def decide(actor, case, day, outcome="stop"):
    return act(actor, case, "decide", day, {**DECISION, "outcome": outcome})


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    e = Enrollment.objects.get(pk=case.enrollment_id)
    return {"state": case.state, "version": case.version, "events": case.events.count(),
            "audit": AuditEvent.objects.count(), "notices": list(case.notices.values_list("id", "withdrawn")),
            "deadlines": sorted(case.deadlines.values_list("id", "status", "due")),
            "enrollment": (e.status, e.version, e.changes.count())}


def test_stop_after_seven_days_without_objection(people, household):
    # given a tekun recheck whose opinion is to stop (the obligor can now support him)
    e = tekun_enrollment(household)
    case, d = to_stop_opinion(people, e, DAY)
    assert case.state == "proposed" and case.records.get(kind="recheck_review").data["proposed"]["outcome"] == "stop"
    assert allowed_actions(case=case, actor=people["caseworker"], today=d) == [
        "start_termination_notice", "cancel", "extend"]
    assert "decide" not in allowed_actions(case=case, actor=people["reviewer"], today=d)
    # when the deciding group tries to decide before any notice
    before = snapshot(case)
    with pytest.raises(Conflict) as exc:
        decide(people["reviewer"], case, d)
    assert exc.value.status == 409 and exc.value.code == "recheck.termination_notice_missing"
    assert "公示 7 天" in exc.value.message and snapshot(case) == before
    # when the township publicizes the proposed termination
    case = act(people["caseworker"], case, "start_termination_notice", d, NOTICE)
    assert case.state == "termination_notice" and case.state_label == "拟终止公示中"
    period = case.deadlines.get(step="notice_period")
    assert period.due == due_date(work_calendar(), DeadlineRule("notice_period", 7, "days"), d) == d + timedelta(days=7)
    assert not period.supervised and period.calendar_version == case.calendar_version != ""
    notice = case.notices.get()
    assert (notice.kind, notice.name, notice.starts_on, notice.ends_on) == ("termination", "张建国", d, d + timedelta(7))
    # then the decision is refused while the notice runs, with the end date in Chinese
    last_day = d + timedelta(days=7)
    assert "decide" not in allowed_actions(case=case, actor=people["reviewer"], today=last_day)
    before = snapshot(case)
    with pytest.raises(Conflict) as exc:
        decide(people["reviewer"], case, last_day)
    assert exc.value.status == 409 and exc.value.code == "recheck.termination_notice_running"
    first = (last_day + timedelta(days=1)).isoformat()
    assert exc.value.message == f"拟终止特困供养公示期未满（公示至 {last_day.isoformat()}），{first} 起无异议方可作出终止决定"
    assert snapshot(case) == before
    # and allowed the day after it ends; objections are no longer taken then
    after = last_day + timedelta(days=1)
    assert allowed_actions(case=case, actor=people["reviewer"], today=after) == ["decide"]
    assert "record_objection" not in allowed_actions(case=case, actor=people["caseworker"], today=after)
    case = decide(people["reviewer"], case, after)
    # then the enrollment stops from next month, with reasons in writing
    assert case.state == "rechecked" and not case.is_open
    assert dict(case.deadlines.values_list("step", "status")) == {"recheck": "met", "notice_period": "met"}
    e.refresh_from_db()
    change = e.changes.get()
    assert e.status == "stopped" and e.stopped_month == date(2027, 1, 1) == change.effective_month
    assert change.kind == "stop" and change.source == f"case:{case.pk}"
    assert change.reason.startswith("经复核，法定义务人具有了履行义务能力") and DECISION["reason"] in change.reason
    decision = case.records.get(kind="recheck_decision").data
    written = decision["termination"]["written_notice"]
    assert written["addressee"] == "张建国" and written["change"] == change.pk
    assert written["copies"] == [{"to": "village_committee", "name": "珍珠半岛村民委员会"}]
    assert decision["referral"]["suggested"] and decision["referral"]["route"] == "dibao"
    assert decision["referral"]["evaluated"]["status"] == "dibao"
    # and the 附件9 notice is produced, addressed to the person, from the case and from the change
    name, pdf = case_document_pdf(case=case, kind="adjustment_notice", today=after)
    text, pages = pdf_text(pdf)
    assert name.endswith("调整(停发)告知书.pdf") and pages >= 1
    assert "张建国：" in text and "停发" in text and "2027年1月" in text and "具备赡养能力" in text
    assert "抄送：珍珠半岛村民委员会" in text.replace(" ", "")  # R-TK-16: the village committee is told too
    assert pdf_text(change_notice_pdf(change=change, today=after)[1])[0] == text


def test_the_case_page_shows_the_notice_the_written_notice_and_the_referral(client, people, household):
    e = tekun_enrollment(household)
    case, d = to_stop_opinion(people, e, DAY)
    case = act(people["caseworker"], case, "start_termination_notice", d, NOTICE)
    case = decide(people["reviewer"], case, d + timedelta(days=8))
    client.force_login(people["reviewer"])
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    for text in ("拟终止特困供养公示", "法定义务人具有了履行义务能力", "村(居)民委员会", "书面告知",
                 "送达张建国；抄送珍珠半岛村民委员会", "建议转介", "最低生活保障（按低保条件测算符合"):
        assert text in page, text


def test_an_objection_is_investigated_within_15_wd_then_a_fresh_notice(people, household):
    # given a running termination notice
    e = tekun_enrollment(household)
    case, d = to_stop_opinion(people, e, DAY)
    case = act(people["caseworker"], case, "start_termination_notice", d, NOTICE)
    first_notice = case.notices.get()
    # when an objection is recorded during the notice
    objected = d + timedelta(days=2)
    case = act(people["caseworker"], case, "record_objection", objected, OBJECTION)
    # then the case waits for the investigation, due in 15 working days on the work calendar
    assert case.state == "termination_disputed"
    handling = case.deadlines.get(step="objection_handling")
    assert handling.supervised and handling.rule_id == "R-TK-16" and handling.unit == "wd"
    assert handling.due == add_workdays(work_calendar(), objected, 15) == date(2026, 12, 28)
    assert case.deadlines.get(step="notice_period").status == "met"
    assert case.next_step == "objection_handling" and case.task_role == "township_caseworker"
    with pytest.raises(Conflict) as exc:
        decide(people["reviewer"], case, d + timedelta(days=9))
    assert exc.value.code == "case.wrong_state" and "拟终止公示有异议" in exc.value.message
    # a late investigation puts the case on the supervision list
    assert cases_mark_overdue(today=handling.due + timedelta(days=1))["cases"] == 1
    # the investigation must decide the objection
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as bad:
        act(people["caseworker"], case, "reinvestigate", objected + timedelta(days=3),
            {k: v for k, v in REINVESTIGATION.items() if k != "conclusion"})
    assert bad.value.details["field"] == "conclusion" and snapshot(case) == before
    case = act(people["caseworker"], case, "reinvestigate", objected + timedelta(days=3), REINVESTIGATION)
    assert case.state == "surveyed" and case.deadlines.get(step="objection_handling").status == "met"
    first_notice.refresh_from_db()
    assert first_notice.withdrawn  # off the public page; a fresh notice follows
    # when the township still proposes to stop, the decision needs a fresh notice
    d2 = objected + timedelta(days=4)
    case = act(people["caseworker"], case, "recheck_review", d2, {"outcome": "stop"})
    with pytest.raises(Conflict) as exc:
        decide(people["reviewer"], case, d2)
    assert exc.value.code == "recheck.termination_notice_missing"
    case = act(people["caseworker"], case, "start_termination_notice", d2, NOTICE)
    assert case.notices.filter(withdrawn=False).get().starts_on == d2 and case.notices.count() == 2
    with pytest.raises(Conflict):
        decide(people["reviewer"], case, d2 + timedelta(days=7))
    case = decide(people["reviewer"], case, d2 + timedelta(days=8))
    e.refresh_from_db()
    assert case.state == "rechecked" and e.status == "stopped" and e.stopped_month == date(2027, 1, 1)
    assert list(case.events.values_list("action", flat=True)) == [
        "schedule", "request_verification", "record_verification", "record_survey", "recheck_review",
        "start_termination_notice", "record_objection", "reinvestigate", "recheck_review",
        "start_termination_notice", "decide"]


def test_a_founded_objection_leads_to_continue_without_notice(people, household):
    # given an objection found to be right: the opinion becomes "continue" (with a reason, it differs
    # from the rules' stop) and is decided directly
    e = tekun_enrollment(household)
    case, d = to_stop_opinion(people, e, DAY)
    case = act(people["caseworker"], case, "start_termination_notice", d, NOTICE)
    case = act(people["caseworker"], case, "record_objection", d + timedelta(days=1), OBJECTION)
    case = act(people["caseworker"], case, "reinvestigate", d + timedelta(days=2),
               {**REINVESTIGATION, "conclusion": "founded", "findings": "其子已失业"})
    case = act(people["caseworker"], case, "recheck_review", d + timedelta(days=2),
               {"outcome": "continue", "override_reason": "经调查异议成立，义务人无赡养能力"})
    case = decide(people["reviewer"], case, d + timedelta(days=2), "continue")
    e.refresh_from_db()
    assert case.state == "rechecked" and e.status == "active" and e.changes.get().kind == "recheck"


def test_continue_and_dibao_stop_are_unchanged(people, household):
    # a tekun recheck that continues is decided without a notice
    e = tekun_enrollment(household)
    case, d = to_stop_opinion(people, e, DAY, survey=TEKUN_SURVEY,
                              review={"outcome": "continue", "override_reason": "金额按原标准不变"})
    assert "decide" in allowed_actions(case=case, actor=people["reviewer"], today=d)
    decide(people["reviewer"], case, d, "continue")
    assert not Notice.objects.exists()
    # a dibao recheck stops directly from the opinion: its table has no termination notice
    assert not any(r.action == "start_termination_notice" or "termination_notice" in r.from_states
                   for level in ("township", "county") for r in table_for("dibao", WorkflowSettings(level), "recheck"))
    e.refresh_from_db()
    Enrollment.objects.filter(pk=e.pk).update(status="stopped")
    Person.objects.filter(memberships__household=household).update(wage=Decimal("5000.00"))
    dibao = make_enrollment(household)
    case = schedule(people["caseworker"], dibao, DAY)
    d = DAY
    for role, action, payload in [("caseworker", "request_verification", {}),
                                  ("county", "record_verification", verification()),
                                  ("caseworker", "record_survey", {**TEKUN_SURVEY, "adl_failed": None,
                                                                   "obligors_able": None}),
                                  ("caseworker", "recheck_review", {"outcome": "stop"})]:
        d += timedelta(days=1)
        case = act(people[role], case, action, d, payload)
    assert "start_termination_notice" not in allowed_actions(case=case, actor=people["caseworker"], today=d)
    case = decide(people["reviewer"], case, d)
    dibao.refresh_from_db()
    assert case.state == "rechecked" and dibao.status == "stopped" and dibao.stopped_month == date(2027, 1, 1)
    assert "termination" not in case.records.get(kind="recheck_decision").data and not Notice.objects.exists()


def test_wrong_role_is_403_and_another_township_404_with_nothing_changed(people, household):
    e = tekun_enrollment(household)
    case, d = to_stop_opinion(people, e, DAY)
    before = snapshot(case)
    for user in (people["reviewer"], people["village"]):
        with pytest.raises(Forbidden) as exc:
            act(user, case, "start_termination_notice", d, NOTICE)
        assert exc.value.status == 403 and "您的角色不能执行“发布拟终止特困供养公示”" in exc.value.message
    with pytest.raises(NotFound) as exc:
        act(people["outsider"], case, "start_termination_notice", d, NOTICE)
    assert exc.value.status == 404
    assert snapshot(case) == before and allowed_actions(case=case, actor=people["outsider"], today=d) == []
    case = act(people["caseworker"], case, "start_termination_notice", d, NOTICE)
    after = d + timedelta(days=8)
    before = snapshot(case)
    for user in (people["caseworker"], people["village"], people["county"]):
        with pytest.raises(Forbidden) as exc:
            decide(user, case, after)
        assert exc.value.status == 403
    with pytest.raises(NotFound):
        decide(people["outsider"], case, after)
    with pytest.raises(NotFound):
        act(people["outsider"], case, "record_objection", d + timedelta(days=1), OBJECTION)
    assert snapshot(case) == before


def test_public_page_shows_the_name_and_the_proposed_termination_only(client, people, household):
    # given a running termination notice
    e = tekun_enrollment(household)
    case, d = to_stop_opinion(people, e, DAY)
    case = act(people["caseworker"], case, "start_termination_notice", d, NOTICE)
    person = Person.objects.get(pk=household.head_id)
    # the selector gives no size or amount for it
    [row] = public_notices(today=d)
    assert row["kind"] == "termination" and row["name"] == "张建国"
    assert row["household_size"] is None and row["amount"] is None
    # when anyone opens the public page during the notice
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=d + timedelta(days=3)):
        page = client.get(reverse("web:public_notices")).content.decode()
    # then it shows the name and the proposed termination, and nothing else about him (12345 is the hotline)
    assert "张建国" in page and "12345" in page and "拟终止特困供养公示" in page and "拟终止供养" in page and "珍珠半岛村" in page
    id_number = open_(person.id_number_enc, purpose="id_number")
    leaks = [AMOUNT, "2,345.67", "345.67", id_number, id_number[-4:], person.id_number_masked, "13905711234",
             person.phone_masked, household.address, "12号", NOTICE["reason"], "义务", "赡养", "杭州", "李秀英"]
    assert [leak for leak in leaks if leak and leak in page] == []
    # and after a cancellation it is gone
    act(people["caseworker"], case, "cancel", d + timedelta(days=1), {"reason": "对象已自愿继续接受供养"})
    with mock.patch("django.utils.timezone.localdate", return_value=d + timedelta(days=3)):
        page = client.get(reverse("web:public_notices")).content.decode()
    assert "张建国" not in page


def test_case_page_forms_for_the_new_actions(client, people, household):
    e = tekun_enrollment(household)
    case, d = to_stop_opinion(people, e, DAY)
    client.force_login(people["caseworker"])
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    url = reverse("web:case_action", args=[case.pk, "start_termination_notice"])
    assert url in page and "发布拟终止特困供养公示" in page
    form = client.get(url).content.decode()
    for text in ("终止情形", "法定义务人具有了履行义务能力", "拟终止理由", "报告人", "村(居)民委员会", "公示地点",
                 "供养服务机构"):
        assert text in form, text
    response = client.post(url, {**NOTICE, "place": "residence_village", "version": case.version})
    assert response.status_code == 302
    case = act(people["caseworker"], Case.objects.get(pk=case.pk), "record_objection",
               Notice.objects.get().starts_on + timedelta(days=1), OBJECTION)
    form = client.get(reverse("web:case_action", args=[case.pk, "reinvestigate"])).content.decode()
    assert "异议处理结论" in form and "异议不成立" in form


def test_daily_job_hands_the_case_to_the_deciders_when_the_notice_ends(people, household):
    # given a termination notice running on a tekun recheck
    e = tekun_enrollment(household)
    case, d = to_stop_opinion(people, e, DAY)
    case = act(people["caseworker"], case, "start_termination_notice", d, NOTICE)
    assert case.task_role == "township_caseworker"
    last_day = d + timedelta(days=7)
    # when the daily job runs on the last day of the notice, nothing changes hands
    assert cases_mark_overdue(today=last_day)["handed_over"] == 0
    assert Case.objects.get(pk=case.pk).task_role == "township_caseworker"
    # then the day after, the case waits for the deciding group, once
    assert cases_mark_overdue(today=last_day + timedelta(days=1))["handed_over"] == 1
    assert Case.objects.get(pk=case.pk).task_role == "township_reviewer"
    assert cases_mark_overdue(today=last_day + timedelta(days=1))["handed_over"] == 0
