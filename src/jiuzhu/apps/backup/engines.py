"""Engine-specific parts of backup and restore: SQLite through its online backup API, PostgreSQL through
``pg_dump -Fc`` / ``pg_restore``; whether a database is empty; row counts and audit chain heads."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.db import connection, transaction

from jiuzhu.rules.errors import DomainError

DUMP_NAMES = {"sqlite": "db.sqlite3", "postgresql": "db.pgdump"}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
HEADS_TABLE = "audit_auditchain"


def vendor() -> str:
    if connection.vendor not in DUMP_NAMES:
        raise DomainError("backup.engine", f"不支持备份 {connection.vendor} 数据库（仅支持 SQLite 和 PostgreSQL）")
    return connection.vendor


# --- inventory: row counts per table and the audit chain heads, read with a DB-API cursor ---

def _inventory(cur, tables: list[str]) -> tuple[dict[str, int], list[dict]]:
    counts = {}
    for table in sorted(tables):
        cur.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = int(cur.fetchone()[0])
    heads = []
    if HEADS_TABLE in tables:
        cur.execute(f'SELECT chain, seq, hash FROM "{HEADS_TABLE}" WHERE seq > 0 ORDER BY chain')
        heads = [{"chain": c, "seq": int(s), "hash": h} for c, s, h in cur.fetchall()]
    return counts, heads


def _sqlite_tables(cur) -> list[str]:
    cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [r[0] for r in cur.fetchall()]


def _pg_tables(cur) -> list[str]:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [r[0] for r in cur.fetchall()]


def live_inventory() -> tuple[dict[str, int], list[dict]]:
    """Row counts and chain heads of the configured database (after a restore)."""
    with connection.cursor() as cur:
        return _inventory(cur, _sqlite_tables(cur) if connection.vendor == "sqlite" else _pg_tables(cur))


# --- dump ---

def dump(dest: Path) -> tuple[dict[str, int], list[dict]]:
    """Write a consistent copy of the database to ``dest``; returns the row counts and chain heads of
    exactly that copy."""
    if vendor() == "sqlite":
        return _sqlite_dump(dest)
    return _pg_dump(dest)


def _sqlite_dump(dest: Path) -> tuple[dict[str, int], list[dict]]:
    connection.ensure_connection()
    with closing(sqlite3.connect(dest)) as target:
        connection.connection.backup(target)  # the online backup API: a consistent page copy
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    with closing(sqlite3.connect(f"file:{dest}?mode=ro", uri=True)) as copy:
        cur = copy.cursor()
        return _inventory(cur, _sqlite_tables(cur))


def _pg_args() -> tuple[list[str], dict]:
    sd = connection.settings_dict
    args, env = [], dict(os.environ)
    if sd.get("HOST"):
        args += ["-h", str(sd["HOST"])]
    if sd.get("PORT"):
        args += ["-p", str(sd["PORT"])]
    if sd.get("USER"):
        args += ["-U", str(sd["USER"])]
    if sd.get("PASSWORD"):
        env["PGPASSWORD"] = str(sd["PASSWORD"])
    if (sd.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sd["OPTIONS"]["sslmode"])
    return [*args, "--dbname", str(sd["NAME"])], env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DomainError("backup.no_pg_tools", f"找不到 {name}：请安装 PostgreSQL 客户端（Debian 软件包 postgresql-client）")
    return path


def _run(argv: list[str], env: dict, what: str) -> None:
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)  # noqa: S603 — argv is pg_dump/pg_restore with our own options
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise DomainError(f"backup.{what}", f"{what} 失败：" + "；".join(detail))


def _pg_dump(dest: Path) -> tuple[dict[str, int], list[dict]]:
    """pg_dump in the snapshot of a read-only repeatable-read transaction in which the rows are also
    counted: the counts and heads describe exactly what was dumped, even while users keep working."""
    if connection.in_atomic_block:
        raise DomainError("backup.in_transaction", "备份不能在事务中进行")
    args, env = _pg_args()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        _run([_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--file", str(dest), *args], env, "pg_dump")
        return _inventory(cur, _pg_tables(cur))


# --- restore ---

def existing_tables() -> list[str]:
    """Tables already in the configured database (an empty list: nothing there, restore may proceed)."""
    if vendor() == "sqlite":
        path = sqlite_target()
        if not path.exists():
            return []
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return _sqlite_tables(db.cursor())
    with connection.cursor() as cur:
        cur.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
        return [r[0] for r in cur.fetchall()]


def sqlite_target() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise DomainError("restore.memory_db", "当前数据库是内存数据库，无法恢复到其中：请设置 JIUZHU_DATABASE_URL 指向数据库文件")
    return Path(name)


def restore(dump_path: Path) -> None:
    """Load ``dump_path`` into the (empty) configured database."""
    if vendor() == "sqlite":
        target = sqlite_target()
        connection.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(f"file:{dump_path}?mode=ro", uri=True)) as src, \
                closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        return
    args, env = _pg_args()
    _run([_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
          *args, str(dump_path)], env, "pg_restore")
