"""Spreadsheet exports that cannot run formulas (CSV/formula injection).

A name typed as ``=HYPERLINK(…)`` or ``@SUM(…)`` in the registry must reach an exported workbook or
CSV as text, never as a formula Excel or WPS would evaluate:

* xlsx: every workbook comes from ``xlsx_workbook`` — xlsxwriter with ``strings_to_formulas`` off (a
  string starting with ``=`` is written as text) and ``strings_to_urls`` off (no clickable links made
  from data);
* CSV: text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
  single quote (OWASP's advice). Plain numbers (``-12.00``, ``+86``) are left alone: a number cannot
  be a formula, and amounts in bank files must stay numbers. Apply it to text columns only (names,
  notes, reasons), never to the amounts or accounts a bank reads.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}
FORMULA_START = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_FORMULA_RE = re.compile(FORMULA_START)
_NUMBER_RE = re.compile(_NUMBER)


def xlsx_workbook(target, options: dict | None = None):
    """An ``xlsxwriter.Workbook`` on ``target`` (path or file object) that writes strings as strings."""
    import xlsxwriter

    return xlsxwriter.Workbook(str(target) if hasattr(target, "__fspath__") else target,
                               {**(options or {}), **XLSX_OPTIONS})


def neutralise(value):
    """One CSV cell: a text that a spreadsheet would read as a formula gets a leading ``'``."""
    if isinstance(value, str) and _FORMULA_RE.match(value) and not _NUMBER_RE.match(value):
        return "'" + value
    return value


def neutralise_column(values) -> pa.Array | pa.ChunkedArray:
    """``neutralise`` over an Arrow string column (other types are returned unchanged)."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return values
    risky = pc.and_(pc.match_substring_regex(values, FORMULA_START),
                    pc.invert(pc.match_substring_regex(values, _NUMBER)))
    prefixed = pc.binary_join_element_wise(pa.scalar("'", values.type), values, pa.scalar("", values.type))
    return pc.if_else(pc.fill_null(risky, False), prefixed, values)


def neutralise_table(table: pa.Table, columns=None) -> pa.Table:
    """``table`` with its string columns (or only ``columns``) neutralised."""
    names = table.column_names if columns is None else [c for c in columns if c in table.column_names]
    for name in names:
        i = table.column_names.index(name)
        table = table.set_column(i, table.field(i), neutralise_column(table.column(i)))
    return table
