"""Smoke test of `jiuzhu bench visits` (PostgreSQL only): 500 tekun persons, the JSON contract, the
set-based schedule and overdue list equal to the per-person baseline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

URL = os.environ.get("JIUZHU_DATABASE_URL", "")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not URL.startswith(("postgres://", "postgresql://")),
                                 reason="the visits bench runs on PostgreSQL only")]
KEYS = {"bench", "persons", "visits", "schedule_rows", "overdue_rows", "seconds", "target_seconds", "ok",
        "baseline", "baseline_seconds", "baseline_agrees", "ratio", "database"}


def test_visits_bench_smoke():
    cfg = dj_database_url.parse(URL)
    user = f"{cfg['USER']}{':' + cfg['PASSWORD'] if cfg['PASSWORD'] else ''}@" if cfg["USER"] else ""
    url = f"postgresql://{user}{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/jiuzhu_bench_smoke_visits"
    jiuzhu = Path(sys.executable).with_name("jiuzhu")
    done = subprocess.run([str(jiuzhu), "bench", "visits", "--persons", "500", "--repeat", "2", "--json",
                           "--database-url", url], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert KEYS <= set(out)
    assert out["bench"] == "visits" and out["persons"] == 500 and out["database"] == "postgresql"
    assert out["baseline_agrees"] is True and out["overdue_rows"] > 0 and out["schedule_rows"] >= out["overdue_rows"]


def test_visits_bench_needs_persons():
    jiuzhu = Path(sys.executable).with_name("jiuzhu")
    done = subprocess.run([str(jiuzhu), "bench", "visits", "--persons", "10"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "--persons" in done.stderr
