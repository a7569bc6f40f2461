"""jiuzhu.core.spreadsheets: exported workbooks and CSV files never carry a live formula."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook

from jiuzhu.batch.ingest import csv_bytes
from jiuzhu.core.spreadsheets import neutralise, neutralise_column, xlsx_workbook

SRC = Path(__file__).resolve().parents[2] / "src" / "jiuzhu"


@pytest.mark.parametrize("value, expected", [
    ("=1+2", "'=1+2"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("-12.00", "-12.00"), ("+86", "+86"), ("-.5", "-.5"), ("张三", "张三"), ("a=b", "a=b"),
    ("", ""), (None, None), (12, 12),
])
def test_neutralise_prefixes_formula_text_but_not_numbers(value, expected):
    assert neutralise(value) == expected
    if isinstance(value, str) or value is None:
        assert neutralise_column(pa.array([value], pa.string())).to_pylist() == [expected]


def test_xlsx_workbook_writes_formula_like_strings_as_text(tmp_path):
    # given a workbook from the helper and a row of formula-like strings
    path = tmp_path / "x.xlsx"
    book = xlsx_workbook(path, {"constant_memory": True})
    book.add_worksheet().write_row(0, 0, ["=1+2", "@SUM(1)", "http://evil.example/", 5])
    book.close()
    # then the sheet has no formula and no link, and the strings read back as written
    with zipfile.ZipFile(path) as z:
        assert not any("<f>" in z.read(n).decode(errors="ignore") for n in z.namelist() if n.startswith("xl/"))
        assert not any("hyperlink" in n.lower() or "rels" in n and "worksheets" in n for n in z.namelist())
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python() == [
        ["=1+2", "@SUM(1)", "http://evil.example/", 5.0]]


def test_every_workbook_turns_strings_to_formulas_off():
    """Every xlsx export goes through xlsx_workbook, or passes strings_to_formulas=False itself."""
    offenders = []
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        for m in re.finditer(r"xlsxwriter\.Workbook\(", text):
            call = text[m.end():text.find("\n", text.find(")", m.end()))]
            if path.name != "spreadsheets.py" and '"strings_to_formulas": False' not in call:
                offenders.append(f"{path.relative_to(SRC)}:{text[:m.start()].count(chr(10)) + 1}")
    assert offenders == []


def test_rejects_csv_for_download_is_neutralised():
    # given rejected rows whose raw values look like formulas, and a negative amount
    table = pa.table({"name": ["=HYPERLINK(\"x\")", "张三"], "income": ["-12.00", "@1"], "reason": ["身份证号无效", "-"]})
    # when written for the user to download
    rows = list(csv.reader(io.StringIO(csv_bytes(table, neutralise=True).decode("utf-8-sig"))))
    # then the formula-like cells are text, the number stays a number
    assert rows[1:] == [["'=HYPERLINK(\"x\")", "-12.00", "身份证号无效"], ["张三", "'@1", "'-"]]
