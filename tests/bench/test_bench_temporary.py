"""`jiuzhu bench temporary` (issue 14 §2): the month-end reconciliation of the 备用金 in one aggregation,
against the per-draw ORM baseline in the same run — at a tiny size in the test database (SQLite, or
PostgreSQL when the suite runs on it), through the command on its own PostgreSQL database, and the
command's refusal of bad sizes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.benchmarks.temporary import run

URL = os.environ.get("JIUZHU_DATABASE_URL", "")
KEYS = {"bench", "townships", "draws_per_township", "draws", "entries", "seconds", "first_seconds", "target_seconds",
        "ok", "reconciled", "baseline", "baseline_seconds", "baseline_agrees", "ratio", "peak_rss_mb", "database"}


@pytest.mark.django_db
def test_tiny_run_in_the_test_database(regions):
    out = run(townships=3, draws=25, repeat=1, in_place=True)
    assert KEYS <= set(out) and out["bench"] == "temporary" and out["townships"] == 3
    assert out["draws"] == 75 and out["reconciled"] is True and out["baseline_agrees"] is True
    assert out["baseline"] == "per-draw-orm" and out["seconds"] > 0 and out["baseline_seconds"] > 0


@pytest.mark.parametrize("args", [["--townships", "0"], ["--townships", "x"], ["--draws", "0"]])
def test_command_refuses_bad_sizes(args):
    with pytest.raises(CommandError) as exc:
        call_command("bench", "temporary", *args)
    assert exc.value.returncode == 2 and args[0] in str(exc.value)


@pytest.mark.slow
@pytest.mark.skipif(not URL.startswith(("postgres://", "postgresql://")), reason="the command's bench runs on PostgreSQL")
def test_command_on_its_postgresql_database():
    cfg = dj_database_url.parse(URL)
    user = f"{cfg['USER']}{':' + cfg['PASSWORD'] if cfg['PASSWORD'] else ''}@" if cfg["USER"] else ""
    url = f"postgresql://{user}{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/jiuzhu_bench_smoke_temporary"
    jiuzhu = Path(sys.executable).with_name("jiuzhu")
    done = subprocess.run([str(jiuzhu), "bench", "temporary", "--townships", "4", "--draws", "60", "--repeat", "2",
                           "--json", "--database-url", url], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert KEYS <= set(out) and out["database"] == "postgresql" and out["draws"] == 240
    assert out["reconciled"] is True and out["baseline_agrees"] is True
