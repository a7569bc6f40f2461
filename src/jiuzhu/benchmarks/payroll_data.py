"""The payroll benchmark's own PostgreSQL database and population, written in bulk with COPY.

The database (default ``postgresql://postgres@127.0.0.1:5432/jiuzhu_bench_payroll``, or
``JIUZHU_BENCH_PAYROLL_DATABASE_URL``; the name must start with ``jiuzhu_bench``) is created and
migrated on first use; the developer's database and the test databases are never touched. Each
size N gets its own synthetic county (基准县, 10 townships × 10 villages) holding N payable
enrollments (92 % active, 8 % in a graduation period) on N households with SM4-GCM-encrypted bank
accounts, 3 % of them single-person 特困 enrollments paid to the person, plus N/25 enrollments that
must not be paid (suspended, stopped, starting in 2099). A county already built at that size with
the current keys is reused (building 1 000 000 takes a few minutes, mostly encryption).
"""

from __future__ import annotations

import io
import json
import os
import time
from datetime import date, timedelta

import dj_database_url
import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.payments.snapshot import fen_to_decimal_array
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.registry.models import Household, Person
from jiuzhu.apps.synthetic.names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from jiuzhu.core.crypto import keyring
from jiuzhu.rules import idcard

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jiuzhu_bench_payroll"
META = "jiuzhu_bench_meta"
CHUNK = 100_000
BANKS = np.array(["中国农业银行淳安支行", "浙江农商银行", "中国邮政储蓄银行", "中国工商银行", "中国建设银行"])


def bench_config(url: str | None = None) -> dict:
    url = url or os.environ.get("JIUZHU_BENCH_PAYROLL_DATABASE_URL") or DEFAULT_URL
    cfg = dj_database_url.parse(url, conn_max_age=0)
    if not cfg["ENGINE"].endswith("postgresql"):
        raise ValueError(f"payroll 基准只在 PostgreSQL 上运行：{url}")
    if not str(cfg["NAME"]).startswith("jiuzhu_bench"):
        raise ValueError(f"基准数据库名须以 jiuzhu_bench 开头：{cfg['NAME']}")
    return cfg


def use_bench_database(cfg: dict) -> None:
    """Create the database if missing, point Django's default connection at it, migrate."""
    conninfo = {k: v for k, v in {"host": cfg.get("HOST"), "port": cfg.get("PORT"), "user": cfg.get("USER"),
                                  "password": cfg.get("PASSWORD"), "dbname": "postgres"}.items() if v}
    with psycopg.connect(**conninfo, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (cfg["NAME"],)).fetchone() is None:
            admin.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    connections.close_all()
    configured = connections.configure_settings({"default": dict(cfg)})["default"]
    connections.settings["default"] = configured
    settings.DATABASES["default"] = configured
    try:
        del connections["default"]
    except AttributeError:
        pass
    call_command("migrate", verbosity=0, interactive=False)


def meta_get(key: str):
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {META} (key text PRIMARY KEY, value jsonb NOT NULL)")
        cur.execute(f"SELECT value FROM {META} WHERE key = %s", (key,))
        row = cur.fetchone()
    return (json.loads(row[0]) if isinstance(row[0], str) else row[0]) if row else None


def meta_set(key: str, value) -> None:
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {META} (key, value) VALUES (%s, %s::jsonb) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, json.dumps(value)))


def copy_table(table: str, data: pa.Table) -> None:
    buf = io.BytesIO()
    pacsv.write_csv(data, buf, write_options=pacsv.WriteOptions(include_header=False, batch_size=65536))
    view = buf.getbuffer()
    with connection.cursor() as cur, cur.cursor.copy(
            f"COPY {table} ({', '.join(data.column_names)}) FROM STDIN (FORMAT csv)") as copy:
        for start in range(0, len(view), 1 << 20):
            copy.write(view[start:start + (1 << 20)])


def _regions(county: str, index: int) -> list[str]:
    rows = [("330000000000", "浙江省", 1, None), ("330100000000", "杭州市", 2, "330000000000"),
            (county, f"基准县{index}", 3, "330100000000")]
    villages = []
    for t in range(10):
        town = f"{county[:6]}1{t:02d}000"
        rows.append((town, f"基准{index}镇{t}", 4, county))
        for v in range(10):
            villages.append(f"{town[:9]}2{v:02d}")
            rows.append((villages[-1], f"基准{index}镇{t}村{v}", 5, town))
    existing = set(Region.objects.filter(code__in=[r[0] for r in rows]).values_list("code", flat=True))
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p, full_name=n)
                                for c, n, lv, p in rows if c not in existing])
    return villages


def _names(rng, n: int) -> np.ndarray:
    pool = np.array([s + a + b for s in SURNAMES[:60] for a in (GIVEN_MALE + GIVEN_FEMALE)[:40:3]
                     for b in ("", "华", "英", "明")])
    return pool[rng.integers(0, len(pool), n)]


def _next_ids() -> tuple[int, int, int]:
    with connection.cursor() as cur:
        out = []
        for model in (Household, Enrollment, Person):
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
            out.append(cur.fetchone()[0] + 1)
    return tuple(out)


def _reset_sequences():
    with connection.cursor() as cur:
        for model in (Household, Enrollment, Person):
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT GREATEST(MAX(id), 1) FROM {table}))")


def _chunk(rng, villages: np.ndarray, start: int, size: int, payable: bool, ids: tuple[int, int, int], now) -> None:
    """``size`` households and their enrollments (payable or not), ids from ``ids`` + ``start``."""
    ring = keyring()
    h0, e0, p0 = ids
    hid = np.arange(h0 + start, h0 + start + size, dtype=np.int64)
    region = villages[rng.integers(0, len(villages), size)]
    names = _names(rng, size)
    members = rng.integers(1, 6, size).astype(np.int32)
    accounts = [f"62{x:017d}" for x in rng.integers(10**15, 10**17, size)]
    tekun = rng.random(size) < 0.03
    person_ids = np.full(size, -1, dtype=np.int64)
    if payable and tekun.any():
        count = int(tekun.sum())
        pid = np.arange(p0, p0 + count, dtype=np.int64)
        person_ids[tekun] = pid
        base = date(1930, 1, 1)
        numbers = [idcard.make("330127", base + timedelta(days=int(i) // 1000), int(i) % 1000) for i in pid]
        copy_table(Person._meta.db_table, pa.table({
            "id": pid, "name": names[tekun], "id_number_enc": [ring.encrypt(x, purpose="id_number") for x in numbers],
            "id_number_bidx": [ring.blind_index(x, purpose="id_number") for x in numbers],
            "id_number_masked": [idcard.mask(x) for x in numbers],
            "birth_date": [base + timedelta(days=int(i) // 1000) for i in pid], "sex": pa.repeat("F", count),
            "phone_enc": pa.repeat("", count), "phone_masked": pa.repeat("", count),
            "hukou_region_id": region[tekun], "disability_kind": pa.repeat("none", count),
            "disability_grade": pa.repeat(0, count), "health": pa.repeat("healthy", count),
            "employment": pa.repeat("none", count), "wage": pa.repeat(0, count), "business": pa.repeat(0, count),
            "property_income": pa.repeat(0, count), "transfer": pa.repeat(0, count),
            "created_at": pa.repeat(now, count), "updated_at": pa.repeat(now, count)}))
    else:
        tekun[:] = False
    head = pa.array(np.where(person_ids >= 0, person_ids, 0), mask=person_ids < 0)
    copy_table(Household._meta.db_table, pa.table({
        "id": hid, "region_id": region, "residence_region_id": region, "area_type": pa.repeat("rural", size),
        "address": pa.repeat("", size), "head_id": head, "head_name": names, "member_count": members,
        "bank_account_enc": [ring.encrypt(a, purpose="bank_account") for a in accounts],
        "bank_account_masked": [idcard.mask(a) for a in accounts],
        "bank_name": BANKS[rng.integers(0, len(BANKS), size)], "financial_assets": pa.repeat(0, size),
        "vehicle_count": pa.repeat(0, size), "max_vehicle_value": pa.repeat(0, size),
        "residential_properties": pa.repeat(1, size), "business_capital": pa.repeat(0, size),
        "version": pa.repeat(1, size), "created_at": pa.repeat(now, size), "updated_at": pa.repeat(now, size)}))
    if payable:
        graduating = rng.random(size) < 0.08
        status = np.where(graduating, "graduating", "active")
        until = pa.array([date(2099, 12, 1)] * size, mask=~graduating)
        stopped = pa.nulls(size, pa.date32())
        years, months = rng.integers(0, 6, size), rng.integers(1, 13, size)
        start_month = [date(2020 + int(y), int(m), 1) for y, m in zip(years, months)]
    else:
        kind = rng.integers(0, 3, size)
        status = np.array(["suspended", "stopped", "active"])[kind]
        until = pa.nulls(size, pa.date32())
        stopped = pa.array([date(2020, 1, 1)] * size, mask=kind != 1)
        start_month = [date(2099, 1, 1) if k == 2 else date(2020, 1, 1) for k in kind]
    copy_table(Enrollment._meta.db_table, pa.table({
        "id": np.arange(e0 + start, e0 + start + size, dtype=np.int64),
        "program": np.where(tekun, "tekun", "dibao"), "household_id": hid,
        "person_id": head, "region_id": region, "klass": np.array(["A", "B", "C", "D"])[rng.integers(0, 4, size)],
        "amount": fen_to_decimal_array(rng.integers(20_000, 150_000, size)),
        "persons": np.where(tekun, 1, members).astype(np.int32), "start_month": start_month, "status": status,
        "graduating_until": until, "next_recheck": pa.repeat(date(2099, 1, 1), size),
        "decided_on": pa.repeat(date(2019, 12, 20), size), "stopped_month": stopped, "version": pa.repeat(1, size),
        "created_at": pa.repeat(now, size), "updated_at": pa.repeat(now, size)}))


def ensure_population(n: int, progress=print) -> dict:
    """The county holding ``n`` payable enrollments (built once, then reused)."""
    key = f"payroll_population:{n}"
    found = meta_get(key)
    ring = keyring()
    if found:
        try:
            ok = ring.decrypt(found["check"], purpose="bench_check") == "jiuzhu-bench"
        except Exception:  # noqa: BLE001 — another key ring: rebuild under a new county
            ok = False
        if ok and Enrollment.objects.filter(region_id__gte=found["county"][:6] + "000000",
                                     region_id__lte=found["county"][:6] + "999999").count() == found["enrollments"]:
            return {**found, "reused": True, "build_seconds": 0.0}
    counties = meta_get("payroll_counties") or []
    index = len(counties)
    if index >= 10:
        raise ValueError("基准库中已有 10 个基准县，请删除 jiuzhu_bench_payroll 数据库后重试")
    county = f"3301{90 + index}000000"
    started = time.perf_counter()
    villages = np.array(_regions(county, index))
    rng = np.random.default_rng(n)
    now = timezone.now()
    extra = n // 25
    ids = _next_ids()
    for start in range(0, n + extra, CHUNK):
        size = min(CHUNK, n + extra - start)
        payable_size = max(0, min(size, n - start))
        if payable_size:
            _chunk(rng, villages, start, payable_size, True, (ids[0], ids[1], ids[2] + start), now)
        if size > payable_size:
            _chunk(rng, villages, start + payable_size, size - payable_size, False, ids, now)
        progress(f"基准数据：{min(start + size, n + extra)}/{n + extra}")
    _reset_sequences()
    with connection.cursor() as cur:  # settle the new rows (hint bits, visibility map) as in a live database
        cur.execute(f"VACUUM (ANALYZE) {Household._meta.db_table}, {Enrollment._meta.db_table}, "
                    f"{Person._meta.db_table}, {Region._meta.db_table}")
    for username in ("bench_maker", "bench_checker"):
        User.objects.get_or_create(username=f"{username}_{county[:6]}",
                                   defaults={"role": Role.COUNTY, "region_id": county, "display_name": username})
    info = {"county": county, "enrollments": n + extra, "payable": n, "check": ring.encrypt("jiuzhu-bench", purpose="bench_check")}
    meta_set(key, info)
    meta_set("payroll_counties", counties + [county])
    return {**info, "reused": False, "build_seconds": round(time.perf_counter() - started, 1)}
