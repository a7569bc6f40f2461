"""`jiuzhu reserve`: the county allocates to a township's 备用金 and lists balances (R-TA-07)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.apps.reserve.models import ReserveFund
from tests.conftest import TOWNSHIP_A, VILLAGE_A

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("reserve", *args, stdout=out)
    return out.getvalue()


def test_allocate_and_list(county_user):
    assert "余额 500.00" in run("allocate", "--township", TOWNSHIP_A, "--amount", "500", "--user", county_user.username)
    rows = {r["code"]: r for r in json.loads(run("balances", "--user", county_user.username, "--json"))}
    assert rows[TOWNSHIP_A]["balance"] == "500.00" and rows[TOWNSHIP_A]["reconciled"] is True


def test_bad_input_exits_2_and_writes_nothing(county_user, caseworker):
    for args in (["--township", VILLAGE_A, "--amount", "5", "--user", county_user.username],
                 ["--township", TOWNSHIP_A, "--amount", "-5", "--user", county_user.username],
                 ["--township", TOWNSHIP_A, "--amount", "5", "--user", caseworker.username]):
        with pytest.raises(CommandError) as exc:
            run("allocate", *args)
        assert exc.value.returncode == 2
    assert not ReserveFund.objects.exists()


def test_month_reconciliation_and_bad_month(county_user):
    run("allocate", "--township", TOWNSHIP_A, "--amount", "500", "--user", county_user.username)
    month = f"{ReserveFund.objects.get().updated_at:%Y-%m}"
    rows = {r["code"]: r for r in json.loads(run("month", "--month", month, "--user", county_user.username, "--json"))}
    assert rows[TOWNSHIP_A]["allocated"] == "500.00" and rows[TOWNSHIP_A]["closing"] == "500.00"
    assert rows[TOWNSHIP_A]["matched"] is True
    with pytest.raises(CommandError) as exc:
        run("month", "--month", "2026-13", "--user", county_user.username)
    assert exc.value.returncode == 2 and "对账月份" in str(exc.value)
