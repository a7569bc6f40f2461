"""Smoke test of `jiuzhu bench stats` (PostgreSQL only): 2 000 enrollments and 24 000 payroll lines,
the JSON contract, the return balanced with the ledger and the naive baseline agreeing to the fen."""

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
                                 reason="the stats bench runs on PostgreSQL only")]
KEYS = {"bench", "enrollments", "payroll_lines", "seconds", "first_seconds", "cpu_seconds", "target_seconds", "ok",
        "ledger_balanced", "paid_total", "pdf_seconds", "baseline", "baseline_seconds", "baseline_agrees", "ratio",
        "peak_rss_mb", "load_average", "engine", "database", "notes"}


def test_stats_bench_smoke():
    cfg = dj_database_url.parse(URL)
    user = f"{cfg['USER']}{':' + cfg['PASSWORD'] if cfg['PASSWORD'] else ''}@" if cfg["USER"] else ""
    url = f"postgresql://{user}{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/jiuzhu_bench_smoke_stats"
    jiuzhu = Path(sys.executable).with_name("jiuzhu")
    done = subprocess.run([str(jiuzhu), "bench", "stats", "--enrollments", "2000", "--repeat", "2", "--json",
                           "--database-url", url], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert KEYS <= set(out)
    assert out["bench"] == "stats" and out["database"] == "postgresql" and out["payroll_lines"] == 12 * 2000
    assert out["ledger_balanced"] is True and out["baseline_agrees"] is True


def test_stats_bench_needs_enrollments():
    jiuzhu = Path(sys.executable).with_name("jiuzhu")
    done = subprocess.run([str(jiuzhu), "bench", "stats", "--enrollments", "10"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "--enrollments" in done.stderr
