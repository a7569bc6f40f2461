"""Reading a ledger workbook (python-calamine) into rows keyed by the documented column keys, and
writing the row-by-row error report (xlsxwriter). Row numbers are the spreadsheet's (header = 1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from python_calamine import CalamineWorkbook

from jiuzhu.core import uploads
from jiuzhu.core.spreadsheets import xlsx_workbook

from .ledger_columns import BY_KEY, COLUMNS, ERROR_HEADER

_BY_HEADER = {c.header: c for c in COLUMNS}
# Numbers Excel keeps exactly: beyond 15 digits a numeric cell has lost the last digits.
_EXACT_DIGITS = 15
MAX_FILE_BYTES = 100 * uploads.MB  # a county's ledger (~100k rows) is ~15 MB


@dataclass
class LedgerError:
    row: int
    column: str  # a header of docs/ledger-xlsx.md ("" for the file as a whole)
    message: str

    def text(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where}【{self.column}】{self.message}" if self.column else f"{where}：{self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "text": self.text()}


@dataclass
class LedgerSheet:
    headers: list[str]
    rows: list[tuple[int, dict]]  # (spreadsheet row number, {key: cell})
    raw: list[tuple[int, list]] = field(default_factory=list)  # for the error report
    errors: list[LedgerError] = field(default_factory=list)


def cell_text(value) -> str:
    """A cell as text: integral floats without ".0", dates ISO, None as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def numeric_digits_lost(value) -> bool:
    """An identifier typed as a number long enough for Excel to have rounded it."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and len(cell_text(value)) > _EXACT_DIGITS


def read_ledger(path: str | Path, *, name: str | None = None) -> LedgerSheet:
    """The first worksheet. Missing required headers are errors on row 1; unknown headers (and the
    错误 column of an error report) are ignored."""
    return read_sheet(path, COLUMNS, _BY_HEADER, ignore=(ERROR_HEADER,), name=name)


def read_sheet(path: str | Path, columns, by_header: dict, *, ignore=(), header_check=None, name: str | None = None,
               max_bytes: int = MAX_FILE_BYTES) -> LedgerSheet:
    """The first worksheet of an import file (ledger, low-income register …), header on row 1:
    required headers of ``columns`` missing or a known header repeated are errors on row 1 (plus
    whatever ``header_check(present headers)`` returns); rows are keyed by the columns' keys; row
    numbers are the spreadsheet's; empty rows are skipped.

    A file that is not a readable xlsx (empty, too large, UTF-16/CSV text, binary, cut short) raises
    ``ValidationFailed`` (code ``file.<problem>``, jiuzhu.core.uploads) before any row is read."""
    name = name or Path(path).name
    uploads.check_path(path, limit=max_bytes, name=name)
    uploads.check_xlsx(Path(path), name=name, limit=max_bytes, allow_xls=True)
    try:
        book = CalamineWorkbook.from_path(str(path))
        data = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one Chinese error
        return LedgerSheet([], [], errors=[LedgerError(0, "", f"无法读取 Excel 文件（{type(exc).__name__}）；请另存为 .xlsx 后重试")])
    if not data:
        return LedgerSheet([], [], errors=[LedgerError(0, "", "文件为空")])
    headers = [cell_text(h) for h in data[0]]
    sheet = LedgerSheet(headers=headers, rows=[])
    present = {h for h in headers if h}
    for col in columns:
        if col.required and col.header not in present:
            sheet.errors.append(LedgerError(1, col.header, "缺少此列（列名须与说明文档一致）"))
    if header_check is not None:
        sheet.errors.extend(header_check(present))
    seen: set[str] = set()
    for h in headers:
        if h in seen and h in by_header:
            sheet.errors.append(LedgerError(1, h, "列名重复"))
        seen.add(h)
    index = [(i, by_header[h].key) for i, h in enumerate(headers) if h in by_header and h not in ignore]
    for number, values in enumerate(data[1:], start=2):
        if all(cell_text(v) == "" for v in values):
            continue
        sheet.rows.append((number, {key: values[i] if i < len(values) else None for i, key in index}))
        sheet.raw.append((number, list(values)))
    if not sheet.rows and not sheet.errors:
        sheet.errors.append(LedgerError(0, "", "文件中没有数据行"))
    return sheet


def header_of(key: str) -> str:
    return BY_KEY[key].header


def write_error_report(sheet: LedgerSheet, errors: list[LedgerError], path: str | Path) -> None:
    """The uploaded rows with an added 错误 column listing each row's problems (file-level ones first)."""
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(f"【{e.column}】{e.message}" if e.column else e.message)
    wb = xlsx_workbook(path, {"constant_memory": True})
    bold = wb.add_format({"bold": True})
    red = wb.add_format({"font_color": "#C00000"})
    ws = wb.add_worksheet("错误报告")
    headers = [h for h in sheet.headers if h != ERROR_HEADER] or [c.header for c in COLUMNS]
    keep = [i for i, h in enumerate(sheet.headers) if h != ERROR_HEADER]
    ws.write_row(0, 0, [*headers, ERROR_HEADER], bold)
    general = by_row.get(0, []) + by_row.get(1, [])
    if general:
        ws.write_string(0, len(headers) + 1, "；".join(general), red)
    for out_row, (number, values) in enumerate(sheet.raw, start=1):
        ws.write_row(out_row, 0, [cell_text(values[i]) if i < len(values) else "" for i in keep])
        if number in by_row:
            ws.write_string(out_row, len(headers), "；".join(by_row[number]), red)
    wb.close()
