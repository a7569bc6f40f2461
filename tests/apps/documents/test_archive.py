"""The case-file ZIP: seed order, numbered names, index with pages and hashes, same bytes each time."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from jiuzhu.apps.documents.archive import FIXED_DATE_TIME, INDEX_NAME, build_case_file_zip
from jiuzhu.apps.documents.kinds import KINDS
from jiuzhu.apps.documents.render import html_to_pdf
from jiuzhu.rules.errors import ValidationFailed


@pytest.fixture(scope="module")
def report_pdf():
    return html_to_pdf('<html><body style="font-family: \'Noto Serif CJK SC\'">家庭经济状况核对报告</body></html>')


@pytest.fixture
def entries(rendered, report_pdf):
    # given the nine documents in scrambled order, with the verification report first
    docs = [(k.code, f"{k.code}.pdf", rendered[k.code].pdf) for k in KINDS]
    return [("verification_report", "家庭经济状况核对报告.pdf", report_pdf), *docs[::-1]]


def _index_rows(zf):
    raw = zf.read(INDEX_NAME)
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "张建国 一人一档"
    assert lines[3].split("\t") == ["序号", "附件", "材料名称", "文件名", "页数", "SHA-256"]
    return [line.split("\t") for line in lines[4:]]


def test_zip_orders_names_and_indexes_the_case_file(entries, rendered, report_pdf):
    # when
    data = build_case_file_zip(entries, "张建国 一人一档")
    # then the seed's order 附件1 … 附件9, then the report, after the index
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    expected = [f"{k.number:02d}-{k.title}.pdf" for k in KINDS] + ["10-家庭经济状况核对报告.pdf"]
    assert zf.namelist() == [INDEX_NAME, *expected]
    assert zf.read("01-委托授权书.pdf") == rendered["authorization"].pdf
    rows = _index_rows(zf)
    assert [r[3] for r in rows] == expected
    assert [r[1] for r in rows] == [f"附件{n}" for n in range(1, 10)] + ["—"]
    for row, kind in zip(rows, KINDS):
        assert row[2] == kind.title
        assert int(row[4]) == rendered[kind.code].pages
        assert row[5] == hashlib.sha256(rendered[kind.code].pdf).hexdigest()
    assert rows[9][2] == "家庭经济状况核对报告" and rows[9][5] == hashlib.sha256(report_pdf).hexdigest()
    assert all(info.date_time == FIXED_DATE_TIME for info in zf.infolist())


def test_zip_is_deterministic(entries):
    first = build_case_file_zip(entries, "张建国 一人一档")
    # the kinds' input order does not matter; the other material keeps its relative order
    reordered = [entries[0], *sorted(entries[1:])]
    assert build_case_file_zip(reordered, "张建国 一人一档") == first
    assert build_case_file_zip(entries, "张建国 一人一档") == first


def test_repeated_kinds_keep_their_order_and_get_distinct_names(rendered):
    notice = rendered["initial_notice"].pdf
    survey = rendered["survey"].pdf
    data = build_case_file_zip(
        [("initial_notice", "a.pdf", notice), ("survey", "b.pdf", survey), ("initial_notice", "c.pdf", notice)],
        "复核案卷",
    )
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names[1:] == ["01-入户调查表.pdf", "02-新增最低生活保障(特困供养)对象初审公示单.pdf",
                         "03-新增最低生活保障(特困供养)对象初审公示单.pdf"]


def test_unsafe_names_are_cleaned(report_pdf):
    data = build_case_file_zip([("other", "../../etc/passwd", report_pdf)], "x")
    assert zipfile.ZipFile(io.BytesIO(data)).namelist()[1] == "01-etc_passwd.pdf"


@pytest.mark.parametrize("bad", [b"", b"not a pdf", b"%PDF-1.7 broken"])
def test_invalid_pdf_is_refused(bad):
    with pytest.raises(ValidationFailed) as err:
        build_case_file_zip([("authorization", "x.pdf", bad)], "x")
    assert err.value.code == "archive_pdf_invalid"


def test_empty_case_file_is_refused():
    with pytest.raises(ValidationFailed) as err:
        build_case_file_zip([], "x")
    assert err.value.code == "archive_empty"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


def test_uploaded_material_follows_the_documents_in_the_given_order(report_pdf):
    # given one document and three uploads (a PDF scan, a JPEG scan, a PNG photo) in their order
    data = build_case_file_zip([("authorization", "a.pdf", report_pdf)], "x",
                               materials=[("身份证件1", "id.pdf", report_pdf), ("委托授权书1", "a.jpg", JPEG),
                                          ("入户调查照片1", "p.png", PNG)])
    zf = zipfile.ZipFile(io.BytesIO(data))
    # then they come after the document, numbered on, with their own type and bytes as uploaded
    assert zf.namelist() == [INDEX_NAME, "01-委托授权书.pdf", "02-身份证件1.pdf", "03-委托授权书1.jpg",
                             "04-入户调查照片1.png"]
    assert zf.read("04-入户调查照片1.png") == PNG
    rows = zf.read(INDEX_NAME).decode("utf-8-sig").splitlines()[4:]
    assert rows[3].split("\t") == ["4", "—", "入户调查照片1", "04-入户调查照片1.png", "1", hashlib.sha256(PNG).hexdigest()]


def test_material_of_another_type_is_refused(report_pdf):
    with pytest.raises(ValidationFailed) as err:
        build_case_file_zip([("authorization", "a.pdf", report_pdf)], "x", materials=[("其他材料1", "x.txt", b"hello")])
    assert err.value.code == "archive_material_invalid" and "其他材料1" in err.value.message
