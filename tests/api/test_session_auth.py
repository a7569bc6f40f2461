"""The API accepts the logged-in web session as well as a token (the case page calls it), CSRF-safe:
a session POST without the CSRF token is refused (403 ``csrf_failed``) and changes nothing; with the
token it works; a Bearer token needs no CSRF token; anonymous is 401; a deactivated user's session is 401."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.registry.models import Household
from jiuzhu.apps.registry.services import household_create
from tests.apps.cases.flow import submit
from tests.bad_files import CHINESE
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db
CSRF_SECRET = "b2" * 16


@pytest.fixture
def case(caseworker, household_data):
    household = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    return submit(caseworker, household, day=date(2026, 12, 3))


@pytest.fixture
def browser(caseworker):
    """The caseworker's browser: logged in, CSRF checks enforced as in production."""
    c = Client(enforce_csrf_checks=True)
    c.force_login(caseworker)
    return c


def action_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/actions/request_verification"


def test_session_get_works_without_csrf(browser, case):
    response = browser.get(f"/api/v1/cases/{case.pk}")
    assert response.status_code == 200 and response.json()["id"] == str(case.pk)


def test_session_post_without_csrf_token_is_refused_and_changes_nothing(browser, case):
    before = (Case.objects.get(pk=case.pk).state, Case.objects.get(pk=case.pk).version, AuditEvent.objects.count())
    # no token at all, then a cookie without the header, then a wrong header
    browser.cookies["csrftoken"] = CSRF_SECRET
    for headers in ({}, {"HTTP_X_CSRFTOKEN": "c3" * 16}):
        response = browser.post(action_url(case), data={}, content_type="application/json", **headers)
        assert response.status_code == 403, response.content
        body = response.json()
        assert body["code"] == "csrf_failed" and "X-CSRFToken" in body["message"] and CHINESE.search(body["message"])
    del browser.cookies["csrftoken"]
    assert browser.post(action_url(case), data={}, content_type="application/json").status_code == 403
    after = (Case.objects.get(pk=case.pk).state, Case.objects.get(pk=case.pk).version, AuditEvent.objects.count())
    assert after == before


def test_session_post_with_the_csrf_token_acts(browser, case):
    browser.cookies["csrftoken"] = CSRF_SECRET
    response = browser.post(action_url(case), data={}, content_type="application/json",
                            HTTP_X_CSRFTOKEN=CSRF_SECRET)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "verifying"


def test_a_bearer_token_needs_no_csrf_token(bearer, caseworker, case, household_data):
    c = Client(enforce_csrf_checks=True)
    response = c.post(action_url(case), data={}, content_type="application/json", **bearer(caseworker))
    assert response.status_code == 200 and response.json()["state"] == "verifying"
    # creating through the API with a token as well
    created = c.post("/api/v1/households", data=household_data(), content_type="application/json",
                     **bearer(caseworker))
    assert created.status_code == 201 and isinstance(created.json()["id"], str)


def test_anonymous_and_deactivated_sessions_are_401(caseworker, case):
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post(action_url(case), data={}, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"  # never a CSRF message
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(caseworker)
    caseworker.is_active = False
    caseworker.save()
    assert browser.get(f"/api/v1/cases/{case.pk}").status_code == 401


def test_session_scope_is_the_users(outsider, case):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(outsider)
    browser.cookies["csrftoken"] = CSRF_SECRET
    assert browser.get(f"/api/v1/cases/{case.pk}").status_code == 404
    response = browser.post(action_url(case), data={}, content_type="application/json", HTTP_X_CSRFTOKEN=CSRF_SECRET)
    assert response.status_code == 404 and Household.objects.count() == 1
