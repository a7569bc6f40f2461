"""Enrollment changes: adjust, suspend, resume, stop, graduate — effective next month, with history,
audit, the 附件9 notice, Chinese field errors that change nothing, and region scope."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.enrollment import selectors
from jiuzhu.apps.enrollment.documents import change_notice_pdf
from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange
from jiuzhu.apps.enrollment.services import (
    enrollment_adjust,
    enrollment_change,
    enrollment_graduate,
    enrollment_resume,
    enrollment_stop,
    enrollment_suspend,
    enrollments_graduation_end,
)
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.apps.documents.conftest import pdf_text

from .lifecycle_helpers import at, enrollment, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 10)  # every change decided on this day takes effect from 2027-01-01
NEXT = date(2027, 1, 1)


def snapshot(e):
    e = Enrollment.objects.get(pk=e.pk)
    return (e.status, e.amount, e.klass, e.version, e.changes.count(), AuditEvent.objects.count())


def test_adjust_takes_effect_next_month_with_history_audit_and_notice(people, enrollment):
    # given an active enrollment of 800.00 a month, class C
    # when the caseworker reduces it to 650.00 on 10 December
    change = enrollment_adjust(actor=people["caseworker"], enrollment_id=enrollment.pk, amount="650.00",
                               reason="家庭成员张小军已就业，月工资收入增加", now=at(DAY))
    # then the change is on record from 1 January, with the default legal ground
    enrollment.refresh_from_db()
    assert enrollment.amount == Decimal("650.00") and enrollment.status == "active" and enrollment.version == 2
    assert (change.kind, change.old_amount, change.new_amount, change.effective_month) == \
        ("adjust", Decimal("800.00"), Decimal("650.00"), NEXT)
    assert "第三十二条" in change.legal_ground and change.source == "direct" and change.actor == people["caseworker"]
    audit = AuditEvent.objects.order_by("-id").first()
    assert audit.action == "enrollment.adjust" and audit.subject_id == str(enrollment.pk)
    assert audit.details["effective_month"] == "2027-01-01"
    # and December still pays the old amount, January the new one
    assert selectors.terms_for_month(enrollment, date(2026, 12, 1)).amount == Decimal("800.00")
    assert selectors.terms_for_month(enrollment, NEXT).amount == Decimal("650.00")
    # and the 附件9 notice names the household and both amounts, as a 减发
    name, pdf = change_notice_pdf(change=change, today=DAY)
    text, _ = pdf_text(pdf)
    assert name.endswith("调整(停发)告知书.pdf")
    assert "张建国" in text and "800.00" in text and "650.00" in text and "减发" in text and "2027年1月" in text
    assert "抄送" not in text  # only a 特困 termination is copied to the village committee (R-TK-16)


def test_suspend_resume_stop_history_and_payable_months(people, enrollment):
    cw = people["caseworker"]
    enrollment_suspend(actor=cw, enrollment_id=enrollment.pk, reason="外出务工，暂无法核实家庭情况", now=at(DAY))
    enrollment.refresh_from_db()
    assert enrollment.status == "suspended"
    assert selectors.terms_for_month(enrollment, date(2026, 12, 1)).payable
    assert not selectors.terms_for_month(enrollment, NEXT).payable
    # resumed in February → paid again from March
    enrollment_resume(actor=cw, enrollment_id=enrollment.pk, reason="已返乡并配合核实", now=at(date(2027, 2, 3)))
    enrollment.refresh_from_db()
    assert not selectors.terms_for_month(enrollment, date(2027, 2, 1)).payable
    assert selectors.terms_for_month(enrollment, date(2027, 3, 1)).payable
    # stopped by the county in March → April is the first month not paid
    change = enrollment_stop(actor=people["county"], enrollment_id=enrollment.pk, reason="家庭人均收入已超过低保标准",
                             now=at(date(2027, 3, 15)))
    enrollment.refresh_from_db()
    assert enrollment.status == "stopped" and enrollment.stopped_month == date(2027, 4, 1)
    assert enrollment.next_recheck is None
    assert selectors.terms_for_month(enrollment, date(2027, 3, 1)).payable
    assert not selectors.terms_for_month(enrollment, date(2027, 4, 1)).payable
    assert [c.kind for c in selectors.enrollment_changes(enrollment=enrollment)] == ["stop", "resume", "suspend"]
    text, _ = pdf_text(change_notice_pdf(change=change, today=date(2027, 3, 15))[1])
    assert "停发" in text and "800.00" in text and "家庭人均收入已超过低保标准" in text and "行政复议" in text


def test_graduate_keeps_paying_for_the_policy_period_then_stops(people, enrollment):
    # the demo county gives 6 months for employment income (R-DM-04, national principle)
    change = enrollment_graduate(actor=people["caseworker"], enrollment_id=enrollment.pk,
                                 graduation_reason="employment_income", reason="家庭成员就业，人均收入超过标准",
                                 now=at(DAY))
    enrollment.refresh_from_db()
    assert enrollment.status == "graduating" and enrollment.graduating_until == date(2027, 6, 30)
    assert enrollment.stopped_month == date(2027, 7, 1) and change.effective_month == NEXT
    assert "渐退期 6 个月" in change.reason
    assert selectors.terms_for_month(enrollment, date(2027, 6, 1)).payable
    assert not selectors.terms_for_month(enrollment, date(2027, 7, 1)).payable
    text, _ = pdf_text(change_notice_pdf(change=change, today=DAY)[1])
    assert "停发" in text and "2027年7月" in text
    # the monthly sweep stops it once the period is over (and again changes nothing)
    assert enrollments_graduation_end(today=date(2027, 6, 30), now=at(date(2027, 6, 30))) == 0
    assert enrollments_graduation_end(today=date(2027, 7, 2), now=at(date(2027, 7, 2))) == 1
    assert enrollments_graduation_end(today=date(2027, 7, 3), now=at(date(2027, 7, 3))) == 0
    enrollment.refresh_from_db()
    assert enrollment.status == "stopped" and enrollment.changes.filter(kind="stop").count() == 1


@pytest.mark.parametrize("kind, data, field, words", [
    ("adjust", {"amount": "-5", "reason": "收入变化"}, "amount", "调整后月保障金(元)：应大于 0"),
    ("adjust", {"amount": "12.345", "reason": "收入变化"}, "amount", "最多两位小数"),
    ("adjust", {"amount": "800.00", "reason": "收入变化"}, "amount", "与现行相同"),
    ("adjust", {"amount": "700", "klass": "E", "reason": "收入变化"}, "klass", "分类：取值无效"),
    ("adjust", {"amount": "700", "reason": "  "}, "reason", "变更理由：不能为空"),
    ("stop", {"reason": "收入超标", "legal_ground": "依" * 301}, "legal_ground", "法律依据：过长"),
    ("graduate", {"graduation_reason": "lottery", "reason": "中奖"}, "graduation_reason", "渐退原因：取值无效"),
    ("suspend", {}, "reason", "变更理由：必填"),
])
def test_bad_input_names_the_field_in_chinese_and_changes_nothing(people, enrollment, kind, data, field, words):
    before = snapshot(enrollment)
    with pytest.raises(ValidationFailed) as exc:
        enrollment_change(actor=people["caseworker"], enrollment_id=enrollment.pk, kind=kind, data=data, now=at(DAY))
    assert exc.value.details["field"] == field and words in exc.value.message
    assert snapshot(enrollment) == before


def test_wrong_status_role_version_and_other_township_change_nothing(people, enrollment):
    before = snapshot(enrollment)
    with pytest.raises(Conflict) as exc:
        enrollment_resume(actor=people["caseworker"], enrollment_id=enrollment.pk, reason="恢复", now=at(DAY))
    assert exc.value.code == "enrollment.wrong_status" and "在保" in exc.value.message
    for role in ("village", "reviewer"):
        with pytest.raises(Forbidden):
            enrollment_stop(actor=people[role], enrollment_id=enrollment.pk, reason="收入超标", now=at(DAY))
    with pytest.raises(Conflict) as exc:
        enrollment_stop(actor=people["caseworker"], enrollment_id=enrollment.pk, reason="收入超标", now=at(DAY),
                        version=enrollment.version + 5)
    assert exc.value.code == "enrollment.changed"
    # the caseworker of township B: not found, for every kind and for reading
    for kind, data in [("adjust", {"amount": "1", "reason": "x"}), ("stop", {"reason": "x"}),
                       ("suspend", {"reason": "x"})]:
        with pytest.raises(NotFound):
            enrollment_change(actor=people["outsider"], enrollment_id=enrollment.pk, kind=kind, data=data,
                              now=at(DAY))
    with pytest.raises(NotFound):
        selectors.enrollment_get(actor=people["outsider"], enrollment_id=enrollment.pk)
    assert selectors.enrollments_search(actor=people["outsider"], today=DAY) == []
    assert selectors.allowed_changes(actor=people["outsider"], enrollment=enrollment) == []
    assert snapshot(enrollment) == before


def test_allowed_changes_follow_the_status(people, enrollment, household):
    cw = people["caseworker"]
    assert selectors.allowed_changes(actor=cw, enrollment=enrollment) == ["adjust", "suspend", "stop", "graduate"]
    assert selectors.allowed_changes(actor=people["village"], enrollment=enrollment) == []
    enrollment_suspend(actor=cw, enrollment_id=enrollment.pk, reason="暂停", now=at(DAY))
    enrollment.refresh_from_db()
    assert selectors.allowed_changes(actor=cw, enrollment=enrollment) == ["adjust", "resume", "stop"]


def test_changes_without_money_change_have_no_notice(people, enrollment):
    change = enrollment_adjust(actor=people["caseworker"], enrollment_id=enrollment.pk, amount="800.00", klass="B",
                               reason="重新分类", now=at(DAY))
    assert change.new_class == "B" and change.old_class == "C"
    # class B is a stable household: rechecked yearly from the month of effect (R-DM-02)
    assert Enrollment.objects.get(pk=enrollment.pk).next_recheck == date(2028, 1, 1)
    with pytest.raises(NotFound):
        change_notice_pdf(change=change, today=DAY)
    assert EnrollmentChange.objects.count() == 1


def test_adjustment_notice_is_dated_on_the_change_not_on_printing(people, enrollment):
    """Issue 12 §3.7: 附件9 carries the date of the decision it records, not the date the PDF was generated."""
    # given a reduction decided on DAY (2026-12-10)
    change = enrollment_adjust(actor=people["caseworker"], enrollment_id=enrollment.pk, amount=Decimal("650.00"),
                               reason="家庭成员张小军已就业，月工资收入增加", now=at(DAY))
    # when its notice is printed on 2027-03-15
    text, _ = pdf_text(change_notice_pdf(change=change, today=date(2027, 3, 15))[1])
    # then it is sealed on the decision day
    assert "2026年12月10日" in text and "2027年3月15日" not in text
