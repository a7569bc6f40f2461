"""Department files → validated, blind-indexed snapshot tables (columnar, no per-row Python).

``read_file`` gives every column as strings (CSV in UTF-8 or GB18030, Parquet, xlsx via
python-calamine); ``validate`` checks each row against the dataset's declared columns and splits
the good rows (typed: dates, integer fen, codes) from the rejects (with Chinese reasons, the ID
number masked); ``snapshot_table`` replaces the ID number by its blind index. The raw ID number
never leaves this module: neither snapshots nor reject files hold it.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from jiuzhu.core import uploads
from jiuzhu.core.spreadsheets import neutralise_table
from jiuzhu.rules.idcard import PROVINCE_CODES

from .datasets import Dataset

SUFFIXES = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".xls": "xlsx"}
_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_PROVINCES = np.zeros(100, dtype=bool)
_PROVINCES[[int(c) for c in PROVINCE_CODES]] = True
_MONEY = r"^\d{1,12}(\.\d{1,2})?$"
_DECIMAL = r"^\d{1,10}(\.\d{1,2})?$"
SNAPSHOT_TYPES = {"date": pa.date32(), "money": pa.int64(), "int": pa.int64(), "decimal": pa.decimal128(12, 2),
                  "enum": pa.string(), "string": pa.string()}


class FileUnreadable(Exception):
    """The file cannot be read as a table (message in Chinese)."""


def file_kind(path: Path) -> str:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise FileUnreadable(f"不支持的文件类型“{path.suffix or '无扩展名'}”：请提供 CSV、Parquet 或 xlsx 文件")
    return kind


def check_file(path: Path, *, limit: int) -> str:
    """The file's kind after checking that it can be read as one (jiuzhu.core.uploads): size, CSV
    encoding (UTF-8/GBK; UTF-16 and binary refused), a whole xlsx or Parquet file. Raises
    ``ValidationFailed`` (code ``file.<problem>``) naming the problem."""
    kind = file_kind(path)
    uploads.check_path(path, limit=limit)
    if kind == "csv":
        uploads.csv_file_encoding(path)
    elif kind == "xlsx":
        uploads.check_xlsx(path, name=path.name, limit=limit, allow_xls=True)
    else:
        uploads.check_parquet(path)
    return kind


def read_header(path: Path) -> list[str]:
    """Only the column names (the check before reading any row)."""
    kind = file_kind(path)
    if kind == "parquet":
        try:
            return list(pq.read_schema(path).names)
        except Exception as exc:  # noqa: BLE001  (pyarrow raises several types for a bad file)
            raise FileUnreadable(f"无法读取 Parquet 文件：{exc}") from None
    if kind == "xlsx":
        rows = _xlsx_rows(path, limit=1)
        return [_cell(v) or "" for v in rows[0]] if rows else []
    encoding = _csv_encoding(path)
    try:
        with open(path, encoding=encoding, newline="") as fh:
            return next(csv.reader(fh), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FileUnreadable(f"CSV 文件表头无法读取（{type(exc).__name__}），请检查文件编码与格式") from None


def read_file(path: Path) -> pa.Table:
    """The whole file as a table of string columns, in file order (header names as in the file)."""
    kind = file_kind(path)
    if kind == "parquet":
        try:
            table = pq.read_table(path)
        except Exception as exc:  # noqa: BLE001  (pyarrow raises several types for a damaged file)
            raise FileUnreadable(f"Parquet 文件已损坏，无法读取（{type(exc).__name__}），请重新导出") from None
        return pa.table({name: _as_strings(col) for name, col in zip(table.column_names, table.columns)})
    if kind == "xlsx":
        rows = _xlsx_rows(path)
        if not rows:
            return pa.table({})
        header = [_cell(v) or "" for v in rows[0]]
        width = len(header)
        body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[1:] if any(_cell(v) for v in r)]
        columns = list(zip(*body)) if body else [()] * width
        return pa.table({h: pa.array([_cell(v) for v in col], pa.string()) for h, col in zip(header, columns)})
    header = read_header(path)
    encoding = _csv_encoding(path)
    try:
        return pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(encoding=encoding, block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        raise FileUnreadable(f"CSV 文件格式错误：{exc}") from None
    except UnicodeDecodeError as exc:  # transcoding a GBK file found bytes of another encoding further on
        raise FileUnreadable(f"CSV 文件编码不一致：开头是 {encoding.upper()}，后面有无法识别的字节（{exc.reason}），"
                             "请整体另存为 UTF-8 后重试") from None


def _csv_encoding(path: Path) -> str:
    """UTF-8 (BOM honoured) or GB18030, by the policy of jiuzhu.core.uploads (raises for UTF-16/binary)."""
    return uploads.csv_file_encoding(path)


def _xlsx_rows(path: Path, limit: int | None = None) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        return sheet.to_python(nrows=limit) if limit else sheet.to_python()
    except Exception as exc:  # noqa: BLE001
        raise FileUnreadable(f"无法读取 xlsx 文件：{exc}") from None


def _cell(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _as_strings(col) -> pa.ChunkedArray:
    if pa.types.is_timestamp(col.type):
        col = pc.cast(col, pa.date32())
    return pc.cast(col, pa.string())


# -- validation --------------------------------------------------------------------------------

def _blank(values) -> pa.Array:
    return pc.fill_null(pc.equal(values, ""), True)


def _reason(bad, text: str) -> pa.Array:
    return pc.if_else(pc.fill_null(bad, True), pa.scalar(text), pa.scalar(None, pa.string()))


def normalize_ids(values) -> pa.Array:
    return pc.utf8_upper(pc.replace_substring(pc.utf8_trim_whitespace(values), " ", ""))


def id_problems(values, as_of: date) -> pa.Array:
    """For each normalized ID number, the reason it is not valid (GB 11643) or null."""
    n = len(values)
    fmt = pc.fill_null(pc.match_substring_regex(values, r"^\d{17}[\dX]$"), False)
    safe = pc.if_else(fmt, values, pa.scalar("0" * 18)).combine_chunks() if isinstance(values, pa.ChunkedArray) \
        else pc.if_else(fmt, values, pa.scalar("0" * 18))
    fixed = safe.cast(pa.binary()).cast(pa.binary(18))
    raw = np.frombuffer(fixed.buffers()[1], dtype=np.uint8)[fixed.offset * 18:(fixed.offset + n) * 18].reshape(n, 18)
    digits = raw[:, :17].astype(np.int64) - 48
    province = _PROVINCES[np.clip(digits[:, 0] * 10 + digits[:, 1], 0, 99)]
    check_ok = _CHECK[(digits @ _WEIGHTS) % 11] == raw[:, 17]
    born_text = pc.utf8_slice_codeunits(safe, 6, 14)
    born = pc.strptime(born_text, format="%Y%m%d", unit="s", error_is_null=True)
    born_ok = pc.fill_null(pc.and_(pc.equal(pc.strftime(born, format="%Y%m%d"), born_text),
                                   pc.and_(pc.greater_equal(born_text, "19000101"),
                                           pc.less_equal(born_text, as_of.strftime("%Y%m%d")))), False)
    fmt_np = np.asarray(fmt.to_numpy(zero_copy_only=False), dtype=bool)
    born_np = np.asarray(born_ok.to_numpy(zero_copy_only=False), dtype=bool)
    out = np.full(n, None, dtype=object)
    out[~check_ok] = "身份证号校验位错误"
    out[~born_np] = "身份证号中的出生日期不存在或不合理"
    out[~province] = "身份证号前6位地址码不是有效的行政区划代码"
    out[~fmt_np] = "身份证号应为18位：前17位数字，末位为数字或X"
    return pa.array(out, pa.string())


def _dates(values, as_of: date, future_ok: bool):
    text = pc.replace_substring(pc.utf8_trim_whitespace(values), "/", "-")
    text = pc.replace_substring_regex(text, r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3")
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d{2})$", r"\1-01")
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d{2}-\d{2})[ T].*$", r"\1")
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    ok = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), text)
    ok = pc.and_(ok, pc.greater_equal(text, "1900-01-01"))
    if not future_ok:
        ok = pc.and_(ok, pc.less_equal(text, as_of.isoformat()))
    message = "日期格式应为 YYYY-MM-DD" if future_ok else f"日期格式应为 YYYY-MM-DD，且不晚于数据日期 {as_of.isoformat()}"
    return pc.cast(parsed, pa.date32()), pc.fill_null(ok, False), message


def _money(values):
    text = pc.utf8_trim_whitespace(values)
    ok = pc.fill_null(pc.match_substring_regex(text, _MONEY), False)
    safe = pc.if_else(ok, text, pa.scalar("0"))
    fen = pc.cast(pc.round(pc.multiply(pc.cast(safe, pa.float64()), 100.0)), pa.int64())
    return fen, ok, "金额应为不小于0的数字，最多两位小数"


def _int(values, maximum: int | None):
    text = pc.utf8_trim_whitespace(values)
    ok = pc.fill_null(pc.match_substring_regex(text, r"^\d{1,9}$"), False)
    number = pc.cast(pc.if_else(ok, text, pa.scalar("0")), pa.int64())
    if maximum is not None:
        ok = pc.and_(ok, pc.less_equal(number, maximum))
    return number, ok, "应为不小于0的整数" + (f"，最大 {maximum}" if maximum is not None else "")


def _decimal(values):
    text = pc.utf8_trim_whitespace(values)
    ok = pc.fill_null(pc.match_substring_regex(text, _DECIMAL), False)
    return pc.cast(pc.if_else(ok, text, pa.scalar("0")), pa.decimal128(12, 2)), ok, "应为不小于0的数字，最多两位小数"


def _enum(values, column):
    codes = [c for c, _ in column.choices]
    lookup = codes + [label for _, label in column.choices]
    index = pc.index_in(pc.utf8_trim_whitespace(values), value_set=pa.array(lookup))
    ok = pc.is_valid(index)
    mapped = pc.take(pa.array(codes * 2), pc.fill_null(index, 0))
    allowed = "、".join(f"{c}({label})" for c, label in column.choices)
    return mapped, ok, f"取值无效，可选：{allowed}"


def validate(dataset: Dataset, table: pa.Table, as_of: date) -> tuple[pa.Table, pa.Table]:
    """(good rows, rejects). ``table`` has the dataset's column names (strings; optional columns may
    be missing). Good rows: ``row_no``, the normalized ``id_number`` and typed value columns.
    Rejects: ``row_no``, ``reasons``, then every column as in the file with the ID number masked."""
    n = table.num_rows
    until = {r.until for r in dataset.rules if r.until}
    columns, reasons = {}, pa.nulls(n, pa.string())
    for col in dataset.columns:
        raw = table.column(col.name) if col.name in table.column_names else pa.nulls(n, pa.string())
        raw = raw.combine_chunks() if isinstance(raw, pa.ChunkedArray) else raw
        blank = _blank(pc.utf8_trim_whitespace(raw))
        if col.type == "id_number":
            value = normalize_ids(raw)
            problem = pc.if_else(blank, pa.scalar("必填"), id_problems(value, as_of))
        else:
            if col.type == "date":
                value, ok, message = _dates(raw, as_of, col.name in until)
            elif col.type == "money":
                value, ok, message = _money(raw)
            elif col.type == "int":
                value, ok, message = _int(raw, col.maximum)
            elif col.type == "decimal":
                value, ok, message = _decimal(raw)
            elif col.type == "enum":
                value, ok, message = _enum(raw, col)
            else:
                value, ok, message = (pc.utf8_trim_whitespace(raw),
                                      pc.fill_null(pc.less_equal(pc.utf8_length(raw), 200), True), "过长（最多200字）")
            value = pc.if_else(blank, pa.scalar(None, value.type), value)
            problem = _reason(pc.and_not(pc.invert(ok), blank), message)
            if col.required:
                problem = pc.coalesce(_reason(blank, "必填"), problem)
        columns[col.name] = value
        labelled = pc.binary_join_element_wise(pa.scalar(f"{col.label}（{col.name}）："), problem, "")
        # (binary_join_element_wise's null_handling="skip" drops rows in pyarrow 26: combine by hand)
        reasons = pc.coalesce(pc.binary_join_element_wise(reasons, labelled, "；"), reasons, labelled)
    reasons = pc.if_else(pc.equal(reasons, ""), pa.scalar(None, pa.string()), reasons)
    bad = pc.is_valid(reasons)
    row_no = pa.array(np.arange(1, n + 1, dtype=np.int64))
    good = pa.table({"row_no": row_no, **columns}).filter(pc.invert(bad))
    masked = {c.name: _mask_ids(normalize_ids(table.column(c.name))) if c.type == "id_number" else table.column(c.name)
              for c in dataset.columns if c.name in table.column_names}
    rejects = pa.table({"row_no": row_no, "reasons": reasons, **{k: pc.cast(v, pa.string()) for k, v in masked.items()}})
    return good, rejects.filter(bad)


def _mask_ids(values) -> pa.Array:
    """1101**********1234 (longer than 8 characters); shorter values are masked entirely."""
    long = pc.greater(pc.utf8_length(values), 8)
    kept = pc.binary_join_element_wise(pc.utf8_slice_codeunits(values, 0, 4), pa.scalar("*" * 10),
                                       pc.utf8_slice_codeunits(values, -4), "")
    return pc.if_else(pc.fill_null(long, False), kept, pa.scalar("****"))


# -- snapshot ----------------------------------------------------------------------------------

def blind_index_column(ids, indexer) -> pa.Array:
    """Blind index of every ID: ``indexer(list of distinct values) → list of hex``, each value once."""
    ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    distinct = pc.unique(ids)
    hashed = pa.array(indexer(distinct.to_pylist()), pa.string())
    return pc.take(hashed, pc.index_in(ids, value_set=distinct))


def snapshot_schema(dataset: Dataset) -> pa.Schema:
    fields = [pa.field("bidx", pa.string(), nullable=False), pa.field("row_no", pa.int64(), nullable=False)]
    for c in dataset.value_columns:
        meta = {"label": c.label, "unit": "fen" if c.type == "money" else ""}
        fields.append(pa.field(c.name, SNAPSHOT_TYPES[c.type], metadata={k: v for k, v in meta.items() if v}))
    return pa.schema(fields)


def snapshot_table(dataset: Dataset, good: pa.Table, indexer) -> pa.Table:
    """The snapshot: blind index, row number and the value columns (no ID number, no name)."""
    schema = snapshot_schema(dataset)
    bidx = blind_index_column(good.column(dataset.id_column.name), indexer)
    arrays = [bidx, good.column("row_no")] + [pc.cast(good.column(f.name), f.type) for f in list(schema)[2:]]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_parquet(table: pa.Table, path: Path, metadata: dict | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               **{k: str(v) for k, v in metadata.items()}})
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=1 << 20)
    tmp.replace(path)


def csv_bytes(table: pa.Table, *, neutralise: bool = False) -> bytes:
    """A table as UTF-8 CSV with BOM (opens correctly in Excel). ``neutralise``: text cells that Excel
    would run as a formula get a leading ``'`` (jiuzhu.core.spreadsheets) — for every file handed to
    a user."""
    if neutralise:
        table = neutralise_table(table)
    buf = io.BytesIO()
    pacsv.write_csv(table, buf)
    return b"\xef\xbb\xbf" + buf.getvalue()
