"""A small valid ledger (three households, one row per member) and a writer for test workbooks."""

from __future__ import annotations

from datetime import date

import xlsxwriter

from jiuzhu.apps.enrollment.ledger_columns import HEADERS
from tests.conftest import VILLAGE_A, VILLAGE_A2, make_id


def write_xlsx(path, rows: list[dict], headers=HEADERS, numeric: set[str] = frozenset()) -> str:
    """Rows as {header: value}; text cells stay text unless the header is in ``numeric``."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, h in enumerate(headers):
            value = row.get(h, "")
            if (h in numeric and str(value).isdigit()) or isinstance(value, (int, float)):
                ws.write_number(r, c, float(value))
            else:
                ws.write_string(r, c, str(value))
    wb.close()
    return str(path)


def sample_rows() -> list[dict]:
    """Rows 2–6: a dibao couple (class C), a tekun elder, and an edge household whose disabled son is
    enrolled alone (单人施保)."""
    head1, wife1 = make_id(date(1965, 3, 8)), make_id(date(1967, 9, 21), male=False)
    elder = make_id(date(1944, 2, 6))
    head3, son3 = make_id(date(1970, 1, 2)), make_id(date(1998, 6, 1))
    base1 = {"户主姓名": "张建国", "户主身份证号": head1}
    base2 = {"户主姓名": "王老汉", "户主身份证号": elder}
    base3 = {"户主姓名": "陈立新", "户主身份证号": head3}
    return [
        {"序号": 1, **base1, "成员姓名": "张建国", "成员身份证号": head1, "与户主关系": "户主", "共同生活": "是",
         "村(居)区划代码": VILLAGE_A, "城乡类别": "农村", "居住地址": "珍珠半岛村12号", "开户行": "浙江农商银行",
         "银行账号": "6228480012345678901", "联系电话": "13905711234", "转移净收入(元/月)": 100,
         "保障类别": "低保", "分类": "C", "月保障金(元)": 2341.8, "保障人数": 2, "起始月份": "2026-01",
         "状态": "在保", "确认日期": "2025-12-20", "下次复核": "2026-07-01"},
        {"序号": 2, **base1, "成员姓名": "李秀英", "成员身份证号": wife1, "与户主关系": "配偶",
         "转移净收入(元/月)": 100, "残疾类别": "无", "健康状况": "慢性病"},
        {"序号": 3, **base2, "成员姓名": "王老汉", "成员身份证号": elder, "与户主关系": "户主",
         "村(居)区划代码": VILLAGE_A2, "城乡类别": "农村", "保障类别": "特困", "月保障金(元)": 2775,
         "起始月份": "2026-03-01"},
        {"序号": 4, **base3, "成员姓名": "陈立新", "成员身份证号": head3, "与户主关系": "户主",
         "村(居)区划代码": VILLAGE_A, "城乡类别": "农村", "工资性收入(元/月)": 3200},
        {"序号": 5, **base3, "成员姓名": "陈小军", "成员身份证号": son3, "与户主关系": "子女", "残疾类别": "肢体",
         "残疾等级": 2, "保障类别": "低保单人施保", "月保障金(元)": 1690.3, "起始月份": "2026-02"},
    ]
