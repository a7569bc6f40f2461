"""core.prepared: a query compiled once gives the same rows as its queryset, for any values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.apps.accounts.models import ThrottleHit, User
from jiuzhu.core.prepared import Prepared, PreparedError

pytestmark = pytest.mark.django_db


def _users(region):
    return User.objects.filter(region_id=region).select_related("region").order_by("username")


def test_rows_are_those_of_the_queryset_for_every_value(caseworker, outsider, county_user):
    prepared = Prepared(_users, str)
    for user in (caseworker, outsider, county_user, caseworker):
        rows = prepared.all(user.region_id)
        assert [u.pk for u in rows] == [u.pk for u in _users(user.region_id)] and user in rows
        assert all("region" in u._state.fields_cache for u in rows)  # select_related is kept
    assert prepared.all("nowhere") == [] and prepared.first("nowhere") is None


def test_compiled_once_then_only_the_values_change(caseworker, outsider):
    prepared = Prepared(_users, str)
    with CaptureQueriesContext(connection) as ctx:
        prepared.all(caseworker.region_id)
        prepared.all(outsider.region_id)
    first, second = (q["sql"] for q in ctx.captured_queries)
    assert first.replace(caseworker.region_id, "?") == second.replace(outsider.region_id, "?")


def test_datetimes_and_shapes():
    now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # a fixed instant: no business date from the clock
    for minutes in (1, 5, 30):
        ThrottleHit.objects.create(key="k", at=now - timedelta(minutes=minutes))
    prepared = Prepared(lambda key, since, limit: ThrottleHit.objects.filter(key=key, at__gt=since)
                        .order_by("-at").values_list("at", flat=True)[:limit], str, datetime)
    assert len(prepared.all("k", now - timedelta(minutes=10), shape=(5,))) == 2
    assert len(prepared.all("k", now - timedelta(hours=1), shape=(5,))) == 3
    assert len(prepared.all("k", now - timedelta(hours=1), shape=(1,))) == 1
    assert prepared.all("other", now - timedelta(hours=1), shape=(5,)) == []


def test_a_build_with_hidden_constants_is_refused(caseworker):
    ticks = count()  # a constant that changes between compilations, as a hidden timezone.now() would
    hidden = Prepared(lambda region: User.objects.filter(
        region_id=region, date_joined__lte=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=next(ticks))), str)
    with pytest.raises(PreparedError):
        hidden.all(caseworker.region_id)
    twice = Prepared(lambda region: User.objects.filter(region_id=region).exclude(region_id=region), str)
    with pytest.raises(PreparedError):
        twice.all(caseworker.region_id)
    related = Prepared(lambda region: caseworker.api_tokens.filter(name=region), str)
    with pytest.raises(PreparedError):
        related.all("x")
