"""The low-income register spreadsheet (低收入人口登记表, docs/monitoring.md): one row per register
entry. Reading uses python-calamine into the enrollment ledger's sheet shape, so the row-by-row error
report (错误 column) and the ``第N行【列名】`` texts are the same as the ledger import's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jiuzhu.apps.enrollment.ledger_read import LedgerError, LedgerSheet, read_sheet


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False


COLUMNS = (
    Column("序号", "seq"),
    Column("家庭编号", "household"),
    Column("户主姓名", "head_name"),
    Column("户主身份证号", "head_id"),
    Column("类别", "category", True),
    Column("认定日期", "recognized_on", True),
    Column("有效期至", "valid_until"),
    Column("说明", "note"),
)
BY_KEY = {c.key: c for c in COLUMNS}
_BY_HEADER = {c.header: c for c in COLUMNS}
ERROR_HEADER = "错误"
# either identifies the household; at least one of the two columns must be present
HOUSEHOLD_HEADERS = ("家庭编号", "户主身份证号")

# 类别: the short names county lists use, the glossary labels and the codes
CATEGORY_CODES = {
    "低保边缘": "edge", "低保边缘家庭": "edge", "edge": "edge",
    "刚性支出困难": "rigid_expenditure", "刚性支出困难家庭": "rigid_expenditure", "rigid_expenditure": "rigid_expenditure",
    "临时救助": "temporary", "临时救助对象": "temporary", "temporary": "temporary",
}
CATEGORY_SHORT = {"edge": "低保边缘", "rigid_expenditure": "刚性支出困难", "temporary": "临时救助"}

EXPORT_HEADERS = ("序号", "家庭编号", "户主姓名", "户主身份证号(脱敏)", "村(居)区划代码", "村(居)", "类别", "认定日期",
                  "有效期至", "说明", "状态", "登记时间")


def header_of(key: str) -> str:
    return BY_KEY[key].header


def read_register(path: str | Path) -> LedgerSheet:
    """The first worksheet, header on row 1; unknown headers (the export's extra columns, the error
    report's 错误) are ignored. Row numbers are the spreadsheet's."""
    return read_sheet(path, COLUMNS, _BY_HEADER, header_check=_household_column)


def _household_column(present: set[str]) -> list[LedgerError]:
    if present & set(HOUSEHOLD_HEADERS):
        return []
    return [LedgerError(1, "家庭编号", "缺少“家庭编号”或“户主身份证号”列（至少要有其中一列）")]
