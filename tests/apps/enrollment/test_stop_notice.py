"""停发告知书 (附件9 for a stop) when the recipient has died (issue 20 §1, 年审 plan 三(2)一)."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from jiuzhu.apps.enrollment.documents import change_has_notice, change_notice_pdf, notice_context
from jiuzhu.apps.enrollment.services import enrollment_stop
from jiuzhu.apps.registry.models import Membership
from jiuzhu.apps.registry.services import member_end
from jiuzhu.rules.errors import NotFound

from .lifecycle_helpers import at, make_enrollment, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
DIED = date(2026, 11, 20)
STOP_DAY = date(2026, 12, 3)


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")


def _head_dies(actor, household):
    head = household.head
    Membership.objects.filter(person=head, end_date__isnull=True).update(relation="other")  # head may then leave
    member_end(actor=actor, person_id=head.pk, reason="death", as_of=DIED)
    return head


def _stop(actor, e):
    return enrollment_stop(actor=actor, enrollment_id=e.pk, reason="保障对象死亡", now=at(STOP_DAY))


def test_stop_notice_of_a_living_recipient_is_addressed_to_the_head(people, household):
    e = make_enrollment(household)
    change = _stop(people["caseworker"], e)
    ctx = notice_context(change, STOP_DAY)
    assert ctx.adjustment.action == "stop" and ctx.adjustment.addressee == ""
    assert ctx.header.doc_date == STOP_DAY
    assert _text(change_notice_pdf(change=change, today=date(2027, 1, 5))[1]).startswith("附件9")


def test_qingtui_renyuan_yi_siwang_notice_goes_to_gongtong_shenghuo_chengyuan(people, household):
    """年审 plan 三(2)一：对清退人员已死亡的，应将《省最低生活保障金告知书》发送至其共同生活成员."""
    # given an enrollment whose recipient (the head) has died, the spouse still living in the household
    e = make_enrollment(household)
    head = _head_dies(people["caseworker"], household)
    # when the enrollment is stopped
    change = _stop(people["caseworker"], e)
    # then the 停发告知书 is addressed to the co-resident member and says the recipient died
    ctx = notice_context(change, STOP_DAY)
    assert ctx.adjustment.addressee.startswith("李秀英") and head.name in ctx.adjustment.addressee
    text = _text(change_notice_pdf(change=change, today=STOP_DAY)[1])
    assert f"李秀英（{head.name}的共同生活家庭成员）：" in text and f"{head.name}已死亡" in text


def test_yi_siwang_qie_wu_gongtong_shenghuo_chengyuan_wuxu_fafang(people, household):
    """年审 plan 三(2)一：已死亡且无共同生活成员的，无需发放."""
    e = make_enrollment(household)
    spouse = Membership.objects.get(household=household, relation="spouse", end_date__isnull=True).person
    member_end(actor=people["caseworker"], person_id=spouse.pk, reason="death", as_of=DIED)
    _head_dies(people["caseworker"], household)
    change = _stop(people["caseworker"], e)
    assert not change_has_notice(change)
    with pytest.raises(NotFound) as err:
        change_notice_pdf(change=change, today=STOP_DAY)
    assert "无需发放" in err.value.message


def test_a_member_who_moved_out_does_not_count_as_co_resident(people, household):
    e = make_enrollment(household)
    spouse = Membership.objects.get(household=household, relation="spouse", end_date__isnull=True).person
    member_end(actor=people["caseworker"], person_id=spouse.pk, reason="moved", as_of=DIED)
    _head_dies(people["caseworker"], household)
    assert not change_has_notice(_stop(people["caseworker"], e))


def test_the_enrollment_page_says_why_no_notice_and_when_to_file(client, people, household):
    e = make_enrollment(household)
    spouse = Membership.objects.get(household=household, relation="spouse", end_date__isnull=True).person
    member_end(actor=people["caseworker"], person_id=spouse.pk, reason="death", as_of=DIED)
    _head_dies(people["caseworker"], household)
    change = _stop(people["caseworker"], e)
    client.force_login(people["caseworker"])
    page = client.get(f"/enrollments/{e.pk}/").content.decode()
    assert "无需发放（对象已死亡且无共同生活成员）" in page
    assert f"报县备案：{change.filing_due.isoformat()} 前" in page
    assert client.get(f"/enrollments/changes/{change.pk}/notice.pdf").status_code == 404
