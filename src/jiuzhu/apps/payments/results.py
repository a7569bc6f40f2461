"""The bank's result file (回盘文件): parsing it in the layout's result columns and checking every row
against the batch's reconciliation index before anything is applied.

Checked: 序号 known and not repeated, account equal to the one written (keyed digest), amount equal,
result recognised, every line of the batch present, and the 合计 row (when given) and the sum of the
rows equal to the batch total. Any problem → the rows are listed and nothing is applied.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyarrow as pa

from jiuzhu.core import uploads
from jiuzhu.core.crypto import keyring

from .crypto_pool import digests
from .layouts import RESULT_REQUIRED, TOTAL_LABEL, Layout

MAX_LISTED = 50
MAX_FILE_BYTES = 200 * uploads.MB


@dataclass
class Outcome:
    line_id: int
    paid: bool
    code: str
    message: str


class Problems:
    def __init__(self):
        self.items: list[dict] = []
        self.count = 0

    def add(self, row: int | None, field: str, message: str):
        self.count += 1
        if len(self.items) < MAX_LISTED:
            where = f"第 {row} 行：" if row else ""
            self.items.append({"row": row, "field": field, "message": where + message})


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_file(content: bytes, filename: str) -> None:
    """The result file can be read at all (jiuzhu.core.uploads): not empty or too large, a whole xlsx,
    or CSV text in UTF-8/GBK (UTF-16 and binary refused). Raises ``ValidationFailed`` (``file.<problem>``)."""
    name = filename or "回盘文件"
    uploads.check_size(len(content), name=name, limit=MAX_FILE_BYTES)
    if name.lower().endswith((".xlsx", ".xls")):
        uploads.check_xlsx(content, name=name, limit=MAX_FILE_BYTES, allow_xls=True)
    else:
        uploads.text_encoding(content, name=name, complete=True)


def _read_rows(content: bytes, filename: str, layout: Layout, problems: Problems) -> list[list[str]]:
    if filename.lower().endswith((".xlsx", ".xls")):
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
            return [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        except Exception:  # noqa: BLE001 — any unreadable workbook is the same user error
            problems.add(None, "file", "无法读取 Excel 文件")
            return []
    text = None
    for encoding in dict.fromkeys([layout.encoding.replace("-sig", ""), "utf-8", "gb18030"]):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        problems.add(None, "file", f"文件编码无法识别（应为 {layout.encoding.upper()}）")
        return []
    text = text.lstrip("\ufeff")
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=layout.delimiter)]
    except csv.Error as exc:
        problems.add(None, "file", f"CSV 格式错误（{exc}）")
        return []


def _fen(text: str, layout: Layout) -> int | None:
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if layout.amount_unit == "fen":
        return int(value) if value == value.to_integral_value() else None
    fen = value * 100
    return int(fen) if fen == fen.to_integral_value() else None


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def check_result(content: bytes, filename: str, *, layout: Layout, index: pa.Table,
                 batch_total_fen: int) -> tuple[list[Outcome], Problems]:
    """Parse and check the result file. Returns the outcome per line and the problems (apply the
    outcomes only when there are none)."""
    problems = Problems()
    rows = [r for r in _read_rows(content, filename, layout, problems) if any(r)]
    if problems.count:
        return [], problems
    if not rows:
        problems.add(None, "file", "结果文件为空")
        return [], problems
    titles = dict(layout.result_columns)
    header = rows[0]
    where = {key: header.index(title) for key, title in titles.items() if title in header}
    missing = [titles[k] for k in RESULT_REQUIRED if k not in where]
    if missing:
        problems.add(1, "header", f"表头缺少列：{'、'.join(missing)}（“{layout.label}”的回盘列为 "
                                  f"{'、'.join(titles.values())}；其他格式请用 --layout 指定）")
        return [], problems

    seqs = index.column("seq").to_pylist()
    by_seq = dict(zip(seqs, zip(index.column("line_id").to_pylist(), index.column("amount_fen").to_pylist(),
                                index.column("digest").to_pylist())))
    body = []
    declared_total = None
    for number, row in enumerate(rows[1:], start=2):
        cells = {key: (row[i] if i < len(row) else "") for key, i in where.items()}
        if cells["seq"] == TOTAL_LABEL:
            declared_total = _fen(cells["amount"], layout)
            if declared_total is None:
                problems.add(number, "amount", f"合计金额“{cells['amount']}”无效")
            continue
        body.append((number, cells))
    accounts = digests([cells["account"] for _, cells in body], keyring().blind_index_key)

    outcomes: list[Outcome] = []
    seen: dict[int, int] = {}
    file_total = 0
    success, failure = set(layout.success_values), set(layout.failure_values)
    for (number, cells), digest in zip(body, accounts):
        raw_seq = cells["seq"]
        seq = int(raw_seq) if raw_seq.isdigit() else None
        if seq is None:
            problems.add(number, "seq", f"序号“{raw_seq}”无效")
            continue
        if seq in seen:
            problems.add(number, "seq", f"序号 {seq} 重复（第 {seen[seq]} 行已出现）")
            continue
        seen[seq] = number
        known = by_seq.get(seq)
        if known is None:
            problems.add(number, "seq", f"序号 {seq} 不在本批次中（未知明细）")
            continue
        line_id, amount_fen, expected = known
        if digest != expected:
            problems.add(number, "account", f"银行账号与本批次第 {seq} 行不符（未知账号）")
        fen = _fen(cells["amount"], layout)
        if fen is None:
            problems.add(number, "amount", f"金额“{cells['amount']}”无效")
        else:
            file_total += fen
            if fen != amount_fen:
                problems.add(number, "amount", f"金额不符：文件 {_yuan(fen)} 元，批次 {_yuan(amount_fen)} 元")
        result = cells["result"]
        if result not in success and result not in failure:
            problems.add(number, "result", f"处理结果“{result}”无法识别（应为 {'、'.join(success | failure)}）")
            continue
        outcomes.append(Outcome(line_id, result in success, cells.get("code", "")[:20], cells.get("message", "")[:200]))

    absent = [s for s in seqs if s not in seen]
    if absent:
        shown = "、".join(map(str, absent[:20])) + ("…" if len(absent) > 20 else "")
        problems.add(None, "seq", f"批次中有 {len(absent)} 行在结果文件中缺失（序号 {shown}）")
    if declared_total is not None and declared_total != file_total:
        problems.add(None, "total", f"合计金额不符：文件合计 {_yuan(declared_total)} 元，明细合计 {_yuan(file_total)} 元")
    if file_total != batch_total_fen:
        problems.add(None, "total", f"合计金额不符：文件明细合计 {_yuan(file_total)} 元，批次合计 {_yuan(batch_total_fen)} 元")
    return outcomes, problems
