"""Complaints, 举报, 信访 (issue 15 §3): intake, assignment in scope, deadlines by category from dated
parameters, investigation, result, reply PDF, satisfaction, 督办 list, anonymous reporter privacy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.integrity import complaints
from jiuzhu.apps.integrity.complaint_documents import complaint_reply
from jiuzhu.apps.integrity.models import Complaint
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.conftest import PASSWORD, TOWNSHIP_A

from .conftest import T0

REPORT = {"category": "report", "channel": "phone", "region": TOWNSHIP_A, "received_on": "2026-12-01",
          "content": "某户家中有轿车和经营门店，仍领取低保", "reporter_name": "王举报", "reporter_phone": "13800001111"}


def intake(actor, **over):
    return complaints.complaint_intake(actor=actor, data={**REPORT, **over}, now=T0)


def test_report_gets_the_15_day_deadline_and_a_handler_in_scope(caseworker, outsider):
    c = intake(caseworker)
    assert c.status == "handling" and c.due == date(2026, 12, 16) and c.reporter_masked == "王**"
    with pytest.raises(ValidationFailed) as exc:  # a handler from another township
        complaints.complaint_assign(actor=caseworker, complaint_id=c.pk, data={"handler": outsider.pk}, now=T0)
    assert exc.value.details["field"] == "handler"
    complaints.complaint_assign(actor=caseworker, complaint_id=c.pk, data={"handler": caseworker.pk}, now=T0)


def test_petition_15_days_to_accept_60_to_handle_30_extension(caseworker, county_user):
    c = intake(caseworker, category="petition", channel="letter")
    assert c.status == "received" and c.accept_due == date(2026, 12, 16) and c.due is None
    complaints.complaint_assign(actor=caseworker, complaint_id=c.pk, data={"handler": caseworker.pk}, now=T0)
    c = complaints.complaint_accept(actor=caseworker, complaint_id=c.pk, data={"accept": True}, now=T0)
    assert c.due == date(2026, 12, 7) + timedelta(days=60)
    c = complaints.complaint_extend(actor=county_user, complaint_id=c.pk, now=T0)
    assert c.due == date(2026, 12, 7) + timedelta(days=90)
    with pytest.raises(Conflict):
        complaints.complaint_extend(actor=county_user, complaint_id=c.pk, now=T0)


def test_full_flow_reply_pdf_and_satisfaction(caseworker):
    c = intake(caseworker)
    complaints.complaint_assign(actor=caseworker, complaint_id=c.pk, data={"handler": caseworker.pk}, now=T0)
    with pytest.raises(Conflict):  # no investigation yet
        complaints.complaint_conclude(actor=caseworker, complaint_id=c.pk, now=T0,
                                      data={"result": "founded", "text": "经核实属实，已停保"})
    complaints.complaint_investigate(actor=caseworker, complaint_id=c.pk, now=T0, data={"text": "入户核查，确有轿车一辆"})
    complaints.complaint_conclude(actor=caseworker, complaint_id=c.pk, now=T0,
                                  data={"result": "founded", "text": "经核实属实，已停保并追回多发款项"})
    with pytest.raises(Conflict):
        complaints.complaint_satisfaction(actor=caseworker, complaint_id=c.pk, now=T0, data={"satisfaction": "satisfied"})
    pdf = complaint_reply(actor=caseworker, complaint_id=c.pk, now=T0)
    assert pdf.startswith(b"%PDF")
    c = complaints.complaint_satisfaction(actor=caseworker, complaint_id=c.pk, now=T0, data={"satisfaction": "satisfied"})
    assert c.status == "replied" and c.satisfaction == "satisfied"


@pytest.mark.parametrize(("over", "field"), [
    ({"category": "gossip"}, "category"), ({"channel": "pigeon"}, "channel"), ({"region": "12"}, "region"),
    ({"received_on": "2026-12-31"}, "received_on"), ({"received_on": "yesterday"}, "received_on"),
    ({"content": "短"}, "content"), ({"reporter_name": ""}, "reporter_name"),
    ({"reporter_phone": "abc"}, "reporter_phone"), ({"case": 0}, "case"), ({"enrollment": 10**9}, "enrollment"),
    ({"region": "330127101000"}, "region"),  # township B: out of the caseworker's scope
])
def test_bad_intake_names_the_field_and_changes_nothing(caseworker, over, field):
    with pytest.raises((ValidationFailed, NotFound)) as exc:
        intake(caseworker, **over)
    assert exc.value.details.get("field") == field
    assert not Complaint.objects.exists()


def test_outsider_cannot_see_or_act(caseworker, outsider):
    c = intake(caseworker)
    assert not complaints.complaints_visible(actor=outsider).exists()
    with pytest.raises(NotFound):
        complaints.complaint_assign(actor=outsider, complaint_id=c.pk, data={"handler": outsider.pk}, now=T0)


def test_only_the_handler_acts(caseworker, regions, household):
    c = intake(caseworker)
    other = User(username="cw_a2", role=Role.REVIEWER, region_id=TOWNSHIP_A)
    other.set_password(PASSWORD)
    other.save()
    complaints.complaint_assign(actor=caseworker, complaint_id=c.pk, data={"handler": caseworker.pk}, now=T0)
    with pytest.raises(Forbidden):
        complaints.complaint_investigate(actor=other, complaint_id=c.pk, now=T0, data={"text": "我来核查一下"})


def test_overdue_items_are_on_the_supervision_list(caseworker, county_user):
    late = intake(caseworker, received_on="2026-11-01")
    intake(caseworker)
    assert [c.pk for c in complaints.complaints_overdue(actor=county_user, today=date(2026, 12, 7))] == [late.pk]


def test_anonymous_reporter_only_for_the_county_handler_and_audited(caseworker, county_user):
    c = intake(caseworker, anonymous=True)
    assert c.reporter_masked == "" and "王举报" not in str(c.reporter_enc)
    assert complaints.reporter_view(actor=caseworker, complaint=c) == {"label": "匿名", "may_reveal": False}
    with pytest.raises(Forbidden):
        complaints.reporter_reveal(actor=caseworker, complaint_id=c.pk, now=T0)
    assert complaints.reporter_reveal(actor=county_user, complaint_id=c.pk, now=T0) == {
        "name": "王举报", "phone": "13800001111"}
    events = AuditEvent.objects.filter(subject_type="complaint", subject_id=str(c.pk))
    assert "complaint.reporter_view" in set(events.values_list("action", flat=True))
    for e in events:  # the identity is never in the audit
        assert "王举报" not in str(e.details) + e.reason
        assert "13800001111" not in str(e.details) + e.reason


def test_objection_to_the_long_term_notice_reopens_the_enrollment_as_a_recheck(caseworker, household):
    from jiuzhu.apps.cases.models import Case

    from .conftest import make_paid
    paid = make_paid(household)
    c = intake(caseworker, category="objection", channel="notice", enrollment=paid.enrollment.pk,
               content="公示的该户家中新购轿车，不应享受低保")
    recheck = Case.objects.get(enrollment=paid.enrollment, kind="recheck")
    assert c.case_id == recheck.pk and recheck.state == "scheduled" and recheck.is_open
    assert recheck.deadlines.get().due == c.due
