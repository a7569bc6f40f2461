"""On PostgreSQL the month's payment lines are read on a second connection, in parallel with the
enrollments: the inputs, and the return built from them, are the same as read on one connection."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.stats import readers
from jiuzhu.apps.stats.monthly_return import build_return
from jiuzhu.batch import stats
from tests.conftest import COUNTY
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

from .conftest import NOV

TODAY = date(2026, 12, 7)
pytestmark = [pytest.mark.django_db(transaction=True),  # the second connection sees committed rows only
              pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel reads are for PostgreSQL")]


def test_lines_read_on_a_second_connection_are_the_same_inputs(stats_world, settings):
    low, high = subtree_range(COUNTY)
    cut = stats.cutoff(NOV, TODAY)
    # given the inputs read on one connection
    settings.JIUZHU_STATS_PARALLEL_READS = False
    serial = readers.read_inputs(low, high, NOV, cut)
    # when they are read with the lines on a second connection
    settings.JIUZHU_STATS_PARALLEL_READS = True
    parallel = readers.read_inputs(low, high, NOV, cut)
    # then every input is identical, the lines included, and the return still balances to the fen
    assert parallel["lines"].num_rows > 0 and set(parallel) == set(serial)
    for name, table in serial.items():
        assert parallel[name].equals(table), name
    data = build_return(region_code=COUNTY, month=NOV, today=TODAY)
    assert data.balanced and data.tables[1].rows[-1][8] > 0
