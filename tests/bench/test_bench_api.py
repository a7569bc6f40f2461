"""Smoke test of `jiuzhu bench api` (PostgreSQL only): 2 000 cases, 3 measured seconds, JSON contract.

The bench builds its own database (here ``jiuzhu_bench_smoke`` next to the test database, reused by
later runs), serves it with gunicorn and drives it with simulated users.
"""

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
                                 reason="the api bench runs on PostgreSQL only")]
KEYS = {"bench", "cases", "users", "seconds", "requests", "per_second", "p50_ms", "p95_ms", "p99_ms", "baseline",
        "baseline_ms", "ratio", "peak_rss_mb", "engine", "database", "notes"}


@pytest.fixture
def smoke_url():
    """A small bench database next to the test database, kept between runs (the bench reuses it)."""
    cfg = dj_database_url.parse(URL)
    user = f"{cfg['USER']}{':' + cfg['PASSWORD'] if cfg['PASSWORD'] else ''}@" if cfg["USER"] else ""
    return f"postgresql://{user}{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/jiuzhu_bench_smoke"


def test_api_bench_smoke(smoke_url):
    jiuzhu = Path(sys.executable).with_name("jiuzhu")
    done = subprocess.run([str(jiuzhu), "bench", "api", "--cases", "2000", "--users", "20", "--seconds", "3",
                           "--warmup", "1", "--think", "0.2,1", "--workers", "3", "--json", "--database-url", smoke_url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert KEYS <= set(out)
    assert out["bench"] == "api" and out["cases"] == 2000 and out["database"] == "postgresql"
    assert set(out["p95_ms"]) >= {"case_page", "my_tasks"} and out["requests"] > 0
    assert out["status"]["case_page"] == {"200": out["counts"]["case_page"]}
    assert "unexpected statuses" not in out["notes"]
