"""The statistics' background jobs: registered with the jobs app, the daily refresh scheduled, and
the refresh computing this month and the previous one for every county."""

from __future__ import annotations

import pytest

from jiuzhu.apps.jobs.registry import job_kind
from jiuzhu.apps.jobs.schedule import schedules
from jiuzhu.apps.jobs.services import job_enqueue
from jiuzhu.apps.stats.models import StatFact
from tests.conftest import TOWNSHIP_A
from tests.jobs_helpers import run_jobs

from .conftest import DEC, NOV, NOW

pytestmark = pytest.mark.django_db


def test_kinds_and_daily_schedule_are_registered():
    assert job_kind("stats.compute") is not None and job_kind("stats.refresh") is not None
    assert schedules()["stats.refresh"].cadence == "daily"


def test_scheduled_refresh_computes_this_and_last_month(stats_world):
    # given the refresh queued as the scheduler does (the period's date in the params)
    job_enqueue(kind="stats.refresh", key="stats.refresh:2026-12-07", params={"date": "2026-12-07"}, now=NOW)
    # when a worker runs it
    assert run_jobs() == 1
    # then November and December have facts, and nothing else
    months = set(StatFact.objects.values_list("month", flat=True))
    assert months == {NOV, DEC}
    assert StatFact.objects.filter(month=NOV, region=TOWNSHIP_A, metric="paid.amount").exists()
