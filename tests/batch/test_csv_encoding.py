"""CSV encoding detection: a BOM is honoured even when the 64 KiB sample cuts a character in two."""

from __future__ import annotations

from jiuzhu.batch.ingest import _csv_encoding, read_file, read_header

BOM = b"\xef\xbb\xbf"


def _file(tmp_path, body: bytes, name="x.csv"):
    path = tmp_path / name
    path.write_bytes(body)
    return path


def test_bom_kept_when_the_sample_ends_inside_a_character(tmp_path):
    header = b'"id_number","name"\r\n'
    prefix = BOM + header + b"1,"
    prefix += b"2" * ((1 - (1 << 16) + len(prefix)) % 3)  # the 64 KiB sample then ends inside a character
    body = prefix + "张".encode() * 30000 + b"\r\n"
    assert (len(body[: 1 << 16]) - len(prefix)) % 3 != 0
    path = _file(tmp_path, body)
    assert _csv_encoding(path) == "utf-8-sig"
    assert read_header(path) == ["id_number", "name"]
    assert read_file(path).column_names == ["id_number", "name"]


def test_plain_utf8_and_gb18030(tmp_path):
    assert _csv_encoding(_file(tmp_path, '"id_number"\r\n张三\r\n'.encode(), "a.csv")) == "utf-8"
    assert _csv_encoding(_file(tmp_path, '"id_number"\r\n张三\r\n'.encode("gb18030"), "b.csv")) == "gb18030"
