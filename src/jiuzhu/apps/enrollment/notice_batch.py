"""All 附件9 adjustment notices of an applied standard change, printed at once (issue 17 §6, issue 18 §1):
a background job ``documents.notice_batch`` renders every notice (dated on its change, like the single
notice on the enrollment page) in a process pool, one WeasyPrint pass per village chunk, and writes one
ZIP per township (each notice as its own PDF, by village) plus a merged PDF per village for printing.

Output: ``JIUZHU_FILES_DIR/batches/<folder>/``; the job's result lists the files, which the jobs page
offers for download to whoever may see the job."""

from __future__ import annotations

import os
import zipfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.documents.batch_render import Chunk, render_chunks
from jiuzhu.apps.documents.kinds import kind_get
from jiuzhu.apps.documents.render import cjk_font_check, render_html
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.rules.errors import Conflict

from .documents import change_has_notice, notice_context
from .models import EnrollmentChange, StandardChange
from .standard import change_get

CHUNK = 200  # notices laid out in one pass: large enough to share the set-up, small enough for memory
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same notices give the same archive bytes


def batch_root() -> Path:
    return Path(settings.JIUZHU_FILES_DIR) / "batches"


def pool_size() -> int:
    return max(1, min(int(os.environ.get("JIUZHU_DOCUMENT_PROCESSES", "0") or 0) or (os.cpu_count() or 1), 8))


def township_of(code: str) -> str:
    return code[:9] + "000"


def _changes(actor, standard: StandardChange):
    rows = (EnrollmentChange.objects.filter(source=f"standard:{standard.pk}")
            .select_related("enrollment", "enrollment__household", "enrollment__household__head",
                            "enrollment__person", "enrollment__case")
            .order_by("enrollment__region_id", "pk"))
    return [ch for ch in rows if (actor is None or in_scope(actor, ch.enrollment.region_id)) and change_has_notice(ch)]


def _safe(text: str) -> str:
    return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in text).strip() or "文书"


def notice_batch(*, actor, standard_change_id: int, now: datetime | None = None, progress=None,
                 processes: int | None = None) -> dict:
    """Render the notices of ``standard_change_id`` (applied) within the actor's scope; returns the
    files written and the counts."""
    now = now or timezone.now()
    step = progress or (lambda label, done, total: None)
    standard = change_get(actor=actor, change_id=standard_change_id)
    if standard.status != StandardChange.Status.APPLIED:
        raise Conflict("documents.batch_not_applied", f"标准调整 {standard.pk} 尚未应用，没有可出具的调整告知书",
                       field="standard_change_id")
    cjk_font_check()
    kind = kind_get("adjustment_notice")
    changes = _changes(actor, standard)
    total = len(changes)
    if not total:
        raise Conflict("documents.batch_empty", f"标准调整 {standard.pk} 在您的管辖范围内没有需要出具告知书的变更",
                       field="standard_change_id")
    names = {r.code: r.name for r in Region.objects.filter(
        code__in={ch.enrollment.region_id for ch in changes} | {township_of(ch.enrollment.region_id) for ch in changes})}
    step("准备文书", 0, total)
    by_village: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for done, ch in enumerate(changes, start=1):
        ctx = notice_context(ch, timezone.localtime(now).date())
        filename = _safe(f"{ctx.header.case_number}-{ch.pk}-{ctx.household.head_name}-{kind.title}") + ".pdf"
        by_village[ch.enrollment.region_id].append((filename, render_html(kind, ctx)))
        if done % 500 == 0:
            step("准备文书", done, total)
    chunks = []
    for village, docs in sorted(by_village.items()):
        for start in range(0, len(docs), CHUNK):
            part = docs[start:start + CHUNK]
            chunks.append(Chunk(key=f"{village}:{start // CHUNK + 1}", names=tuple(n for n, _ in part),
                                htmls=tuple(h for _, h in part)))
    folder = batch_root() / f"notice-{standard.pk}-{now:%Y%m%d%H%M%S}"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    zips: dict[str, zipfile.ZipFile] = {}
    counts: dict[str, int] = defaultdict(int)
    written = {"documents": 0, "pages": 0}

    def _store(r):
        village, part = r.key.split(":")
        town = township_of(village)
        if town not in zips:
            path = folder / f"{_safe(names.get(town, town))}-{kind.title}.zip"
            zips[town] = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED)  # PDFs are compressed
        vname = _safe(names.get(village, village))
        for filename, pdf in r.files:
            zips[town].writestr(zipfile.ZipInfo(f"{vname}/{filename}", ZIP_TIME), pdf)
        suffix = "" if part == "1" and len(by_village[village]) <= CHUNK else f"（第{part}册）"
        merged = f"{vname}-{kind.title}-合并打印{suffix}.pdf"
        (folder / merged).write_bytes(r.merged)
        counts[town] += len(r.files)
        written["documents"] += len(r.files)
        written["pages"] += r.pages
        step("生成PDF", written["documents"], total)

    try:
        for _ in render_chunks(chunks, processes=processes or pool_size(), on_done=_store):
            pass
    finally:
        for zf in zips.values():
            zf.close()
    for path in folder.iterdir():
        path.chmod(0o600)
    files = sorted(p.name for p in folder.iterdir())
    audit_record(actor=actor, action="documents.batch", subject_type="standard_change", subject_id=standard.pk,
                 region_code=standard.region_id, details={"kind": kind.code, "documents": written["documents"],
                                                         "pages": written["pages"], "folder": folder.name})
    return {"folder": folder.name, "files": files, "documents": written["documents"], "pages": written["pages"],
            "townships": {names.get(t, t): n for t, n in sorted(counts.items())}, "standard_change_id": standard.pk}
