"""The SQL statements of the API's busiest requests (``jiuzhu bench api``: the case page, my tasks, an
action), counted exactly: a change that adds a query to one of them fails here. The caller's token was
used a moment ago (its ``last_used_at`` is fresh, as under load)."""

from __future__ import annotations

import pytest
from django.db import connection

from .test_cases import clock, demo, start  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
AUTH = 2  # bad tokens from this address (throttle), then the token with its user
# the case with applicant and region, its deadlines, the guards of the allowed actions (the records they
# check, the record kinds, the staff relatives of the recusal guard), its timeline with actors
CASE_PAGE = AUTH + 6
MY_TASKS = AUTH + 2  # the page of ids from the task index, then those cases with applicant and region
# request_verification: savepoint, lock (case with applicant), guards (records, record kinds, staff
# relatives), event, record, calendar stamp, meet deadlines, create two, read them back, case update, audit
# (chain, then event and head: one statement on PostgreSQL, two on SQLite), release; then the response's
# timeline (the allowed actions reuse what was read)
ACTION = AUTH + 17


@pytest.fixture
def submitted(client, demo):  # noqa: F811
    start(client, demo)
    demo.get("township")  # the token's last use is now
    return demo


def test_case_page_queries(submitted, django_assert_num_queries):
    with django_assert_num_queries(CASE_PAGE):
        response = submitted.get("township")
    assert response.status_code == 200 and response.json()["allowed_actions"]


def test_my_tasks_queries(client, submitted, django_assert_num_queries):
    with django_assert_num_queries(MY_TASKS):
        response = client.get("/api/v1/tasks", **submitted.headers["township"])
    assert response.status_code == 200 and [i["id"] for i in response.json()["items"]] == [submitted.case_id]


def test_action_queries(submitted, django_assert_num_queries):
    with django_assert_num_queries(ACTION + (connection.vendor != "postgresql")):
        response = submitted("township", "request_verification", days=0)
    assert response.status_code == 200 and response.json()["state"] == "verifying"
