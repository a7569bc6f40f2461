"""The benchmark's own PostgreSQL database: created, migrated and switched to inside the bench process.

The `api` bench never touches the developer's database (SQLite or ``JIUZHU_DATABASE_URL``) nor the
test database: it works in a database whose name starts with ``jiuzhu_bench`` or ends with ``_bench``
(e.g. ``s19a_bench`` for one engineer's copy beside others on a shared server; default
``postgresql://postgres@127.0.0.1:5432/jiuzhu_bench``, or ``JIUZHU_BENCH_DATABASE_URL``, or
``--database-url``), which it may drop and rebuild.
"""

from __future__ import annotations

import os

import dj_database_url
import psycopg
from django.conf import settings
from django.db import connection, connections

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jiuzhu_bench"
NAME_PREFIX = "jiuzhu_bench"
NAME_SUFFIX = "_bench"
META_TABLE = "jiuzhu_bench_meta"


class BenchDatabaseError(ValueError):
    pass


def bench_url(url: str | None) -> str:
    return url or os.environ.get("JIUZHU_BENCH_DATABASE_URL") or DEFAULT_URL


def parse(url: str) -> dict:
    cfg = dj_database_url.parse(url, conn_max_age=0)
    if not cfg["ENGINE"].endswith("postgresql"):
        raise BenchDatabaseError(f"api 基准只支持 PostgreSQL：{url}")
    name = str(cfg["NAME"])
    if not (name.startswith(NAME_PREFIX) or (name.endswith(NAME_SUFFIX) and len(name) > len(NAME_SUFFIX))):
        raise BenchDatabaseError(f"基准数据库名须以 {NAME_PREFIX} 开头或以 {NAME_SUFFIX} 结尾（它会被删除重建）：{name}")
    return cfg


def _admin_conninfo(cfg: dict) -> dict:
    return {k: v for k, v in {"host": cfg.get("HOST") or None, "port": cfg.get("PORT") or None,
                              "user": cfg.get("USER") or None, "password": cfg.get("PASSWORD") or None,
                              "dbname": "postgres"}.items() if v}


def ensure_database(cfg: dict, *, drop: bool = False) -> bool:
    """Create the database if missing (drop it first when ``drop``). Returns True when it was created."""
    name = cfg["NAME"]
    with psycopg.connect(**_admin_conninfo(cfg), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if exists and drop:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def switch_default(cfg: dict) -> None:
    """Point Django's default connection (all threads created afterwards) at the bench database."""
    connections.close_all()
    configured = connections.configure_settings({"default": dict(cfg)})["default"]
    connections.settings["default"] = configured
    settings.DATABASES["default"] = configured
    try:
        del connections["default"]
    except AttributeError:
        pass
    from jiuzhu.apps.workcalendar.selectors import calendar_cache_clear

    calendar_cache_clear()


def meta_read() -> dict:
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value jsonb NOT NULL)")
        cur.execute(f"SELECT key, value FROM {META_TABLE}")
        return {k: v if not isinstance(v, str) else _json(v) for k, v in cur.fetchall()}


def meta_write(values: dict) -> None:
    import json

    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value jsonb NOT NULL)")
        for key, value in values.items():
            cur.execute(f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s::jsonb) "
                        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, json.dumps(value)))


def _json(text):
    import json

    return json.loads(text)


def connection_budget() -> tuple[int, int]:
    """(max_connections, connections in use now) on the server."""
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('max_connections')::int, (SELECT count(*) FROM pg_stat_activity)")
        return cur.fetchone()


def connections_now() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cur.fetchone()[0]


def backend_pids() -> list[int]:
    """PostgreSQL backends connected to the bench database (other than this process's own)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return [r[0] for r in cur.fetchall()]
