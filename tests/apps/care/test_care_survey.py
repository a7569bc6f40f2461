"""摸底排查 (issue 16 §2): the campaign covers every enrolled tekun person of the township at once
(set-based, idempotent), a line is recorded after the visit (audited), progress by village, bad
input refused naming the field with nothing written, another township can neither see nor write."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.care import survey, survey_read
from jiuzhu.apps.care.models import SurveyItem
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

from .conftest import NOW

pytestmark = pytest.mark.django_db

LINE = {"visited_on": "2026-12-07", "visitor_name": "协理员小王", "capacity": "none", "capacity_cause": "mental",
        "living": "alone", "care_wish": "centralized", "institution_kind": "mental_health", "caregiver": "侄子王小明",
        "caregiver_phone": "13800000000", "notes": ""}


def _stopped(tekun) -> Enrollment:
    return Enrollment.objects.create(program="tekun", household=tekun.household, person=tekun.person,
                                     region_id=tekun.region_id, klass="", amount=Decimal("900.00"), persons=1,
                                     start_month=date(2025, 1, 1), status="stopped", stopped_month=date(2026, 1, 1),
                                     next_recheck=date(2027, 1, 1), decided_on=date(2024, 12, 20))


def test_campaign_covers_every_live_tekun_person_once(caseworker, tekun):
    _stopped(tekun)  # a stopped enrollment is not surveyed
    campaign, added = survey.survey_start(actor=caseworker, region_code=TOWNSHIP_A, year=2026, now=NOW)
    assert added == 1 and campaign.items_created == 1
    item = SurveyItem.objects.get()
    assert (item.enrollment_id, item.region_id, item.done) == (tekun.pk, tekun.region_id, False)
    assert campaign.due == NOW.date() + timedelta(days=survey.DEFAULT_DAYS)
    again, added = survey.survey_start(actor=caseworker, region_code=TOWNSHIP_A, year=2026, now=NOW)
    assert again.pk == campaign.pk and added == 0 and SurveyItem.objects.count() == 1
    assert AuditEvent.objects.filter(action="care.survey_start").count() == 2


def test_line_recorded_audited_and_progress_by_village(caseworker, village_user, tekun):
    campaign, _ = survey.survey_start(actor=caseworker, region_code=TOWNSHIP_A, year=2026, now=NOW)
    before = survey_read.progress(actor=caseworker, campaign=campaign)
    assert (before["total"]["total"], before["total"]["done"], before["complete"]) == (1, 0, False)
    item = survey.survey_record(actor=village_user, campaign_id=campaign.pk, enrollment_id=tekun.pk, data=LINE,
                                now=NOW)
    assert (item.done, item.capacity, item.care_wish, item.caregiver) == (True, "none", "centralized", "侄子王小明")
    assert item.visitor == village_user
    event = AuditEvent.objects.get(action="care.survey_item")
    assert event.details["enrollment"] == tekun.pk and event.region_code == tekun.region_id
    after = survey_read.progress(actor=caseworker, campaign=campaign)
    village = after["townships"][0]["villages"][0]
    assert (village["code"], village["done"], village["percent"]) == (tekun.region_id, 1, 100.0)
    assert after["complete"] is True
    # a correction is another audited write
    survey.survey_record(actor=village_user, campaign_id=campaign.pk, enrollment_id=tekun.pk, now=NOW,
                         data={**LINE, "care_wish": "dispersed", "institution_kind": ""})
    assert SurveyItem.objects.get().care_wish == "dispersed"
    assert AuditEvent.objects.filter(action="care.survey_item").count() == 2


@pytest.mark.parametrize("bad, field, words", [
    ({"visited_on": "2026-12-08"}, "visited_on", "晚于今天"),
    ({"visited_on": "2026-12-06"}, "visited_on", "早于摸底排查启动日期"),
    ({"visited_on": "12/07/2026"}, "visited_on", "日期格式"),
    ({"capacity_cause": ""}, "capacity_cause", "须注明原因"),
    ({"institution_kind": ""}, "institution_kind", "意向机构类型"),
    ({"care_wish": "home"}, "care_wish", "照料护理意愿"),
    ({"visitor_name": ""}, "visitor_name", "走访人"),
])
def test_bad_line_refused_naming_the_field(caseworker, village_user, tekun, bad, field, words):
    campaign, _ = survey.survey_start(actor=caseworker, region_code=TOWNSHIP_A, year=2026, now=NOW)
    with pytest.raises(ValidationFailed) as exc:
        survey.survey_record(actor=village_user, campaign_id=campaign.pk, enrollment_id=tekun.pk,
                             data={**LINE, **bad}, now=NOW)
    errors = exc.value.details.get("errors") or [{"field": exc.value.details["field"], "message": exc.value.message}]
    assert errors[0]["field"].split(".")[0] == field and words in errors[0]["message"]
    assert not SurveyItem.objects.filter(done=True).exists()
    assert not AuditEvent.objects.filter(action="care.survey_item").exists()


def test_unknown_person_and_other_township_refused(caseworker, village_user, outsider, tekun):
    campaign, _ = survey.survey_start(actor=caseworker, region_code=TOWNSHIP_A, year=2026, now=NOW)
    for enrollment_id in (tekun.pk + 999, "abc", -1):
        with pytest.raises(NotFound, match="不在本次摸底排查名单中"):
            survey.survey_record(actor=village_user, campaign_id=campaign.pk, enrollment_id=enrollment_id, data=LINE,
                                 now=NOW)
    with pytest.raises(NotFound):  # the outsider's township: cannot write, start or see
        survey.survey_record(actor=outsider, campaign_id=campaign.pk, enrollment_id=tekun.pk, data=LINE, now=NOW)
    with pytest.raises(NotFound):
        survey.survey_start(actor=outsider, region_code=TOWNSHIP_A, year=2026, now=NOW)
    with pytest.raises(NotFound):
        survey_read.campaign_get(actor=outsider, campaign_id=campaign.pk)
    with pytest.raises(NotFound):
        survey.survey_close(actor=outsider, campaign_id=campaign.pk, now=NOW)
    assert survey_read.campaigns_visible(outsider) == []
    own, added = survey.survey_start(actor=outsider, region_code=TOWNSHIP_B, year=2026, now=NOW)
    assert added == 0 and survey_read.progress(actor=outsider, campaign=own)["total"]["total"] == 0
    with pytest.raises(Forbidden):  # a village assistant records lines, does not start campaigns
        survey.survey_start(actor=village_user, region_code=TOWNSHIP_A, year=2027, now=NOW)
    assert [c.pk for c in survey_read.campaigns_visible(village_user)] == [campaign.pk]  # the one above
    assert not SurveyItem.objects.filter(done=True).exists()


def test_start_refuses_bad_region_and_year_and_closed_campaign(caseworker, village_user, tekun):
    for region, field in (("12345", "region"), ("330127100201", "region")):  # not a code; a village
        with pytest.raises(ValidationFailed) as exc:
            survey.survey_start(actor=caseworker, region_code=region, year=2026, now=NOW)
        assert exc.value.details["field"] == field
    with pytest.raises(ValidationFailed) as exc:
        survey.survey_start(actor=caseworker, region_code=TOWNSHIP_A, year="明年", now=NOW)
    assert exc.value.details["field"] == "year"
    campaign, _ = survey.survey_start(actor=caseworker, region_code=TOWNSHIP_A, year=2026, now=NOW)
    survey.survey_close(actor=caseworker, campaign_id=campaign.pk, now=NOW)
    with pytest.raises(Conflict):
        survey.survey_record(actor=village_user, campaign_id=campaign.pk, enrollment_id=tekun.pk, data=LINE, now=NOW)
    with pytest.raises(Conflict):
        survey.survey_start(actor=caseworker, region_code=TOWNSHIP_A, year=2026, now=NOW)
    assert AuditEvent.objects.filter(action="care.survey_close").count() == 1
