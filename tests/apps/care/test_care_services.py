"""Care services: capacity apart from self-care (issue 16 §1), guardians (R-GRD-01, §3), visits (§5);
bad input changes nothing, the outsider's township cannot see or change anything."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.care import guardians, selectors, services, visits
from jiuzhu.apps.care.models import Guardianship, Visit
from jiuzhu.apps.enrollment.models import EnrollmentChange
from jiuzhu.apps.monitoring.models import Alert, Referral
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .conftest import NOW, PNG

pytestmark = pytest.mark.django_db

CAPACITY = {"capacity": "none", "capacity_basis": "disability", "capacity_on": "2026-11-01"}
FINDINGS = {k: "good" for k in ("food", "housing", "health", "hygiene", "safety", "caregiver")}
GUARDIAN = {"guardian_class": "III", "guardian_kind": "village_committee", "guardian_name": "珍珠半岛村村民委员会",
            "duties": "照料日常生活，代为管理财产，陪同就医", "start": "2026-12-01", "review_on": "2027-12-01"}


def _visit(actor, e, **kw):
    data = {"visited_on": "2026-12-05", "visitor_name": "协理员小王", "findings": FINDINGS, **kw.pop("data", {})}
    return visits.visit_record(actor=actor, enrollment_id=e.pk, data=data, now=NOW, **kw)


def test_capacity_recorded_apart_from_self_care(caseworker, tekun):
    p = services.capacity_record(actor=caseworker, enrollment_id=tekun.pk, data=CAPACITY, now=NOW)
    assert (p.capacity, p.capacity_basis, p.care_class) == ("none", "disability", "")
    assert AuditEvent.objects.filter(action="care.capacity").count() == 1


def test_capacity_bad_input_changes_nothing(caseworker, tekun):
    with pytest.raises(ValidationFailed) as exc:
        services.capacity_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW,
                                 data={**CAPACITY, "capacity_basis": ""})
    assert exc.value.details["field"] == "capacity_basis"
    with pytest.raises(ValidationFailed):
        services.capacity_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW,
                                 data={**CAPACITY, "capacity_on": "2027-01-01"})
    assert not AuditEvent.objects.filter(action="care.capacity").exists()


def test_village_assistant_cannot_record_capacity(village_user, tekun):
    with pytest.raises(Forbidden):
        services.capacity_record(actor=village_user, enrollment_id=tekun.pk, data=CAPACITY, now=NOW)


def test_R_TK_14_reassessment_changes_the_fee_from_next_month(caseworker, tekun):
    a = services.assessment_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW, data={
        "assessed_on": "2026-12-02", "assessor": "third_party", "assessor_name": "淳安县康养评估中心",
        "adl_failed": ["bathing", "walking", "dressing", "toileting"]})
    assert a.care_class == "full" and a.next_due == date(2027, 12, 2)
    change = EnrollmentChange.objects.get(enrollment=tekun)
    assert change.kind == "adjust" and change.effective_month == date(2027, 1, 1)
    assert change.source == f"care_assessment:{a.profile_id}" and "失能" in change.reason
    tekun.refresh_from_db()
    assert tekun.amount == change.new_amount != change.old_amount
    # the same class again: the amount already fits, no second change
    services.assessment_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW, data={
        "assessed_on": "2026-12-03", "assessor": "medical", "assessor_name": "淳安县第一人民医院",
        "adl_failed": ["bathing", "walking", "dressing", "eating"]})
    assert EnrollmentChange.objects.filter(enrollment=tekun).count() == 1
    assert AuditEvent.objects.filter(action="enrollment.adjust").count() == 1


def test_assessment_bad_input(caseworker, tekun):
    for bad in ({"assessed_on": "2026-12-31"}, {"assessor": "neighbour"}, {"adl_failed": ["flying"]},
                {"assessor_name": ""}):
        data = {"assessed_on": "2026-12-02", "assessor": "medical", "assessor_name": "医院", "adl_failed": [], **bad}
        with pytest.raises(ValidationFailed):
            services.assessment_record(actor=caseworker, enrollment_id=tekun.pk, data=data, now=NOW)
    assert not EnrollmentChange.objects.exists()


def test_R_GRD_01_class_III_guardian_with_agreement(caseworker, tekun):
    services.capacity_record(actor=caseworker, enrollment_id=tekun.pk, data=CAPACITY, now=NOW)
    g = guardians.guardian_record(actor=caseworker, enrollment_id=tekun.pk, data=GUARDIAN, now=NOW)
    assert g.guardian_class == "III" and AuditEvent.objects.filter(action="care.guardian").count() == 1
    html = guardians.agreement_html(g)
    assert "监护照料协议" in html and "王老五" in html and "Ⅲ类" in html
    g = guardians.agreement_upload(actor=caseworker, guardianship_id=g.pk, filename="协议.png", content=PNG, now=NOW)
    assert g.signed_sha256 and g.signed_type == "image/png"
    with pytest.raises(ValidationFailed):  # a text file renamed .pdf
        guardians.agreement_upload(actor=caseworker, guardianship_id=g.pk, filename="协议.pdf", content=b"hello", now=NOW)


def test_R_GRD_01_inconsistent_class_refused_with_reason(caseworker, tekun):
    services.capacity_record(actor=caseworker, enrollment_id=tekun.pk, data=CAPACITY, now=NOW)
    data = {**GUARDIAN, "relatives": [{"relation": "sibling", "name": "王老六", "able": True}]}
    with pytest.raises(ValidationFailed) as exc:
        guardians.guardian_record(actor=caseworker, enrollment_id=tekun.pk, data=data, now=NOW)
    assert "王老六" in exc.value.message and "Ⅰ类" in exc.value.message
    assert not Guardianship.objects.exists()


def test_guardian_needs_capacity_lacking_first(caseworker, tekun):
    with pytest.raises(Conflict):
        guardians.guardian_record(actor=caseworker, enrollment_id=tekun.pk, data=GUARDIAN, now=NOW)


def test_guardian_change_and_temporary_care(caseworker, tekun):
    services.capacity_record(actor=caseworker, enrollment_id=tekun.pk, data=CAPACITY, now=NOW)
    first = guardians.guardian_record(actor=caseworker, enrollment_id=tekun.pk, data=GUARDIAN, now=NOW)
    temp = guardians.guardian_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW, data={
        **GUARDIAN, "guardian_kind": "person", "guardian_name": "邻居张大妈", "temporary": True,
        "consent_by": "village_committee", "start": "2026-12-05"})
    assert temp.temporary and temp.guardian_class == "III"
    second = guardians.guardian_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW, data={
        **GUARDIAN, "guardian_class": "II", "guardian_kind": "organisation", "guardian_name": "县社工服务中心",
        "consent_by": "civil_affairs", "start": "2026-12-06"})
    first.refresh_from_db()
    assert first.ended_on == date(2026, 12, 6) and second.ended_on is None


def test_visit_with_photo_and_need_becomes_referral(village_user, tekun):
    v = _visit(village_user, tekun, data={"needs": "屋顶漏雨，需危房改造", "need_department": "housing"},
               photos=[("门口.png", PNG)])
    assert v.photos.count() == 1 and v.alert_id
    alert = Alert.objects.get(pk=v.alert_id)
    assert alert.type == "care_need" and alert.status == "in_progress" and alert.scan_id is None
    assert Referral.objects.get(alert=alert).department == "housing"
    photo, content = visits.photo_get(actor=village_user, photo_id=v.photos.first().pk)
    assert content == PNG
    assert AuditEvent.objects.filter(action="care.visit").count() == 1


@pytest.mark.parametrize("bad", [
    {"visited_on": "2026-12-08"}, {"visited_on": "2026-02-27"}, {"findings": {"food": "good"}},
    {"need_department": "housing"}, {"findings": {**FINDINGS, "food": "excellent"}},
])
def test_visit_bad_input_refused(village_user, tekun, bad):
    with pytest.raises(ValidationFailed):
        _visit(village_user, tekun, data=bad)
    assert not Visit.objects.exists() and not Alert.objects.exists()


def test_visit_photo_checked_by_content(village_user, tekun):
    with pytest.raises(ValidationFailed) as exc:
        _visit(village_user, tekun, photos=[("照片.jpg", b"#!/bin/sh\nrm -rf /\n")])
    assert exc.value.details["field"] == "photos"
    assert not Visit.objects.exists()


def test_outsider_township_sees_and_changes_nothing(outsider, village_user, caseworker, tekun):
    v = _visit(village_user, tekun, photos=[("a.png", PNG)])
    services.capacity_record(actor=caseworker, enrollment_id=tekun.pk, data=CAPACITY, now=NOW)
    g = guardians.guardian_record(actor=caseworker, enrollment_id=tekun.pk, data=GUARDIAN, now=NOW)
    attempts = [
        lambda: services.profile_get(actor=outsider, enrollment_id=tekun.pk),
        lambda: services.capacity_record(actor=outsider, enrollment_id=tekun.pk, data=CAPACITY, now=NOW),
        lambda: guardians.guardian_record(actor=outsider, enrollment_id=tekun.pk, data=GUARDIAN, now=NOW),
        lambda: guardians.agreement_pdf(actor=outsider, guardianship_id=g.pk),
        lambda: guardians.guardian_end(actor=outsider, guardianship_id=g.pk, now=NOW,
                                       data={"ended_on": "2026-12-06", "end_reason": "x"}),
        lambda: visits.photo_get(actor=outsider, photo_id=v.photos.first().pk),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    assert not selectors.persons(outsider).exists()
    assert not selectors.overdue(outsider, date(2026, 12, 7)).exists()


def test_schedule_overdue_and_completion(village_user, caseworker, tekun):
    today = date(2026, 12, 7)
    assert list(selectors.overdue(caseworker, today)) == [tekun]  # never visited since March
    _visit(village_user, tekun)
    assert not selectors.overdue(caseworker, today).exists()
    rows, first, last = selectors.schedule(caseworker, today)
    assert (first, last) == (date(2027, 1, 1), date(2027, 1, 31))
    assert [r.due for r in rows] == [date(2027, 1, 4)]
    done = selectors.completion(caseworker, [date(2026, 11, 1), date(2026, 12, 1)])
    assert [(r["month"].month, r["due"], r["done"]) for r in done] == [(11, 1, 0), (12, 1, 1)]
    assert selectors.counts(caseworker)["total"] == 1


def test_caregiver_failing_twice_is_flagged(village_user, tekun):
    _visit(village_user, tekun, data={"visited_on": "2026-11-05", "findings": {**FINDINGS, "caregiver": "problem"}})
    profile = services.profile_get(actor=village_user, enrollment_id=tekun.pk)
    assert not selectors.caregiver_flagged(profile)
    _visit(village_user, tekun, data={"findings": {**FINDINGS, "caregiver": "problem"}})
    assert selectors.caregiver_flagged(profile)
    _visit(village_user, tekun, data={"visited_on": "2026-12-06"})
    assert not selectors.caregiver_flagged(profile)


def test_R_GRD_05_interval_is_the_region_parameter(tekun, village_user, monkeypatch):
    assert selectors.interval_days(tekun.region_id, date(2026, 12, 7)) == 30  # 浙江省 file, inherited
    _visit(village_user, tekun, data={"visited_on": "2026-11-20"})

    class Fortnightly:
        def lookup(self, key, as_of):
            assert key == "care.visit_interval_days"
            return 14

    monkeypatch.setattr(selectors, "load_policy", lambda name: Fortnightly())
    assert selectors.intervals([tekun.region_id], date(2026, 12, 7)) == {tekun.region_id: 14}
    assert [e.due for e in selectors.overdue(village_user, date(2026, 12, 7))] == [date(2026, 12, 4)]


def test_placement_transfer_and_roster(caseworker, village_user, outsider, tekun):
    from jiuzhu.apps.care import placements

    dispersed = {"placement": "dispersed", "since": "2026-03-01", "caregiver": "邻居张大妈", "care_fee": "200",
                 "caregiver_duties": "每日探望"}
    p = placements.placement_record(actor=caseworker, enrollment_id=tekun.pk, data=dispersed, now=NOW)
    assert (p.placement, p.caregiver, p.care_fee) == ("dispersed", "邻居张大妈", Decimal("200"))
    with pytest.raises(ValidationFailed) as exc:  # dispersed without an entrusted caregiver
        placements.placement_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW,
                                    data={**dispersed, "caregiver": ""})
    assert exc.value.details["field"] == "caregiver"
    services.capacity_record(actor=caseworker, enrollment_id=tekun.pk, data=CAPACITY, now=NOW)
    guardians.guardian_record(actor=caseworker, enrollment_id=tekun.pk, data=GUARDIAN, now=NOW)
    mental = {"placement": "centralized", "since": "2026-12-06", "institution_kind": "mental_health",
              "institution": "淳安县精神卫生中心"}
    with pytest.raises(ValidationFailed) as exc:  # seed 二(三): with the guardian's consent
        placements.placement_record(actor=caseworker, enrollment_id=tekun.pk, data=mental, now=NOW)
    assert exc.value.details["field"] == "guardian_consent"
    with pytest.raises(ValidationFailed) as exc:  # a transfer between 分散 and 集中 gives its reason
        placements.placement_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW,
                                    data={**mental, "guardian_consent": True})
    assert exc.value.details["field"] == "reason"
    p = placements.placement_record(actor=caseworker, enrollment_id=tekun.pk, now=NOW,
                                    data={**mental, "guardian_consent": True, "reason": "精神障碍，不适合居家"})
    assert p.placement == "centralized" and p.caregiver == "" and p.care_fee is None
    assert p.consent_guardian == GUARDIAN["guardian_name"]
    event = AuditEvent.objects.filter(action="care.transfer").order_by("-id").first()
    assert event.details["transfer"] is True and event.reason == "精神障碍，不适合居家"
    assert event.before_digest and event.after_digest != event.before_digest
    assert [x.pk for x in placements.roster(caseworker, "淳安县精神卫生中心")] == [p.pk]
    assert not placements.roster(outsider, "淳安县精神卫生中心").exists()
    with pytest.raises(Forbidden):
        placements.placement_record(actor=village_user, enrollment_id=tekun.pk, data=dispersed, now=NOW)
    with pytest.raises(NotFound):
        placements.placement_record(actor=outsider, enrollment_id=tekun.pk, data=dispersed, now=NOW)
    with pytest.raises(Conflict):  # centralized: visits are the institution's
        _visit(village_user, tekun)
