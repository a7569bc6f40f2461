"""The recognition's own steps are on the API like every case action (/api/cases/{id}/actions/…):
bad input is a 422 naming the field in Chinese and changes nothing; another township gets 404."""

from django.utils import timezone

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.lowincome.services import lowincome_start

from .conftest import post_json

INTAKE = {"id_checked": True, "authorization_signed": True}


def test_assess_lowincome_refuses_a_negative_expenditure_and_changes_nothing(client, bearer, caseworker, outsider,
                                                                            household):
    case = lowincome_start(actor=caseworker, household_id=household.pk, applicant_id=household.head_id,
                           source="application", payload=INTAKE, now=timezone.now())
    Case.objects.filter(pk=case.pk).update(state="surveyed")  # the opinion's form, whatever the state
    resp = post_json(client, f"/api/v1/cases/{case.pk}/actions/assess_lowincome", {"medical": "-5"},
                     bearer(caseworker))
    assert resp.status_code == 422
    body = resp.json()
    assert body["details"]["field"] == "medical" and "医疗" in body["message"]
    case.refresh_from_db()
    assert case.state == "surveyed" and not case.records.filter(kind="review").exists()
    resp = post_json(client, f"/api/v1/cases/{case.pk}/actions/assess_lowincome", {}, bearer(outsider))
    assert resp.status_code == 404


def test_recognize_before_the_opinion_is_refused_with_the_state(client, bearer, caseworker, reviewer, household):
    case = lowincome_start(actor=caseworker, household_id=household.pk, applicant_id=household.head_id,
                           source="referral", source_note="县医保局推送：大病医疗自付费用高", payload=INTAKE,
                           now=timezone.now())
    resp = post_json(client, f"/api/v1/cases/{case.pk}/actions/recognize", {}, bearer(reviewer))
    assert resp.status_code == 409 and "已提交" in resp.json()["message"]
