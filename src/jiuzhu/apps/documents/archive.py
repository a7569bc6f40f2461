"""The case file (一人一档) as one ZIP: 附件1–9 in the seed's order, then the other material.

Deterministic: the same entries give the same bytes (fixed timestamps, attributes, order and
compression), so a case file can be hashed, compared and re-issued.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from jiuzhu.rules.errors import ValidationFailed

from .kinds import is_kind, kind_get

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can hold
INDEX_NAME = "索引.txt"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class ArchiveItem:
    number: int  # position in the case file, 1-based
    label: str  # kind code or other label as given
    title: str  # 委托授权书 … or the other document's name
    attachment: str  # 附件1 … 附件9, "" for other material
    filename: str  # name inside the ZIP, e.g. 01-委托授权书.pdf
    pages: int
    sha256: str
    size: int


def _safe_stem(name: str) -> str:
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = _UNSAFE.sub("_", stem).strip(" ._")
    return stem or "材料"


def _page_count(pdf: bytes, label: str) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(io.BytesIO(pdf)).pages)
    except (PdfReadError, ValueError, OSError) as exc:
        raise ValidationFailed("archive_pdf_invalid", f"归档材料不是有效的 PDF：{label}", field="entries",
                               label=label) from exc


def case_file_items(entries: Iterable[tuple[str, str, bytes]]) -> list[tuple[ArchiveItem, bytes]]:
    """Order and name the entries: kinds by 附件 number (stable for repeats), then others as given."""
    entries = list(entries)
    if not entries:
        raise ValidationFailed("archive_empty", "归档材料为空", field="entries")
    keyed = []
    for position, (label, filename, pdf) in enumerate(entries):
        if not isinstance(pdf, (bytes, bytearray)) or not bytes(pdf).startswith(b"%PDF-"):
            raise ValidationFailed("archive_pdf_invalid", f"归档材料不是有效的 PDF：{label}", field="entries",
                                   label=label)
        rank = kind_get(label).order if is_kind(label) else 100
        keyed.append((rank, position, label, filename, bytes(pdf)))
    keyed.sort(key=lambda e: (e[0], e[1]))
    width = max(2, len(str(len(keyed))))
    items = []
    for number, (_rank, _, label, filename, pdf) in enumerate(keyed, start=1):
        if is_kind(label):
            kind = kind_get(label)
            title, attachment = kind.title, kind.attachment_label
        else:
            title, attachment = _safe_stem(filename), ""
        name = f"{number:0{width}d}-{_safe_stem(title)}.pdf"
        item = ArchiveItem(number, label, title, attachment, name, _page_count(pdf, label),
                           hashlib.sha256(pdf).hexdigest(), len(pdf))
        items.append((item, pdf))
    return items


MATERIAL_TYPES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def material_items(materials: Iterable[tuple[str, str, bytes]], start: int, width: int) -> list[tuple[ArchiveItem, bytes]]:
    """Uploaded material (scans, photos) after the documents, in the order given: ``(title, filename,
    bytes)`` of a PDF, JPEG or PNG, kept as uploaded (a picture counts as one page)."""
    items = []
    for offset, (title, _filename, data) in enumerate(materials):
        data = bytes(data)
        ext = next((e for magic, e in MATERIAL_TYPES.items() if data.startswith(magic)), None)
        if ext is None:
            raise ValidationFailed("archive_material_invalid", f"归档材料不是 PDF、JPEG 或 PNG：{title}",
                                   field="materials", label=title)
        pages = _page_count(data, title) if ext == "pdf" else 1
        number = start + offset
        name = f"{number:0{width}d}-{_safe_stem(title)}.{ext}"
        items.append((ArchiveItem(number, "material", title, "", name, pages, hashlib.sha256(data).hexdigest(),
                                  len(data)), data))
    return items


def index_text(items: list[ArchiveItem], index_title: str) -> str:
    """The UTF-8 index: number, 附件, title, file, pages, SHA-256 — tab-separated under a header."""
    lines = [
        index_title,
        f"共 {len(items)} 份材料，{sum(i.pages for i in items)} 页",
        "",
        "\t".join(("序号", "附件", "材料名称", "文件名", "页数", "SHA-256")),
    ]
    for i in items:
        lines.append("\t".join((str(i.number), i.attachment or "—", i.title, i.filename, str(i.pages), i.sha256)))
    return "\r\n".join(lines) + "\r\n"  # CRLF: opened mostly with Windows Notepad


def _write(zf: zipfile.ZipFile, name: str, data: bytes, date_time) -> None:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever machine builds it
    info.external_attr = 0o100644 << 16
    zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)


def build_case_file_zip(entries: Iterable[tuple[str, str, bytes]], index_title: str, *,
                        materials: Iterable[tuple[str, str, bytes]] = (),
                        date_time: tuple[int, int, int, int, int, int] = FIXED_DATE_TIME) -> bytes:
    """ZIP bytes of the case file.

    ``entries`` are ``(label, filename, pdf_bytes)``; ``label`` is a kind code (``authorization`` …
    ``adjustment_notice``) or any other label (e.g. ``verification_report``), whose ``filename``
    then names it. Files are numbered in case-file order (``01-委托授权书.pdf`` …) and
    ``索引.txt`` (UTF-8 with BOM) comes first. ``materials`` (uploaded scans and photos, see
    ``material_items``) follow the documents in their given order. ``date_time`` stamps every member.
    """
    items = case_file_items(entries)
    materials = list(materials)
    if materials:
        items += material_items(materials, len(items) + 1, max(2, len(str(len(items) + len(materials)))))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        index = "\ufeff" + index_text([i for i, _ in items], index_title)
        _write(zf, INDEX_NAME, index.encode("utf-8"), date_time)
        for item, pdf in items:
            _write(zf, item.filename, pdf, date_time)
    return buf.getvalue()
