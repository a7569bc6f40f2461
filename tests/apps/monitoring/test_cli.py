"""`jiuzhu monitor scan|alerts`: JSON on the last line, Chinese errors with exit code 2."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.apps.monitoring.models import Alert, MonitorScan
from tests.conftest import TOWNSHIP_A

from .conftest import EXPECTED


def _run(*args) -> str:
    out = StringIO()
    call_command("monitor", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_scan_json_then_rescan_adds_nothing(snapshots):
    first = json.loads(_run("scan", "--region", TOWNSHIP_A, "--as-of", "2026-11-20", "--json", "--no-progress")
                       .strip().splitlines()[-1])
    assert first["created"] == len(EXPECTED) and first["population"] == 5 and first["engine"] == "duckdb"
    again = json.loads(_run("scan", "--region", TOWNSHIP_A, "--as-of", "2026-11-20", "--json", "--no-progress")
                       .strip().splitlines()[-1])
    assert again["created"] == 0 and Alert.objects.count() == len(EXPECTED)
    listed = json.loads(_run("alerts", "--region", TOWNSHIP_A, "--type", "unemployment", "--json").splitlines()[-1])
    assert {a["person"] for a in listed["alerts"]} == {"李秀英", "刘六"}
    text = _run("alerts", "--region", TOWNSHIP_A)
    assert "大额自付医疗费用" in text and "待处置" in text


@pytest.mark.parametrize("args, text", [
    (["scan", "--region", "330127999000"], "不存在"),
    (["scan", "--region", TOWNSHIP_A, "--as-of", "2026-13-01"], "格式错误"),
    (["scan", "--region", TOWNSHIP_A, "--engine", "oracle"], "计算引擎"),
])
def test_bad_input_exits_2_with_chinese_message(snapshots, args, text):
    with pytest.raises(CommandError) as err:
        _run(*args, "--no-progress")
    assert err.value.returncode == 2 and text in str(err.value)
    assert not MonitorScan.objects.exists() and not Alert.objects.exists()
