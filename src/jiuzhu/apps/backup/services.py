"""Backup and restore with a signed manifest.

A backup is a directory ``jiuzhu-<engine>-<UTC time>/`` holding the dump (``db.sqlite3`` or
``db.pgdump``) and ``manifest.json``: format version, engine, creation time, the dump's SHA-256 and
size, row counts per table and the audit chain heads of exactly what was dumped, signed with HMAC-SM3
under the active audit key. The key file is never part of it (``--with-keys`` copies it elsewhere).

Restore goes into an empty database only. Everything that can be checked beforehand is (manifest,
signature, engine, SHA-256, emptiness): any failure there changes nothing. After loading, the row
counts and chain heads must equal the manifest and ``audit_verify`` must pass (anchors signed after the
backup are not held against it).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiuzhu.apps.audit.anchors import sign, signature_ok
from jiuzhu.apps.audit.services import audit_record, audit_verify
from jiuzhu.core.audit_keys import key_material
from jiuzhu.core.crypto import KeyError_
from jiuzhu.rules.errors import DomainError

from . import engines

KIND = "jiuzhu-backup"
FORMAT = 1
MANIFEST = "manifest.json"
DIR_PATTERN = re.compile(r"^jiuzhu-(sqlite|postgresql)-\d{8}T\d{6}Z(-\d+)?$")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _new_dir(parent: Path, engine: str, at: datetime) -> Path:
    parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    base = f"jiuzhu-{engine}-{at:%Y%m%dT%H%M%SZ}"
    for n in range(100):
        path = parent / (base if n == 0 else f"{base}-{n}")
        try:
            path.mkdir(mode=0o700)
            return path
        except FileExistsError:
            continue
    raise DomainError("backup.dir", f"无法在 {parent} 中新建备份目录")


def _applied_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return latest


def backup_create(*, out: Path | None = None, at: datetime | None = None) -> tuple[Path, dict]:
    """Dump the database into a new backup directory under ``out`` (default JIUZHU_BACKUP_DIR) and
    write its signed manifest last (a directory without one is an unfinished backup)."""
    engine = engines.vendor()
    at = (at or datetime.now(UTC)).astimezone(UTC)
    directory = _new_dir(Path(out or settings.JIUZHU_BACKUP_DIR), engine, at)
    dump_path = directory / engines.DUMP_NAMES[engine]
    try:
        tables, heads = engines.dump(dump_path)
        os.chmod(dump_path, 0o600)
        manifest = sign({
            "kind": KIND, "format": FORMAT, "engine": engine, "created_at": at.isoformat(),
            "dump": dump_path.name, "sha256": sha256_file(dump_path), "size": dump_path.stat().st_size,
            "tables": tables, "audit_heads": heads, "migrations": _applied_migrations(),
        })
        tmp = directory / (MANIFEST + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, directory / MANIFEST)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    audit_record(actor=None, action="backup.create", subject_type="backup", subject_id=directory.name,
                 details={"engine": engine, "sha256": manifest["sha256"], "size": manifest["size"],
                          "tables": len(tables)})
    return directory, manifest


def backup_prune(parent: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` complete backups (directories named by ``backup_create``
    holding a manifest) in ``parent``; returns the removed ones."""
    def age(path: Path):  # time in the name, then the same-second counter
        stamp, _, n = path.name.split("-", 2)[2].partition("-")
        return stamp, int(n or 0)

    backups = sorted((p for p in parent.iterdir()
                      if p.is_dir() and DIR_PATTERN.match(p.name) and (p / MANIFEST).exists()), key=age)
    doomed = backups[:-keep] if keep > 0 else []
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def keys_copy(dest: Path, *, backup_dir: Path, at: datetime | None = None) -> Path:
    """Copy the key material (key file or JIUZHU_KEYS) to ``dest``, which must not be in the backup."""
    dest = dest.resolve()
    parent = backup_dir.resolve().parent
    if dest == parent or dest.is_relative_to(parent):
        raise DomainError("backup.keys_beside_dump",
                          f"密钥不能与数据库备份放在同一目录（{parent}）：请指定另外的位置（如离线介质）", field="with_keys")
    material = key_material()
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    at = (at or datetime.now(UTC)).astimezone(UTC)
    path = dest / f"jiuzhu-keys-{at:%Y%m%dT%H%M%SZ}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(material, fh, indent=2)
    return path


# --- restore ---

def _refuse(code: str, message: str) -> DomainError:
    return DomainError(f"restore.{code}", message + "；未作任何改动")


def manifest_read(directory: Path) -> dict:
    """The backup's manifest, checked: present, well-formed, signed with a known audit key, for this
    database engine, and the dump's SHA-256 as recorded."""
    if not directory.is_dir():
        raise _refuse("no_dir", f"备份目录 {directory} 不存在")
    path = directory / MANIFEST
    if not path.is_file():
        raise _refuse("no_manifest", f"备份目录 {directory} 中没有 {MANIFEST}（不是完整的备份）")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        ok = (manifest.get("kind") == KIND and isinstance(manifest.get("tables"), dict)
              and isinstance(manifest.get("audit_heads"), list) and isinstance(manifest.get("key_id"), str))
        datetime.fromisoformat(manifest["created_at"])
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise _refuse("bad_manifest", f"{path} 不是有效的备份清单（格式被破坏）")
    if manifest.get("format") != FORMAT:
        raise _refuse("format", f"备份清单格式版本 {manifest.get('format')} 不受支持（本程序为 {FORMAT}）")
    try:
        signed = signature_ok(manifest)
    except KeyError_:
        raise _refuse("unknown_key", f"备份清单的签名密钥 {manifest['key_id']} 不在当前密钥文件中："
                                     "请先放回备份时的密钥文件（jiuzhu backup --with-keys 保存的副本）") from None
    if not signed:
        raise _refuse("bad_signature", f"备份清单 {path} 签名不符（清单被改动）")
    engine = engines.vendor()
    if manifest.get("engine") != engine:
        raise _refuse("engine", f"备份来自 {engines.ENGINE_LABELS.get(manifest.get('engine'), manifest.get('engine'))} 数据库，"
                                f"当前数据库是 {engines.ENGINE_LABELS[engine]}：不能恢复")
    dump_path = directory / str(manifest.get("dump", ""))
    if manifest.get("dump") != engines.DUMP_NAMES[engine] or not dump_path.is_file():
        raise _refuse("no_dump", f"备份目录 {directory} 中缺少数据库备份文件 {engines.DUMP_NAMES[engine]}")
    if sha256_file(dump_path) != manifest.get("sha256"):
        raise _refuse("sha256", f"备份文件 {dump_path.name} 的 SHA-256 与清单不符（文件损坏或被篡改）")
    return manifest


@dataclass
class RestoreReport:
    manifest: dict
    problems: list[str] = field(default_factory=list)
    events_checked: int = 0
    needs_migrate: bool = False


def backup_restore(*, directory: Path) -> RestoreReport:
    """Restore a backup into the configured database, which must be empty; then check it."""
    manifest = manifest_read(directory)
    tables = engines.existing_tables()
    if tables:
        raise _refuse("not_empty", f"目标数据库不是空库（已有 {len(tables)} 张表，如 {tables[0]}）："
                                   "恢复只能写入空数据库，请新建一个空库后再试")
    engines.restore(directory / manifest["dump"])
    report = RestoreReport(manifest=manifest)
    counts, heads = engines.live_inventory()
    for table, expected in sorted(manifest["tables"].items()):
        if counts.get(table) != expected:
            report.problems.append(f"表 {table} 的行数为 {counts.get(table, '（缺失）')}，清单为 {expected}")
    if heads != manifest["audit_heads"]:
        report.problems.append("审计日志链头与清单不符")
    intact, broken, checked = audit_verify(anchors_until=datetime.fromisoformat(manifest["created_at"]))
    report.events_checked = checked
    if not intact:
        report.problems.append(f"审计日志校验未通过：哈希链={broken['chain'] or '（无区划）'} 序号={broken['seq']}："
                               f"{broken['problem']}")
    executor = MigrationExecutor(connection)
    report.needs_migrate = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    return report
