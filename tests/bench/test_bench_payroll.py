"""Smoke test of `jiuzhu bench payroll` (PostgreSQL only) at 300 households: the JSON contract with the
median of the runs, wall and CPU per stage, the bank file's lines and the per-row ORM baseline."""

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
                                 reason="the payroll bench runs on PostgreSQL only")]
STAGES = {"snapshot_read", "duckdb_compute", "copy_lines", "commit_and_constraints", "approve", "export_read",
          "export_decrypt_write"}


def test_payroll_bench_smoke():
    cfg = dj_database_url.parse(URL)
    user = f"{cfg['USER']}{':' + cfg['PASSWORD'] if cfg['PASSWORD'] else ''}@" if cfg["USER"] else ""
    url = os.environ.get("JIUZHU_BENCH_PAYROLL_SMOKE_URL") or (
        f"postgresql://{user}{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/jiuzhu_bench_smoke_payroll")
    jiuzhu = Path(sys.executable).with_name("jiuzhu")
    done = subprocess.run([str(jiuzhu), "bench", "payroll", "--households", "300", "--repeat", "2", "--json"],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "JIUZHU_BENCH_PAYROLL_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["bench"] == "payroll" and out["lines"] == 300 and len(out["runs"]) == 2
    assert out["seconds"] in out["runs"] and out["baseline"] == "django-orm-per-row" and out["ratio"] > 1
    assert set(out["stages"]) == set(out["stages_cpu"]) == STAGES
    assert all(v >= 0 for v in out["stages_cpu"].values()) and out["cpu_seconds"] > 0
