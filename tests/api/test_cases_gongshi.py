"""/api/v1/cases with the 社会救助年审 plan 三(2) steps on (issue 20 §2–4): the survey refused without a
驻村干部, the initial review refused until the 民主听证, errors as {code, message, details}."""

from __future__ import annotations

import pytest

from jiuzhu.apps.accounts.services import user_set_resident_cadre
from jiuzhu.apps.synthetic.demo import DEMO_COUNTY
from tests.apps.cases.flow import SURVEY, workflow_setting
from tests.apps.cases.test_gongshi_hearing import HEARING

from .test_cases import clock, demo, ok, pensions, start  # noqa: F401

pytestmark = pytest.mark.django_db


def test_survey_needs_a_resident_cadre_and_review_waits_for_the_hearing(client, demo):
    """由至少2人(其中1人须为驻村干部)…; 核对有预警人员，应组织开展民主听证."""
    workflow_setting(DEMO_COUNTY, application_notice=True, survey_resident_cadre=True, hearing=True)
    user_set_resident_cadre(actor=None, username="township", resident_cadre=True)
    start(client, demo)
    ok(demo("township", "request_verification"))
    ok(demo("county", "record_verification", pensions(demo.household)))  # inconsistent: 核对预警
    case = ok(demo("township", "accept"))
    assert "record_application_objection" in case["allowed_actions"]
    refused = demo("township", "record_survey", SURVEY)
    body = refused.json()
    assert refused.status_code == 422 and body["code"] == "case.resident_cadre_missing"
    assert body["details"]["field"] == "investigator_accounts" and "驻村干部" in body["message"]
    case = ok(demo("township", "record_survey", {**SURVEY, "investigators": ["李经办", "王协理"],
                                                  "investigator_accounts": ["township"]}))
    assert "hold_hearing" in case["allowed_actions"] and "initial_review" not in case["allowed_actions"]
    refused = demo("township", "initial_review", {"opinion": "grant"})
    assert refused.status_code == 409 and refused.json()["code"] == "case.hearing_missing"
    refused = demo("township", "hold_hearing", {"date": "2026-11-01"})
    assert refused.status_code == 422 and refused.json()["details"]["field"]
    # scope: a caseworker of another township gets 404, and the case has no hearing
    outsider = demo("wenchang", "hold_hearing", HEARING)
    assert outsider.status_code == 404 and outsider.json()["code"] == "not_found"
