"""Bad files for every importer (issue 18 §4): UTF-16 text, binary garbage, a file cut short, 10 MB of
random bytes and an empty file — each with the words its Chinese error must contain. Deterministic
(seeded), written under the test's tmp directory."""

from __future__ import annotations

import io
import random
import re
from functools import lru_cache
from pathlib import Path

BAD_KINDS = ("utf16", "binary", "truncated", "random_10mb", "empty")
# what the message must say about each problem
EXPECTED = {
    "utf16": re.compile(r"UTF-16"),
    "binary": re.compile(r"二进制|不是 ?JPEG"),
    "truncated": re.compile(r"截断"),
    "random_10mb": re.compile(r"二进制|过大"),
    "empty": re.compile(r"空文件"),
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def random_bytes() -> bytes:
    return random.Random(18).randbytes(10 * 1024 * 1024)


def garbage() -> bytes:
    rnd = random.Random(1804)
    return bytes(rnd.randrange(256) for _ in range(4096)) + b"\x00\x01\x02\xff"


def xlsx_bytes(rows: list[list]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return buf.getvalue()


def parquet_bytes(columns: dict[str, list]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return buf.getvalue()


def png_bytes() -> bytes:
    from tests.web.test_cases_support import tiny_png

    return tiny_png(64, 64)


def bad_content(kind: str, fmt: str, good: bytes, text: str) -> bytes:
    """``good``: a valid file of the importer's format; ``text``: its rows as CSV text."""
    if kind == "utf16":
        return text.encode("utf-16")  # with a BOM, as Excel's "Unicode text" saves it
    if kind == "binary":
        return garbage()
    if kind == "truncated":
        if fmt == "csv":
            return good[:-1] if good[-1:] >= b"\x80" else good + "镇".encode()[:2]  # ends inside a character
        return good[: len(good) // 2]
    if kind == "random_10mb":
        return random_bytes()
    return b""


def write_bad(tmp_path: Path, kind: str, fmt: str, good: bytes, text: str, suffix: str) -> Path:
    path = tmp_path / f"bad_{kind}{suffix}"
    path.write_bytes(bad_content(kind, fmt, good, text))
    return path


def table_counts() -> dict[str, int]:
    """Row counts of every table (a bad file must leave them all as they were)."""
    from django.apps import apps

    return {m._meta.db_table: m.objects.count() for m in apps.get_models() if m._meta.managed and not m._meta.proxy}


def files_under(root: Path) -> set[str]:
    """The files (not directories) under ``root``: a refused upload leaves none behind."""
    root = Path(root)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()
