"""Reading an uploaded or command-line file safely, before any importer parses it.

Every importer (regions, department data, ledger, low-income register, bank result file, case
attachments) asks here first, so a bad file gets one clear Chinese error naming the problem — never a
traceback — and nothing is written. Problems raise ``ValidationFailed`` with code ``file.<problem>``
(``details``: ``field="file"``, ``problem``, ``file``):

``missing``, ``unreadable``, ``empty``, ``too_large``, ``utf16`` (UTF-16/32 text), ``binary`` (not
text), ``encoding`` (neither UTF-8 nor GBK/GB18030), ``truncated`` (cut short), ``not_xlsx``,
``xls_legacy`` (old .xls or a password-protected workbook), ``not_parquet``, ``type`` (not an
accepted image/PDF).

CSV policy: UTF-8 (with or without BOM) or GBK/GB18030, since Chinese offices' Excel and WPS export
GBK; UTF-16 ("Unicode text" in Excel) and binary content are refused with a message saying how to
save the file. Size limits are per importer (the caller passes ``limit``). No Django here: the
batch layer and every app may use it.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import Path

from jiuzhu.rules.errors import ValidationFailed

MB = 1024 * 1024
SNIFF_BYTES = 1 * MB  # the head of a large text file checked for its encoding
UNZIPPED_RATIO = 100  # an xlsx unpacking to more than limit × this is refused (zip bomb)
_SAVE_AS_CSV = "请用 Excel 或 WPS 另存为“CSV UTF-8（逗号分隔）”或 GBK 编码的 CSV 后重试"
_SAVE_AS_XLSX = "请用 Excel 或 WPS 另存为 .xlsx（Excel 工作簿）后重试"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES = (  # what a file really is, to name it in the message
    (b"PK\x03\x04", "zip 压缩包或 xlsx/docx 文件"), (b"PK\x05\x06", "空的 zip 压缩包"), (_OLE2, "旧版 Office 文件（.xls/.doc）"),
    (b"PAR1", "Parquet 文件"), (b"%PDF-", "PDF 文件"), (b"\x89PNG\r\n\x1a\n", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"), (b"Rar!", "RAR 压缩包"), (b"7z\xbc\xaf", "7z 压缩包"), (b"\x1f\x8b", "gzip 压缩包"),
    (b"\x7fELF", "可执行程序"),
)


def fail(problem: str, name: str, message: str):
    raise ValidationFailed(f"file.{problem}", message, field="file", problem=problem, file=name)


def size_text(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} 字节"


def check_size(size: int, *, name: str, limit: int) -> None:
    if size <= 0:
        fail("empty", name, f"文件“{name}”是空文件（0 字节），请检查后重新选择")
    if size > limit:
        fail("too_large", name, f"文件“{name}”过大（{size_text(size)}），此处导入的文件不能超过 {size_text(limit)}")


def check_path(path: str | Path, *, limit: int, name: str | None = None) -> Path:
    """An existing regular file within ``limit`` bytes (and not empty)."""
    path = Path(path)
    name = name or path.name
    try:
        if not path.is_file():
            fail("missing", name, f"文件不存在（或不是普通文件）：{path}")
        size = path.stat().st_size
    except OSError as exc:
        fail("unreadable", name, f"无法读取文件“{name}”（{exc.strerror or type(exc).__name__}）")
    check_size(size, name=name, limit=limit)
    return path


def read_bytes(path: str | Path, *, limit: int, name: str | None = None) -> bytes:
    """The whole file, refused when missing, empty or over ``limit`` (never reads more than limit + 1)."""
    path = check_path(path, limit=limit, name=name)
    name = name or path.name
    try:
        with open(path, "rb") as fh:
            content = fh.read(limit + 1)
    except OSError as exc:
        fail("unreadable", name, f"无法读取文件“{name}”（{exc.strerror or type(exc).__name__}）")
    check_size(len(content), name=name, limit=limit)
    return content


def _head(source, size: int = 16) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source[:size])
    with open(source, "rb") as fh:
        return fh.read(size)


def describe(head: bytes) -> str:
    """What the first bytes of a file look like, in Chinese (for messages)."""
    if not head:
        return "空内容"
    for magic, label in _SIGNATURES:
        if head.startswith(magic):
            return label
    if _utf16_bom(head) or _looks_utf16(head):
        return "UTF-16 编码的文本"
    if b"\x00" in head:
        return "无法识别的二进制数据"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head[:4096], final=False)
        return "文本（可能是 CSV）"
    except UnicodeDecodeError:
        return "无法识别的二进制数据"


# -- text (CSV) ---------------------------------------------------------------------------------

def _utf16_bom(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a BOM: ASCII characters leave a NUL in every other byte."""
    sample = head[:4096]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    return max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.3 and min(even.count(0), odd.count(0)) == 0


_CONTROL = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")  # Cc but tab, line ends, form feed, EOF


def _control_chars(text: str) -> bool:
    return _CONTROL.search(text) is not None


def text_encoding(head: bytes, *, name: str, complete: bool = True) -> str:
    """The encoding of a CSV/text file from its first bytes (the whole file when ``complete``):
    ``utf-8-sig``, ``utf-8`` or ``gb18030``. Refuses UTF-16/32, binary content, undecodable text
    and (when ``complete``) a file that ends in the middle of a character."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        fail("utf16", name, f"文件“{name}”是 UTF-32 编码的文本，不支持；{_SAVE_AS_CSV}")
    if _utf16_bom(head) or _looks_utf16(head):
        fail("utf16", name, f"文件“{name}”是 UTF-16 编码（Excel 的“Unicode 文本”），不支持；{_SAVE_AS_CSV}")
    if b"\x00" in head or head.startswith((b"PK\x03\x04", _OLE2, b"\x89PNG", b"\xff\xd8\xff", b"%PDF-")):
        fail("binary", name, f"文件“{name}”不是文本文件（内容为{describe(head)}），不能作为 CSV 导入；{_SAVE_AS_CSV}")
    bom = head.startswith(codecs.BOM_UTF8)
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        encoding = "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        if complete and exc.reason == "unexpected end of data":
            fail("truncated", name, f"文件“{name}”末尾的字符不完整，文件可能被截断（复制或上传未完成），请重新导出后再试")
        line = head[:exc.start].count(b"\n") + 1
        if bom:
            fail("encoding", name, f"文件“{name}”第 {line} 行含无效的 UTF-8 字节，文件可能已损坏；{_SAVE_AS_CSV}")
        try:
            text = codecs.getincrementaldecoder("gb18030")().decode(head, final=complete)
            encoding = "gb18030"
        except UnicodeDecodeError as gbk:
            if complete and gbk.reason == "incomplete multibyte sequence" and gbk.end >= len(head):
                fail("truncated", name, f"文件“{name}”末尾的字符不完整，文件可能被截断（复制或上传未完成），请重新导出后再试")
            fail("encoding", name, f"文件“{name}”第 {line} 行起既不是 UTF-8 也不是 GBK 编码，可能是二进制文件或已损坏；"
                                   f"{_SAVE_AS_CSV}")
    if _control_chars(text):
        fail("binary", name, f"文件“{name}”含控制字符（二进制内容），不是 CSV 文本；{_SAVE_AS_CSV}")
    return encoding


def decode_text(content: bytes, *, name: str) -> str:
    """The whole text of a small CSV/text file under the encoding policy (BOM removed)."""
    if not content:
        fail("empty", name, f"文件“{name}”是空文件（0 字节），请检查后重新选择")
    encoding = text_encoding(content, name=name, complete=True)
    return content.decode(encoding)


def read_text(path: str | Path, *, limit: int, name: str | None = None) -> str:
    path = Path(path)
    return decode_text(read_bytes(path, limit=limit, name=name), name=name or path.name)


def csv_file_encoding(path: str | Path, *, name: str | None = None) -> str:
    """The encoding of a (possibly large) CSV file: its head is checked, and its last bytes for a cut."""
    path = Path(path)
    name = name or path.name
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES + 1)
        complete = len(head) <= SNIFF_BYTES
        if complete:
            return text_encoding(head, name=name, complete=True)
        encoding = text_encoding(head[:SNIFF_BYTES], name=name, complete=False)
        fh.seek(-4, io.SEEK_END)
        tail = fh.read()
    if encoding.startswith("utf-8") and _utf8_cut(tail):
        fail("truncated", name, f"文件“{name}”末尾的字符不完整，文件可能被截断（复制或上传未完成），请重新导出后再试")
    return encoding


def _utf8_cut(tail: bytes) -> bool:
    """Whether ``tail`` (the last bytes of a UTF-8 file) ends inside a multi-byte character."""
    i = len(tail) - 1
    while i >= 0 and 0x80 <= tail[i] <= 0xBF:
        i -= 1
    if i < 0:
        return False
    lead = tail[i]
    need = 2 if 0xC0 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF7 else 1
    return len(tail) - i < need


# -- xlsx and Parquet ---------------------------------------------------------------------------

def check_xlsx(source, *, name: str, limit: int, allow_xls: bool = False) -> None:
    """``source`` (a path or the bytes) is an xlsx workbook that opens: a complete zip holding
    ``xl/workbook.xml``. ``allow_xls``: an old binary .xls (OLE2) passes to the reader."""
    head = _head(source)
    if head.startswith(_OLE2):
        if allow_xls and name.lower().endswith(".xls"):
            return
        fail("xls_legacy", name, f"文件“{name}”是旧版 Excel（.xls）或设置了打开密码的 Excel 文件，无法读取；"
                                 f"{_SAVE_AS_XLSX}（不要设置密码）")
    if not head.startswith(b"PK\x03\x04"):
        fail("not_xlsx", name, f"文件“{name}”不是有效的 xlsx 工作簿（内容为{describe(_head(source, 4096))}）；{_SAVE_AS_XLSX}")
    try:
        with zipfile.ZipFile(io.BytesIO(bytes(source)) if isinstance(source, (bytes, bytearray, memoryview))
                             else source) as book:
            members = book.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        fail("truncated", name, f"文件“{name}”不完整或已损坏（xlsx 压缩包无法打开，可能上传或复制时被截断），请重新导出后再试")
    names = {m.filename.lower() for m in members}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        fail("not_xlsx", name, f"文件“{name}”是压缩包，但不是 Excel 工作簿（缺少 xl/workbook.xml，可能是 Word/WPS 文档或其他"
                               f"压缩包）；{_SAVE_AS_XLSX}")
    if sum(m.file_size for m in members) > limit * UNZIPPED_RATIO:
        fail("too_large", name, f"文件“{name}”解压后过大（{size_text(sum(m.file_size for m in members))}），无法导入")


def check_parquet(path: str | Path, *, name: str | None = None) -> None:
    path = Path(path)
    name = name or path.name
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head != b"PAR1":
            fail("not_parquet", name, f"文件“{name}”不是有效的 Parquet 文件（内容为{describe(_head(path, 4096))}）")
        size = fh.seek(0, io.SEEK_END)
        fh.seek(max(size - 4, 0))
        tail = fh.read(4)
    if size < 12 or tail != b"PAR1":
        fail("truncated", name, f"文件“{name}”不完整（Parquet 文件缺少结尾，可能被截断），请重新导出后再试")


# -- images and PDF (case attachments) ----------------------------------------------------------

IMAGE_TYPES = {"jpeg": ("image/jpeg", "jpg", "JPEG"), "png": ("image/png", "png", "PNG"),
               "pdf": ("application/pdf", "pdf", "PDF")}


def _jpeg_complete(data: bytes) -> bool:
    """Walk the JPEG segments to the (first) start of scan; a complete file has an EOI after it."""
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return False
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if marker == 0xDA:
            return data.rfind(b"\xff\xd9") >= i + 2 + length
        if marker == 0xD9 or length < 2:
            return False
        i += 2 + length
    return False


def check_image(content: bytes, *, name: str, accept: tuple[str, ...]) -> tuple[str, str]:
    """The (content type, extension) of an attachment checked by content, not by name: one of
    ``accept`` (``jpeg``, ``png``, ``pdf``), whole (not cut short)."""
    names = [IMAGE_TYPES[k][2] for k in accept]
    labels = "、".join(names[:-1]) + " 或 " + names[-1] if len(names) > 2 else "、".join(names)
    if content.startswith(b"\xff\xd8\xff"):
        kind, whole = "jpeg", _jpeg_complete(content)
    elif content.startswith(b"\x89PNG\r\n\x1a\n"):
        kind, whole = "png", content[12:16] == b"IHDR" and b"IEND\xaeB`\x82" in content[-64:]
    elif content.startswith(b"%PDF-"):
        kind, whole = "pdf", b"%%EOF" in content[-4096:]
    else:
        kind, whole = None, False
    if kind is None or kind not in accept:
        fail("type", name, f"文件类型不支持，只接受 {labels}：文件“{name}”的内容是{describe(content[:4096])}"
                           "（按内容判断，不看扩展名），请上传原始照片或扫描件")
    if not whole:
        fail("truncated", name, f"文件“{name}”不完整（{IMAGE_TYPES[kind][2]} 文件缺少结尾，可能上传或复制时被截断），请重新上传")
    ctype, ext, _ = IMAGE_TYPES[kind]
    return ctype, ext
