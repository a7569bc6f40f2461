"""`jiuzhu backup` / `jiuzhu restore` (issue 18 §2): a restore drill on the database under test (SQLite:
online backup API; PostgreSQL: pg_dump -Fc into a separate database created and dropped here), and bad
input refused with a Chinese message, exit 2 and nothing changed."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jiuzhu.apps.audit.anchors import audit_anchor, sign
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.backup import engines
from jiuzhu.apps.backup.services import MANIFEST
from tests.apps.audit.test_anchors import _cut_tail
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads committed data from its own session

JIUZHU = str(Path(sys.executable).parent / "jiuzhu")
TOWNSHIP_A, TOWNSHIP_B = "330127100201", "330127101202"


@dataclass
class Target:
    """An empty database to restore into, reached by the real binary through JIUZHU_DATABASE_URL."""

    url: str
    env: dict

    def run(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run([JIUZHU, *args], env=self.env, capture_output=True, text=True, timeout=300)

    def counts(self) -> dict[str, int]:
        if self.url.startswith("sqlite:"):
            path = Path(self.url.removeprefix("sqlite:///").replace("sqlite://", ""))
            if not path.exists():
                return {}
            with closing(sqlite3.connect(path)) as db:
                cur = db.cursor()
                return engines._inventory(cur, engines._sqlite_tables(cur))[0]
        import psycopg

        with psycopg.connect(self.url) as db, db.cursor() as cur:
            return engines._inventory(cur, engines._pg_tables(cur))[0]


def _pg_admin(sql: str):
    import psycopg

    sd = connection.settings_dict
    with psycopg.connect(host=sd["HOST"] or None, port=sd["PORT"] or None, user=sd["USER"] or None,
                         password=sd["PASSWORD"] or None, dbname="postgres", autocommit=True) as db:
        db.execute(sql)


@pytest.fixture
def anchors(tmp_path, settings):
    settings.JIUZHU_AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"
    return settings.JIUZHU_AUDIT_ANCHOR_DIR


@pytest.fixture
def target(tmp_path, anchors):
    env = {k: v for k, v in os.environ.items() if k not in ("JIUZHU_TEST_DB_NAME",)}
    env.update(DJANGO_SETTINGS_MODULE="jiuzhu.settings.test", JIUZHU_VAR_DIR=str(tmp_path / "var"),
               JIUZHU_AUDIT_ANCHOR_DIR=str(anchors))
    if connection.vendor == "sqlite":
        env["JIUZHU_DATABASE_URL"] = url = f"sqlite:///{tmp_path / 'restored' / 'jiuzhu.sqlite3'}"
        yield Target(url, env)
        return
    sd = connection.settings_dict
    name = f"{sd['NAME']}_restore"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    auth = sd["USER"] + (f":{sd['PASSWORD']}" if sd["PASSWORD"] else "")
    env["JIUZHU_DATABASE_URL"] = url = f"postgresql://{auth}@{sd['HOST'] or '127.0.0.1'}:{sd['PORT'] or 5432}/{name}"
    try:
        yield Target(url, env)
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def world(anchors, regions, caseworker, outsider):
    """Users, regions and audit events in two townships and the region-less chain, anchored."""
    for i in range(4):
        audit_record(actor=caseworker, action="test.a", subject_type="thing", subject_id=i, region_code=TOWNSHIP_A)
    audit_record(actor=outsider, action="test.b", subject_type="thing", subject_id=1, region_code=TOWNSHIP_B)
    audit_anchor()


def backup(*args) -> tuple[Path, dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", *args, stdout=out, stderr=err)
    directory = Path(out.getvalue().split("已备份到 ", 1)[1].split("（", 1)[0])
    return directory, json.loads((directory / MANIFEST).read_text()), err.getvalue()


def test_restore_drill(world, tmp_path, target):
    # given a database with data, audit chains and an anchor
    before = engines.live_inventory()
    # when it is backed up, with the keys copied elsewhere
    directory, manifest, err = backup("--out", str(tmp_path / "backups"), "--with-keys", str(tmp_path / "offline"))
    # then the backup holds the dump and a manifest describing exactly it — and no key file
    dump = directory / engines.DUMP_NAMES[connection.vendor]
    assert sorted(p.name for p in directory.iterdir()) == sorted([dump.name, MANIFEST])
    assert (manifest["format"], manifest["engine"]) == (1, connection.vendor)
    assert (manifest["tables"], manifest["audit_heads"]) == before
    assert manifest["tables"]["accounts_user"] == 2 and manifest["tables"]["audit_auditevent"] >= 6
    assert len(manifest["sha256"]) == 64 and len(manifest["mac"]) == 64 and manifest["created_at"]
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600 and stat.S_IMODE(directory.stat().st_mode) == 0o700
    keys = list((tmp_path / "offline").iterdir())
    assert len(keys) == 1 and stat.S_IMODE(keys[0].stat().st_mode) == 0o600
    assert json.loads(keys[0].read_text())["blind_index_key"] and "警告" in err and "离线" in err
    # when it is restored into an empty database by the real binary
    proc = target.run("restore", str(directory))
    # then it exits 0 after checking counts, chain heads and the audit log (anchor included)
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert "恢复后校验通过" in proc.stdout and "Traceback" not in proc.stderr
    assert target.counts() == before[0]
    verified = target.run("audit", "verify")
    assert verified.returncode == 0 and "1 个锚点文件相符" in verified.stdout
    # and restoring again into the (now non-empty) database is refused, changing nothing
    again = target.run("restore", str(directory))
    assert again.returncode == 2 and "不是空库" in again.stderr and "Traceback" not in again.stderr
    assert target.counts() == before[0]


def test_restore_runs_audit_verify_against_older_anchors(world, tmp_path, target):
    # given a log cut behind the triggers after it was anchored, then backed up (the dump is consistent
    # with itself, its manifest too)
    _cut_tail("330127100", keep_seq=2)
    directory, manifest, _ = backup("--out", str(tmp_path / "backups"))
    # when restored, then the anchor signed before the backup exposes the cut: exit 1, chain and seq named
    proc = target.run("restore", str(directory))
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "审计日志校验未通过" in proc.stdout and "哈希链=330127100 序号=4" in proc.stdout


def _tamper(directory: Path, case: str):
    manifest_path = directory / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    dump = directory / manifest["dump"]
    if case == "no manifest":
        manifest_path.unlink()
        return "没有 manifest.json"
    if case == "dump tampered":
        data = bytearray(dump.read_bytes())
        data[len(data) // 2] ^= 0xFF
        dump.write_bytes(bytes(data))
        return "SHA-256 与清单不符"
    if case == "dump missing":
        dump.unlink()
        return "缺少数据库备份文件"
    if case == "manifest edited":
        manifest["tables"]["accounts_user"] += 1
        manifest_path.write_text(json.dumps(manifest))
        return "签名不符"
    if case == "manifest garbage":
        manifest_path.write_bytes(b"\x00\xff{not json")
        return "不是有效的备份清单"
    if case == "other engine":
        body = {k: v for k, v in manifest.items() if k not in ("mac", "key_id")}
        body["engine"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
        manifest_path.write_text(json.dumps(sign(body)))
        return "不能恢复"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["no manifest", "dump tampered", "dump missing", "manifest edited",
                                  "manifest garbage", "other engine"])
def test_bad_backup_is_refused_and_nothing_changes(world, tmp_path, target, case):
    # given a backup that is incomplete, damaged or tampered with
    directory, _, _ = backup("--out", str(tmp_path / "backups"))
    needle = _tamper(directory, case)
    before = target.counts()
    # when restored into an empty database
    proc = target.run("restore", str(directory))
    # then exit 2 with a Chinese message naming the problem, no traceback, and the database untouched
    assert proc.returncode == 2, (case, proc.stdout, proc.stderr)
    assert needle in proc.stderr and "未作任何改动" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert target.counts() == before


def test_restore_into_the_database_in_use_is_refused_in_process(world, tmp_path):
    # given a good backup and the (non-empty) database under test
    directory, _, _ = backup("--out", str(tmp_path / "backups"))
    before = engines.live_inventory()
    # when restored into it
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(directory), stdout=io.StringIO())
    # then it is refused with exit 2 and nothing changed
    assert exc.value.returncode == 2 and ("不是空库" in str(exc.value) or "内存数据库" in str(exc.value))
    assert engines.live_inventory() == before


def test_restore_from_a_missing_directory(tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(tmp_path / "nowhere"), stdout=io.StringIO())
    assert exc.value.returncode == 2 and "不存在" in str(exc.value)


def test_keys_next_to_the_backup_are_refused(world, tmp_path):
    # when the key copy would land in the backup directory's parent, then exit 2 and no key file there
    with pytest.raises(CommandError) as exc:
        backup("--out", str(tmp_path / "backups"), "--with-keys", str(tmp_path / "backups" / "keys"))
    assert exc.value.returncode == 2 and "密钥不能与数据库备份放在同一目录" in str(exc.value)
    assert not (tmp_path / "backups" / "keys").exists()


def test_keep_prunes_older_backups(world, tmp_path):
    # given three backups, when a fourth keeps 2, then only the two newest remain
    made = [backup("--out", str(tmp_path / "backups"))[0] for _ in range(3)]
    out = io.StringIO()
    call_command("backup", "--out", str(tmp_path / "backups"), "--keep", "2", stdout=out)
    remaining = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(remaining) == 2 and made[0].name not in remaining and made[1].name not in remaining
    assert "已删除旧备份" in out.getvalue()
    with pytest.raises(CommandError) as exc:
        call_command("backup", "--out", str(tmp_path / "backups"), "--keep", "-1", stdout=io.StringIO())
    assert exc.value.returncode == 2
