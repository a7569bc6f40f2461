"""Importing a department file as a dated snapshot (``jiuzhu data ingest``).

Order: the columns are checked first (a wrong header is refused with the columns named and nothing
is stored); then every row is validated (bad rows are kept as rejects with reasons, the rest go
in); ID numbers are replaced by their blind index (HMAC-SM3) and never written; the snapshot and
the rejects are Parquet files under ``JIUZHU_FILES_DIR/verification``. The same file imported again
for the same source and date changes nothing.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow.compute as pc
from django.db import IntegrityError, transaction

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.batch import ingest as batch
from jiuzhu.batch.datasets import DATASETS, check_columns
from jiuzhu.core.crypto import keyring
from jiuzhu.rules.errors import Forbidden, ValidationFailed

from .files import files_root, relative
from .models import DataSource, Snapshot

MAX_FILE_BYTES = 2 * 1024 ** 3  # a province's department extract; larger files go in parts


@dataclass(frozen=True)
class IngestResult:
    snapshot: Snapshot
    rows: int
    rejects: int
    already: bool  # the same file was imported before for this source and date: nothing changed
    seconds: float
    index_seconds: float  # of which blind-indexing the ID numbers


def sources_sync() -> None:
    """Keep the DataSource rows in step with the declared datasets (new source, renamed, new version)."""
    for ds in DATASETS.values():
        DataSource.objects.update_or_create(code=ds.code, defaults={"name": ds.name, "department": ds.department,
                                                                    "schema_version": ds.version})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _indexer(values: list[str]) -> list[str]:
    return keyring().blind_index_many(values, purpose="id_number")


def data_ingest_check(*, actor, source: str, path):
    """The cheap checks of ``data_ingest`` (role, source, the file's kind and header): a web upload runs
    them before it queues the import as a background job. Returns (dataset, column check)."""
    if actor is not None and not can(actor, "data.ingest"):
        raise Forbidden("data.role", "只有县民政（核对机构）或系统管理员可以导入部门数据")
    dataset = DATASETS.get(source)
    if dataset is None:
        raise ValidationFailed("data.source_unknown", f"未知的数据来源“{source}”，可选：" + "、".join(
            f"{d.code}（{d.name}）" for d in DATASETS.values()), field="source")
    path = Path(path)
    if not path.is_file():
        raise ValidationFailed("data.file_missing", f"文件不存在：{path}", field="file")
    try:
        batch.check_file(path, limit=MAX_FILE_BYTES)
        headers = batch.read_header(path)
    except batch.FileUnreadable as exc:
        raise ValidationFailed("data.file_unreadable", str(exc), field="file") from None
    check = check_columns(dataset, headers)
    if not check.ok:
        raise ValidationFailed("data.columns", check.message(dataset), field="file", missing=list(check.missing),
                               unexpected=list(check.unexpected), duplicated=list(check.duplicated))
    return dataset, check


def data_ingest(*, actor, source: str, path, as_of: date, now: datetime, progress=None) -> IngestResult:
    """Import ``path`` as the snapshot of ``source`` on ``as_of``. ``actor`` None: the CLI operator."""
    started = time.perf_counter()
    step = progress or (lambda *a: None)
    dataset, check = data_ingest_check(actor=actor, source=source, path=path)
    path = Path(path)
    sources_sync()
    input_sha = _sha256(path)
    existing = Snapshot.objects.filter(source_id=source, as_of=as_of, input_sha256=input_sha).first()
    if existing is not None:
        return IngestResult(existing, existing.rows, existing.rejects, True, time.perf_counter() - started, 0.0)
    step("读取文件", 0, 1)
    try:
        table = batch.read_file(path)
    except batch.FileUnreadable as exc:
        raise ValidationFailed("data.file_unreadable", str(exc), field="file") from None
    table = table.rename_columns([check.mapping.get(h, h) for h in table.column_names])
    step("读取文件", 1, 1)
    step("逐行校验", 0, table.num_rows)
    good, rejects = batch.validate(dataset, table, as_of)
    step("逐行校验", table.num_rows, table.num_rows)
    step("身份证号盲索引", 0, good.num_rows)
    t0 = time.perf_counter()
    snapshot_rows = batch.snapshot_table(dataset, good, _indexer)
    index_seconds = time.perf_counter() - t0
    step("身份证号盲索引", good.num_rows, good.num_rows)
    stem = f"{as_of.isoformat()}_{input_sha[:12]}"
    snap_path = files_root() / "verification" / "snapshots" / source / f"{stem}.parquet"
    batch.write_parquet(snapshot_rows, snap_path, {"jiuzhu.source": source, "jiuzhu.as_of": as_of.isoformat(),
                                                   "jiuzhu.schema_version": dataset.version,
                                                   "jiuzhu.input_sha256": input_sha})
    rejects_rel = ""
    if rejects.num_rows:
        rejects_path = files_root() / "verification" / "rejects" / source / f"{stem}.parquet"
        batch.write_parquet(rejects, rejects_path, {"jiuzhu.source": source, "jiuzhu.as_of": as_of.isoformat()})
        rejects_rel = relative(rejects_path)
    persons = len(pc.unique(snapshot_rows.column("bidx"))) if snapshot_rows.num_rows else 0
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                source_id=source, as_of=as_of, path=relative(snap_path), rows=good.num_rows, rejects=rejects.num_rows,
                rejects_path=rejects_rel, persons=persons, input_name=path.name[:200], input_sha256=input_sha,
                sha256=_sha256(snap_path), schema_version=dataset.version, imported_at=now, imported_by=actor)
            audit_record(actor=actor, action="data.ingest", subject_type="snapshot", subject_id=snapshot.pk,
                         after={"source": source, "as_of": as_of.isoformat(), "rows": snapshot.rows,
                                "rejects": snapshot.rejects, "input_sha256": input_sha},
                         details={"source": source, "file": path.name[:200]}, at=now)
    except IntegrityError:  # the same file imported meanwhile by someone else
        snapshot = Snapshot.objects.get(source_id=source, as_of=as_of, input_sha256=input_sha)
        return IngestResult(snapshot, snapshot.rows, snapshot.rejects, True, time.perf_counter() - started, 0.0)
    return IngestResult(snapshot, good.num_rows, rejects.num_rows, False, time.perf_counter() - started, index_seconds)
