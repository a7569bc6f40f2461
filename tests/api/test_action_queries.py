"""The number of SQL statements one API action costs (the bench's action p95 depends on it).

A budget, not an exact count: a change that adds a query per deadline or per guard shows up here."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .test_cases import clock, demo, start  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
# 21: the recusal guard (staff near relatives, issue 15 §4) reads the household's register entries once per action
BUDGET = int(os.environ.get("JIUZHU_ACTION_QUERY_BUDGET", 21))


def test_an_action_costs_a_bounded_number_of_queries(client, demo):  # noqa: F811
    start(client, demo)
    assert demo("township", "request_verification").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = demo("county", "record_verification", {"items": [], "conclusion": "consistent", "note": "一致"})
    assert response.status_code == 200, response.json()
    if os.environ.get("JIUZHU_SHOW_QUERIES"):
        for q in ctx.captured_queries:
            print(q["sql"][:200])
    assert len(ctx.captured_queries) <= BUDGET, len(ctx.captured_queries)
