"""Writing the bank file (代发文件) of a batch in a layout, as CSV or xlsx, chunk by chunk.

Bank accounts are opened here and nowhere else: ``reveal=True`` decrypts each chunk's accounts (in
worker processes for large batches), writes them to the file and drops them; ``reveal=False``
writes the masked accounts (the preview a checker reviews before approval). Alongside a revealed
file the writer leaves the reconciliation index (``…-index.csv``: 序号, line id, amount in fen and
the keyed HMAC-SM3 digest of the account written) so the bank's result file can be checked later
without decrypting again. Files are written to a temporary name and renamed, mode 0600.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from jiuzhu.core.crypto import keyring
from jiuzhu.core.spreadsheets import neutralise_column, xlsx_workbook
from jiuzhu.rules.errors import ValidationFailed

from .crypto_pool import Opener
from .layouts import TOTAL_LABEL, Layout, summary_text
from .snapshot import fen_to_decimal_array

CHUNK = 100_000
XLSX_MAX_ROWS = 1_048_575
MAX_LISTED = 20
INDEX_SCHEMA = pa.schema([("seq", pa.int64()), ("line_id", pa.int64()), ("amount_fen", pa.int64()),
                          ("digest", pa.string())])


class _Problems:
    def __init__(self):
        self.rows: list[dict] = []
        self.count = 0

    def add(self, seq: int, line_id: int, field: str, message: str):
        self.count += 1
        if len(self.rows) < MAX_LISTED:
            self.rows.append({"row": seq, "line": line_id, "field": field, "message": f"第 {seq} 行：{message}"})


def _summaries(part: pa.Table) -> pa.Array:
    """摘要 per row, vectorised: the (month, program, carried) combinations are few, so each gets its
    text once and the rows index into them."""
    month = part.column("month")
    ym = (pc.year(month).to_numpy().astype(np.int64) * 100 + pc.month(month).to_numpy().astype(np.int64))
    programs = pc.unique(part.column("program")).to_pylist()
    prog = pc.index_in(part.column("program"), value_set=pa.array(programs, pa.string())).to_numpy()
    carried = part.column("carried").to_numpy(zero_copy_only=False).astype(np.int64)
    keys, inverse = np.unique((ym * 1000 + prog) * 2 + carried, return_inverse=True)
    texts = []
    for key in keys.tolist():
        combo, flag = divmod(key, 2)
        (year, mon), program = divmod(combo // 1000, 100), programs[combo % 1000]
        texts.append(summary_text(date(year, mon, 1), program, bool(flag)))
    return pa.DictionaryArray.from_arrays(pa.array(inverse.astype(np.int32)), pa.array(texts, pa.string())).cast(
        pa.string())


def _amounts(fen: np.ndarray, layout: Layout) -> pa.Array:
    if layout.amount_unit == "fen":
        return pa.array(fen, pa.int64())
    return fen_to_decimal_array(fen).cast(pa.string())


def _needs_quotes(rows: pa.Table, delimiter: str) -> bool:
    pattern = "[" + "".join("\\" + c for c in {delimiter, '"', "\n", "\r"}) + "]"
    return any(pc.any(pc.match_substring_regex(rows.column(c), pattern)).as_py() for c in ("payee", "bank_name"))


def write_bank_file(rows: pa.Table, *, layout: Layout, fmt: str, path: Path, reveal: bool,
                    index_path: Path | None = None, progress=None) -> dict:
    """Write ``rows`` (snapshot.BANK_ROWS_SCHEMA, in line order) to ``path``. Returns sha256, lines and
    amount_fen. Raises ValidationFailed listing the rows (nothing written) when an account is missing
    or cannot be opened, or a name cannot be encoded in the layout's encoding."""
    n = rows.num_rows
    if fmt == "xlsx" and n > XLSX_MAX_ROWS:
        raise ValidationFailed("payroll.xlsx_too_large", f"xlsx 文件最多 {XLSX_MAX_ROWS} 行，本批次 {n} 行，请导出 CSV",
                               field="format")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    problems = _Problems()
    fen_all = rows.column("amount_fen").to_numpy()
    total_fen = int(fen_all.sum()) if n else 0
    ring = keyring() if reveal else None
    sink = (_CsvSink(tmp, layout, quote=_needs_quotes(rows, layout.delimiter)) if fmt == "csv"
            else _XlsxSink(tmp, layout))
    index = [] if index_path is not None else None
    try:
        keys = ring.keys if reveal else {}
        digest_key = ring.blind_index_key if reveal and index is not None else None
        with Opener(keys, digest_key, n if reveal else 0) as opener:
            starts = list(range(0, n, CHUNK))
            parts = [rows.slice(s, CHUNK) for s in starts]
            ahead = max(len(opener.procs), 1)
            pending = [opener.submit(p.column("account_enc").to_pylist()) if reveal else None for p in parts[:ahead]]
            for i, (start, part) in enumerate(zip(starts, parts)):
                if reveal:
                    accounts, digests = pending[i].result()
                    pending[i] = None
                    if i + ahead < len(parts):  # the worker just freed gets the next chunk while we write this one
                        pending.append(opener.submit(parts[i + ahead].column("account_enc").to_pylist()))
                else:
                    accounts, digests = part.column("account_masked").to_pylist(), None
                seq = np.arange(start + 1, start + part.num_rows + 1, dtype=np.int64)
                _check_accounts(accounts, seq, part.column("line_id").to_pylist(), problems)
                if problems.count:
                    continue
                text = neutralise_column if fmt == "csv" else (lambda column: column)  # names only, never amounts
                columns = {
                    "seq": pa.array(seq), "payee": text(part.column("payee")),
                    "account": pa.array(accounts, pa.string()),
                    "bank_name": text(part.column("bank_name")), "region": part.column("region"),
                    "amount": _amounts(part.column("amount_fen").to_numpy(), layout),
                    "summary": _summaries(part), "line_id": part.column("line_id"),
                }
                sink.write(pa.table({title: columns[key] for key, title in layout.columns}), seq, problems)
                if index is not None:
                    index.append(pa.table({"seq": pa.array(seq), "line_id": part.column("line_id"),
                                           "amount_fen": part.column("amount_fen"),
                                           "digest": pa.array(digests, pa.string())}, schema=INDEX_SCHEMA))
                del accounts, columns
                if progress:
                    progress(start + part.num_rows)
        if problems.count:
            raise ValidationFailed(
                "payroll.bank_file_rows", f"有 {problems.count} 行无法写入银行文件，未生成文件", field="lines",
                errors=problems.rows, total=problems.count)
        sink.finish(n, total_fen)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        sink.abort()
        tmp.unlink(missing_ok=True)
        raise
    if index is not None:
        _write_index(index, index_path)
    return {"sha256": file_sha256(path), "lines": n, "amount_fen": total_fen}


def _check_accounts(accounts: list, seq, line_ids: list, problems: _Problems):
    if all(accounts):
        return
    for s, line_id, account in zip(seq.tolist(), line_ids, accounts):
        if not account:
            problems.add(s, line_id, "account", "缺少银行账号" if account == "" else "银行账号密文无法解密（密钥或数据损坏）")


def _write_index(parts: list[pa.Table], path: Path):
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    table = pa.concat_tables(parts) if parts else INDEX_SCHEMA.empty_table()
    pacsv.write_csv(table, tmp)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_index(path: Path) -> pa.Table:
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=INDEX_SCHEMA))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _CsvSink:
    def __init__(self, path: Path, layout: Layout, *, quote: bool):
        self.fh = open(path, "wb")
        self.layout = layout
        self.first = True
        style = "needed" if quote else "none"
        self.options = dict(delimiter=layout.delimiter, quoting_style=style, quoting_header=style, batch_size=8192)
        if layout.encoding == "utf-8-sig":
            self.fh.write("\ufeff".encode())

    def write(self, table: pa.Table, seq, problems: _Problems):
        buf = io.BytesIO()
        pacsv.write_csv(table, buf, write_options=pacsv.WriteOptions(
            include_header=self.first and self.layout.header, **self.options))
        self.first = False
        self.fh.write(self._encode(buf.getvalue(), table, seq, problems))

    def _encode(self, data: bytes, table: pa.Table, seq, problems: _Problems) -> bytes:
        encoding = self.layout.encoding
        if encoding.startswith("utf-8"):
            return data
        try:
            return data.decode("utf-8").encode(encoding)
        except UnicodeEncodeError:
            for column in table.column_names:
                for s, value in zip(seq.tolist(), table.column(column).to_pylist()):
                    try:
                        str(value).encode(encoding)
                    except UnicodeEncodeError:
                        problems.add(s, 0, column, f"“{column}”含 {encoding.upper()} 无法表示的字符")
            return b""

    def finish(self, n: int, total_fen: int):
        if self.layout.total_row:
            keys = [k for k, _ in self.layout.columns]
            cells = [""] * len(keys)
            cells[0] = TOTAL_LABEL
            if len(keys) > 1 and keys[1] != "amount":
                cells[1] = str(n)
            total = str(total_fen) if self.layout.amount_unit == "fen" else f"{total_fen // 100}.{total_fen % 100:02d}"
            cells[keys.index("amount")] = total
            self.fh.write((self.layout.delimiter.join(cells) + "\n").encode(self.layout.encoding.replace("-sig", "")))
        self.fh.close()

    def abort(self):
        self.fh.close()


class _XlsxSink:
    def __init__(self, path: Path, layout: Layout):
        self.layout = layout
        self.book = xlsx_workbook(path, {"constant_memory": True, "strings_to_numbers": False})
        self.sheet = self.book.add_worksheet("代发明细")
        self.money = self.book.add_format({"num_format": "0.00"})
        self.row = 0
        if layout.header:
            self.sheet.write_row(0, 0, [t for _, t in layout.columns])
            self.row = 1

    def write(self, table: pa.Table, seq, problems: _Problems):
        sheet, money, row = self.sheet, self.money, self.row
        keys = [k for k, _ in self.layout.columns]
        amount_col = keys.index("amount")
        yuan = self.layout.amount_unit == "yuan"
        columns = [c.to_pylist() for c in table.columns]
        for values in zip(*columns):
            values = list(values)
            amount = values[amount_col]
            values[amount_col] = None
            sheet.write_row(row, 0, values)
            if yuan:
                sheet.write_number(row, amount_col, float(amount), money)  # 2-decimal values round-trip exactly
            else:
                sheet.write_number(row, amount_col, amount)
            row += 1
        self.row = row

    def finish(self, n: int, total_fen: int):
        if self.layout.total_row:
            keys = [k for k, _ in self.layout.columns]
            self.sheet.write_string(self.row, 0, TOTAL_LABEL)
            col = keys.index("amount")
            if self.layout.amount_unit == "fen":
                self.sheet.write_number(self.row, col, total_fen)
            else:
                self.sheet.write_number(self.row, col, total_fen / 100, self.money)
        self.book.close()

    def abort(self):
        try:
            self.book.close()
        except Exception:  # noqa: BLE001, S110 — the temporary file is removed anyway
            pass
