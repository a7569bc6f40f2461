"""``jiuzhu bench payroll --households N --json``: a month's payroll for N active enrollments on PostgreSQL.

Timed end to end, as an operator runs it: ``payroll_prepare`` (Arrow snapshot via COPY → Ibis/DuckDB
→ lines written with COPY, committed with every constraint checked), ``payroll_approve`` (another
user) and ``payroll_export`` (the CSV bank file in the default layout, accounts decrypted). The
baseline is the same batch done per row with the Django ORM (:mod:`.payroll_orm`) on a sample of
enrollments, scaled linearly. Decryption is also measured on its own (µs per account, one core).

Works in its own database (:mod:`.payroll_data`), never the developer's or the test databases; the
payroll tables of that database are emptied before each run and bank files go to a temporary
directory that is removed afterwards. Each run is one full month; ``--repeat`` (at most 3, default 3)
runs it that many times on the same data and reports the median run, with the CPU of each stage.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.payments.crypto_pool import digests, open_chunk
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.payments.services import payroll_approve, payroll_export, payroll_prepare
from jiuzhu.apps.registry.models import Household
from jiuzhu.core.crypto import keyring

from .common import peak_rss_mb
from .payroll_data import bench_config, ensure_population, use_bench_database
from .payroll_orm import orm_payroll

SAMPLE = 2000


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _empty_payroll_tables() -> None:
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {PaymentLine._meta.db_table}, {PayrollBatch._meta.db_table} RESTART IDENTITY")


def _in_county(county: str) -> dict:
    return {"region_id__gte": county[:6] + "000000", "region_id__lte": county[:6] + "999999"}


def _sample_ids(county: str, size: int) -> list[int]:
    ids = list(Enrollment.objects.filter(**_in_county(county)).order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // size)
    return ids[::step][:size]


def _decrypt_cost(county: str, size: int = 100_000) -> tuple[float, float]:
    """(µs per account to decrypt, µs per account for the reconciliation digest), one core."""
    tokens = list(Household.objects.filter(**_in_county(county)).order_by("pk")
                  .values_list("bank_account_enc", flat=True)[:size])
    ring = keyring()
    started = time.process_time()
    plain, _ = open_chunk(tokens, ring.keys, None)
    opened = time.process_time()
    digests(plain, ring.blind_index_key)
    done = time.process_time()
    n = max(len(tokens), 1)
    return (opened - started) / n * 1e6, (done - opened) / n * 1e6


def _server_counters(before: dict | None = None) -> dict:
    """WAL written and checkpoints started on the server (absolute, or since ``before``)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn, checkpoints_timed + checkpoints_req, "
                    "current_setting('shared_buffers'), current_setting('max_wal_size') FROM pg_stat_bgwriter")
        wal, checkpoints, shared_buffers, max_wal = cur.fetchone()
    now = {"wal_bytes": int(wal), "checkpoints": int(checkpoints)}
    if before is None:
        return now
    return {"wal_mb": (now["wal_bytes"] - before["wal_bytes"]) >> 20,
            "checkpoints": now["checkpoints"] - before["checkpoints"],
            "shared_buffers": shared_buffers, "max_wal_size": max_wal}


def _clock() -> tuple[float, float]:
    """(wall, CPU of this process and of its finished children — the bank-file workers)."""
    t = os.times()
    return time.perf_counter(), t.user + t.system + t.children_user + t.children_system


class _Stages:
    def __init__(self):
        self.seen: dict[str, list[tuple[float, float]]] = {}

    def __call__(self, stage: str, done: int, total: int):
        now = _clock()
        self.seen.setdefault(stage, [now, now])[1] = now


def _one_month(*, county: str, month: date, maker, checker, households: int, files: Path) -> dict:
    """One timed month: prepare, approve, export (the payroll tables emptied first)."""
    _empty_payroll_tables()
    with connection.cursor() as cur:
        cur.execute("CHECKPOINT")
    gc.collect()
    settings.JIUZHU_FILES_DIR = files / f"run{time.monotonic_ns()}"
    stages = _Stages()
    server_before = _server_counters()
    t0 = _clock()
    batch = payroll_prepare(actor=maker, region_code=county, month=month, now=timezone.now(), progress=stages)
    t1 = _clock()
    payroll_approve(actor=checker, batch_id=batch.pk, now=timezone.now())
    t2 = _clock()
    batch, path = payroll_export(actor=maker, batch_id=batch.pk, now=timezone.now(), progress=stages)
    t3 = _clock()
    server = _server_counters(server_before)
    lines = batch.totals["lines"]
    with open(path, "rb") as fh:
        written = sum(1 for _ in fh) - 1
    if written != lines or lines != households:
        raise RuntimeError(f"bank file has {written} rows, batch {lines} lines, expected {households}")
    s = stages.seen
    marks = [("snapshot_read", s["读取在保对象"][0], s["计算发放明细"][0]),
             ("duckdb_compute", s["计算发放明细"][0], s["写入发放明细"][0]),
             ("copy_lines", s["写入发放明细"][0], s["写入发放明细"][1]),
             ("commit_and_constraints", s["写入发放明细"][1], t1), ("approve", t1, t2),
             ("export_read", t2, s["写银行文件"][0]), ("export_decrypt_write", s["写银行文件"][0], t3)]
    return {"seconds": round(t3[0] - t0[0], 2), "cpu_seconds": round(t3[1] - t0[1], 2),
            "stages": {name: round(end[0] - start[0], 2) for name, start, end in marks},
            "stages_cpu": {name: round(end[1] - start[1], 2) for name, start, end in marks},
            "server": server, "lines": lines, "amount": str(batch.total_amount)}


def run(*, households: int, repeat: int = 3, database_url: str | None = None, sample: int = SAMPLE) -> dict:
    cfg = bench_config(database_url)
    use_bench_database(cfg)
    population = ensure_population(households, progress=_say)
    county = population["county"]
    _say(f"基准县 {county}：{households} 个应发在保对象（{'复用已有数据' if population['reused'] else '新建数据'}）")
    maker = User.objects.get(username=f"bench_maker_{county[:6]}")
    checker = User.objects.get(username=f"bench_checker_{county[:6]}")
    files = Path(tempfile.mkdtemp(prefix="jiuzhu-bench-payroll-"))
    old_files, settings.JIUZHU_FILES_DIR = settings.JIUZHU_FILES_DIR, files
    today = timezone.localdate()
    month = date(today.year, today.month, 1)
    try:
        _empty_payroll_tables()
        ids = _sample_ids(county, sample)
        started = time.perf_counter()
        orm_lines = orm_payroll(region_code=county, month=month, enrollment_ids=ids, maker=maker, checker=checker,
                                now=timezone.now(), out_path=files / "orm.csv")
        orm_seconds = time.perf_counter() - started
        _say(f"逐行 ORM 基线：{orm_lines} 笔 {orm_seconds:.2f} 秒")
        decrypt_us, digest_us = _decrypt_cost(county)
        runs = []
        for i in range(max(1, min(repeat, 3))):
            runs.append(_one_month(county=county, month=month, maker=maker, checker=checker,
                                   households=households, files=files))
            _say(f"第 {i + 1} 次：{runs[-1]['seconds']} 秒（CPU {runs[-1]['cpu_seconds']} 秒）")
    finally:
        settings.JIUZHU_FILES_DIR = old_files
        shutil.rmtree(files, ignore_errors=True)

    middle = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    seconds, lines = middle["seconds"], middle["lines"]
    baseline_seconds = orm_seconds * lines / max(orm_lines, 1)
    built = "reused" if population["reused"] else f"built in {population['build_seconds']} s"
    return {
        "bench": "payroll", "households": households, "seconds": seconds, "runs": [r["seconds"] for r in runs],
        "per_second": round(lines / seconds), "baseline": "django-orm-per-row",
        "baseline_seconds": round(baseline_seconds, 1), "ratio": round(baseline_seconds / seconds, 1),
        "peak_rss_mb": peak_rss_mb(), "engine": "duckdb", "database": "postgresql",
        "lines": lines, "amount": middle["amount"], "stages": middle["stages"], "stages_cpu": middle["stages_cpu"],
        "cpu_seconds": middle["cpu_seconds"], "server": middle["server"],
        "decrypt_us_per_account": round(decrypt_us, 2), "digest_us_per_account": round(digest_us, 2),
        "notes": (
            f"seconds = the median of {len(runs)} runs (runs) of payroll_prepare + payroll_approve + payroll_export "
            f"(default CSV layout, accounts decrypted on {os.cpu_count()} cores) end to end, one month, {lines} "
            f"lines; stages, stages_cpu and server are the median run's; stages_cpu is the CPU of this process and "
            "its bank-file workers per stage (the database server's CPU is not included; workers count when "
            f"they exit, at the end of the export); baseline measured per row with the Django ORM on a sample "
            f"of {orm_lines} enrollments ({orm_seconds:.2f} s) and scaled linearly; data {built}"
            f" (county {county}); decrypt_us and digest_us are CPU µs per account on one core; peak_rss_mb is "
            "the bench process (data generation included when built in this run); the account-decryption "
            "worker processes hold one 100 000-account chunk each"),
    }
