"""jiuzhu.core.uploads: the encoding policy for CSV (UTF-8/GBK yes, UTF-16/binary no), whole xlsx and
Parquet files, attachments checked by content — each problem a ``file.<problem>`` code in Chinese."""

from __future__ import annotations

import io
import zipfile

import pytest

from jiuzhu.core import uploads
from jiuzhu.rules.errors import ValidationFailed
from tests.bad_files import parquet_bytes, xlsx_bytes

TEXT = "区划代码,名称\n330127100000,千岛湖镇\n"


def problem(call) -> str:
    with pytest.raises(ValidationFailed) as exc:
        call()
    assert exc.value.details["field"] == "file" and exc.value.code == f"file.{exc.value.details['problem']}"
    return exc.value.details["problem"]


@pytest.mark.parametrize("case, content, expected", [
    ("UTF-8", TEXT.encode(), "utf-8"),
    ("UTF-8 with BOM (Excel's CSV UTF-8)", b"\xef\xbb\xbf" + TEXT.encode(), "utf-8-sig"),
    ("GBK (Excel/WPS in a Chinese office)", TEXT.encode("gbk"), "gb18030"),
    ("GB18030 with a rare character", "姓名\n𠀀\n".encode("gb18030"), "gb18030"),
])
def test_accepted_text_encodings(case, content, expected):
    assert uploads.text_encoding(content, name="x.csv") == expected, case
    assert uploads.decode_text(content, name="x.csv").lstrip("\ufeff") == content.decode(expected).lstrip("\ufeff")


@pytest.mark.parametrize("case, content, expected", [
    ("UTF-16 LE with BOM", TEXT.encode("utf-16"), "utf16"),
    ("UTF-16 BE with BOM", TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]), "utf16"),
    ("UTF-16 LE without BOM", "code,name\n1,a\n".encode("utf-16-le"), "utf16"),
    ("UTF-32", TEXT.encode("utf-32"), "utf16"),
    ("NUL bytes", b"code,name\n1,\x00\x00\n", "binary"),
    ("a zip renamed .csv", xlsx_bytes([["a"]]), "binary"),
    ("control characters", b"code,name\n1,\x07\x1b\n", "binary"),
    ("cut inside a UTF-8 character", TEXT.encode()[:-2], "truncated"),
    ("cut inside a GBK character", "名称\n千岛湖镇".encode("gbk")[:-1], "truncated"),
    ("neither UTF-8 nor GBK", b"code,name\n1,\x80\x80\xff\xfe\xff\n", "encoding"),
    ("empty", b"", "empty"),
])
def test_refused_text(case, content, expected):
    assert problem(lambda: uploads.decode_text(content, name="x.csv")) == expected, case


def test_large_csv_checks_its_head_and_its_last_character(tmp_path, monkeypatch):
    # given a "large" file (the sniffed head made small) whose last character is cut
    monkeypatch.setattr(uploads, "SNIFF_BYTES", 64)
    whole = ("名称\n" + "千岛湖镇\n" * 40).encode()
    path = tmp_path / "big.csv"
    path.write_bytes(whole)
    assert uploads.csv_file_encoding(path) == "utf-8"  # the 64-byte head ends inside a character: fine
    path.write_bytes(whole[:-2])
    assert problem(lambda: uploads.csv_file_encoding(path)) == "truncated"


def test_size_limits_and_missing_files(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 11)
    assert problem(lambda: uploads.read_bytes(path, limit=10)) == "too_large"
    assert uploads.read_bytes(path, limit=11) == b"x" * 11
    assert problem(lambda: uploads.read_bytes(tmp_path / "none.csv", limit=10)) == "missing"
    assert problem(lambda: uploads.read_bytes(tmp_path, limit=10)) == "missing"


def _zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in names.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("case, content, name, expected", [
    ("a whole workbook", xlsx_bytes([["a", "b"]]), "x.xlsx", None),
    ("cut in half", xlsx_bytes([["a", "b"]])[:2000], "x.xlsx", "truncated"),
    ("a Word document", _zip({"word/document.xml": b"<w/>"}), "x.xlsx", "not_xlsx"),
    ("CSV text renamed .xlsx", TEXT.encode(), "x.xlsx", "not_xlsx"),
    ("old .xls (or a password-protected workbook) named .xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
     "x.xlsx", "xls_legacy"),
    ("old .xls named .xls: left to the reader", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "x.xls", None),
    ("a zip bomb", _zip({"xl/workbook.xml": b"<w/>", "xl/worksheets/sheet1.xml": bytes(5_000_000)}), "x.xlsx",
     "too_large"),
])
def test_xlsx_checks(case, content, name, expected):
    def check():
        uploads.check_xlsx(content, name=name, limit=10_000, allow_xls=True)

    if expected is None:
        check()
    else:
        assert problem(check) == expected, case


def test_parquet_checks(tmp_path):
    whole = parquet_bytes({"a": ["1", "2"]})
    for content, expected in ((whole, None), (whole[:-10], "truncated"), (b"PAR1", "truncated"),
                              (TEXT.encode(), "not_parquet")):
        path = tmp_path / "x.parquet"
        path.write_bytes(content)
        if expected is None:
            uploads.check_parquet(path)
        else:
            assert problem(lambda: uploads.check_parquet(path)) == expected


SOS = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"


def _jpeg(thumbnail: bool = False) -> bytes:
    app1 = b""
    if thumbnail:  # an EXIF block carrying a whole thumbnail JPEG (its own SOS and EOI) before the main scan
        thumb = b"\xff\xd8" + SOS + b"\x11" * 20 + b"\xff\xd9"
        body = b"Exif\x00\x00" + thumb
        app1 = b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body
    return b"\xff\xd8" + app1 + b"\xff\xdb\x00\x04\x00\x00" + SOS + b"\x22" * 500 + b"\xff\xd9"


@pytest.mark.parametrize("case, content, accept, expected", [
    ("whole JPEG", _jpeg(), ("jpeg", "png"), ("image/jpeg", "jpg")),
    ("JPEG with a trailer after EOI", _jpeg() + b"trailer", ("jpeg", "png"), ("image/jpeg", "jpg")),
    ("JPEG cut short", _jpeg()[:300], ("jpeg", "png"), "truncated"),
    ("JPEG cut short after a whole EXIF thumbnail", _jpeg(thumbnail=True)[:-200], ("jpeg",), "truncated"),
    ("PDF as a photo", b"%PDF-1.4\n%%EOF\n", ("jpeg", "png"), "type"),
    ("PDF cut short", b"%PDF-1.4\n1 0 obj\n" + bytes(5000), ("pdf",), "truncated"),
    ("text renamed .png", "这不是图片".encode(), ("jpeg", "png"), "type"),
])
def test_attachments_by_content(case, content, accept, expected):
    def check():
        return uploads.check_image(content, name="现场.png", accept=accept)

    if isinstance(expected, tuple):
        assert check() == expected, case
    else:
        assert problem(check) == expected, case
