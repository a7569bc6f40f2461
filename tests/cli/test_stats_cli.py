"""``jiuzhu stats compute``: one month or a range, idempotent, JSON lines, Chinese errors with exit 2."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.apps.stats.models import StatFact
from tests.apps.stats.conftest import stats_world  # noqa: F401  (fixture)
from tests.conftest import COUNTY

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("stats", "compute", *args, "--no-progress", stdout=out)
    return out.getvalue().splitlines()


def test_compute_a_range_of_months_as_json_lines(stats_world):  # noqa: F811
    # when
    lines = run("--region", COUNTY, "--from", "2026-09", "--month", "2026-11", "--json")
    # then one line per month, the facts stored, and a second run gives the same rows
    results = [json.loads(line) for line in lines]
    assert [r["month"] for r in results] == ["2026-09", "2026-10", "2026-11"]
    assert StatFact.objects.filter(month__year=2026, month__month=11).count() == results[-1]["rows"] > 0
    again = [json.loads(line) for line in run("--region", COUNTY, "--month", "2026-11", "--json")]
    assert again[0]["rows"] == results[-1]["rows"]


@pytest.mark.parametrize("args, words", [
    (("--region", COUNTY, "--month", "2026-13"), ("month", "YYYY-MM")),
    (("--region", COUNTY, "--month", "2026-11", "--from", "11/2026"), ("from", "YYYY-MM")),
    (("--region", COUNTY, "--month", "2026-10", "--from", "2026-11"), ("--from",)),
    (("--region", "999", "--month", "2026-11"), ("区划",)),
    (("--region", COUNTY, "--month", "2026-11", "--user", "nobody"), ("--user",)),
])
def test_bad_input_exits_2_with_a_chinese_message(stats_world, args, words):  # noqa: F811
    with pytest.raises(CommandError) as err:
        run(*args)
    assert err.value.returncode == 2 and all(w in str(err.value) for w in words)
    assert not StatFact.objects.exists()
