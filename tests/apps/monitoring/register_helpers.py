"""Register spreadsheets for the tests: the documented headers and three good rows of township A
(周八 by household number, 陈七 by the head's ID number, 刘六 by both)."""

from __future__ import annotations

from tests.apps.enrollment.ledger_helpers import write_xlsx

HEADERS = ("序号", "家庭编号", "户主姓名", "户主身份证号", "类别", "认定日期", "有效期至", "说明")


def good_rows(homes, ids) -> list[dict]:
    return [
        {"序号": 1, "家庭编号": homes["zhou"].number, "户主姓名": "周八", "类别": "临时救助", "认定日期": "2026-10-01",
         "说明": "因病临时救助 3000 元"},
        {"序号": 2, "户主身份证号": ids["chen"], "类别": "低保边缘", "认定日期": "2026-09-01", "有效期至": "2027-08-31"},
        {"序号": 3, "家庭编号": homes["liu"].number, "户主身份证号": ids["liu"], "类别": "刚性支出困难家庭",
         "认定日期": "2026/8/15"},
    ]


def register_file(path, rows, headers=HEADERS) -> str:
    return write_xlsx(path, rows, headers=headers)
