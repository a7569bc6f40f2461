"""The dashboard's tables as a spreadsheet (xlsxwriter): one sheet per panel, a title row, the headers
and the rows. Formulas are never written (``strings_to_formulas`` off): a region or category name
starting with "=" stays text. No personal data: the panels hold counts and sums only."""

from __future__ import annotations

import io
from decimal import Decimal

from jiuzhu.core.spreadsheets import xlsx_workbook

from .panels import Panel

SHEET_NAME_MAX = 31
FORBIDDEN = set("[]:*?/\\")


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in FORBIDDEN)[:SHEET_NAME_MAX] or "统计"
    name, n = base, 2
    while name in used:
        suffix = f"({n})"
        name, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def panels_xlsx(panels: list[Panel], *, heading: str, texts: list[tuple[str, str]] | None = None) -> bytes:
    """One sheet per panel; ``texts`` ((title, text) pairs, e.g. a report's sections) go first on a
    sheet of their own, one per row."""
    out = io.BytesIO()
    wb = xlsx_workbook(out, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0.00"})
    used: set[str] = set()
    if texts:
        ws = wb.add_worksheet(_sheet_name("报告正文", used))
        ws.write_string(0, 0, heading, bold)
        ws.set_column(0, 0, 16)
        ws.set_column(1, 1, 100, wb.add_format({"text_wrap": True, "valign": "top"}))
        for i, (title, text) in enumerate(texts, start=2):
            ws.write_string(i, 0, title, bold)
            ws.write_string(i, 1, text)
    for panel in panels:
        ws = wb.add_worksheet(_sheet_name(panel.title, used))
        ws.write_string(0, 0, f"{heading} · {panel.title}", bold)
        if panel.note:
            ws.write_string(1, 0, panel.note)
        ws.write_row(2, 0, panel.headers, bold)
        ws.set_column(0, 0, 18)
        ws.set_column(1, max(len(panel.headers) - 1, 1), 14)
        for i, row in enumerate(panel.rows, start=3):
            for j, cell in enumerate(row):
                if cell is None:
                    ws.write_blank(i, j, None)
                elif isinstance(cell, Decimal):
                    ws.write_number(i, j, float(cell), money if cell.as_tuple().exponent == -2 else None)
                elif isinstance(cell, int | float):
                    ws.write_number(i, j, cell)
                else:
                    ws.write_string(i, j, str(cell))
    wb.close()
    return out.getvalue()
