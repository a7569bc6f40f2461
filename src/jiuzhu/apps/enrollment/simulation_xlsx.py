"""A policy simulation as a spreadsheet (xlsxwriter, constant memory): 汇总, 乡镇 (per-township cost per
month and year) and 受影响家庭 (one row per affected household, names masked)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from jiuzhu.apps.registry.pii import mask_name
from jiuzhu.core.spreadsheets import xlsx_workbook

from .simulation import EDGE_WORDS, MOVEMENT_WORDS

STATUS_WORDS = {"dibao": "低保", "edge": "低保边缘", "ineligible": "不符合"}
TOWN_HEADER = ("乡镇区划代码", "乡镇", "登记家庭", "在保户", "新纳入", "退出", "类别变化", "金额变化", "新增边缘", "退出边缘",
               "原月金额(元)", "新月金额(元)", "月增支(元)", "年增支(元)")
DETAIL_HEADER = ("户编号", "户主", "村(居)区划代码", "乡镇区划代码", "城乡类别", "在保", "原结果", "新结果", "原分类", "新分类",
                 "原月金额(元)", "新月金额(元)", "差额(元)", "变化", "边缘")


def write_simulation_xlsx(summary: dict, rows: pa.Table, target) -> int:
    """Write the workbook to ``target`` (path or file object); returns the number of detail rows."""
    wb = xlsx_workbook(target if not isinstance(target, str) else Path(target), {"constant_memory": True})
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "0.00"})
    ws = wb.add_worksheet("汇总")
    ws.write_string(0, 0, f"政策测算：{summary.get('region_name') or summary['region']}，自 {summary['start']} 起（未生效，仅测算）",
                    bold)
    r = 1
    for c in summary["changes"]:
        ws.write_string(r, 0, f"{c['label']}：{c['previous']} → {c['value']}")
        r += 1
    counts = summary["counts"]
    lines = [f"登记家庭 {summary['households']} 户（其中在保 {summary['enrolled']} 户）",
             f"新纳入 {counts['enter']} 户、退出 {counts['leave']} 户、类别变化 {counts['class']} 户、金额变化 {counts['amount']} 户；"
             f"新增低保边缘 {summary['edge_in']} 户、不再是低保边缘 {summary['edge_out']} 户",
             f"月保障金 {summary['old_month']} → {summary['new_month']} 元；每月增支 {summary['diff_month']} 元，"
             f"每年增支 {summary['diff_year']} 元"]
    tekun = summary.get("tekun") or {}
    if tekun.get("enrolled"):
        lines.append(f"特困人员 {tekun['enrolled']} 人：供养金额变化 {tekun['changed']} 人，每月增支 {tekun['diff_month']} 元，"
                     f"每年增支 {tekun['diff_year']} 元（未匹配照料等级 {tekun['unmatched']} 人）")
    for line in lines + [f"提示：{w}" for w in summary.get("warnings", [])]:
        ws.write_string(r + 1, 0, line)
        r += 1
    ws.set_column(0, 0, 80)
    towns = wb.add_worksheet("乡镇")
    towns.write_row(0, 0, TOWN_HEADER, bold)
    for i, t in enumerate(summary["townships"], start=1):
        towns.write_row(i, 0, (t["township"], t["township_name"], t["households"], t["enrolled"], t["enter"],
                               t["leave"], t["klass"], t["amount"], t["edge_in"], t["edge_out"]))
        for c, key in enumerate(("old_month", "new_month", "diff_month", "diff_year"), start=10):
            towns.write_number(i, c, float(t[key]), money)
    towns.set_column(0, 1, 16)
    towns.set_column(10, 13, 16)
    detail = wb.add_worksheet("受影响家庭")
    detail.write_row(0, 0, DETAIL_HEADER, bold)
    n = 0
    for batch in rows.to_batches(max_chunksize=10_000):
        for row in batch.to_pylist():
            n += 1
            detail.write_row(n, 0, (
                f"H{row['household_id']:08d}", mask_name(row["head_name"]), row["village"], row["township"],
                "城市" if row["area_type"] == "urban" else "农村", "是" if row["enrolled"] == "dibao" else "否",
                STATUS_WORDS.get(row["old_status"], row["old_status"]), STATUS_WORDS.get(row["new_status"], row["new_status"]),
                row["old_class"], row["new_class"]))
            for c, key in enumerate(("old_fen", "new_fen", "diff_fen"), start=10):
                detail.write_number(n, c, row[key] / 100, money)
            detail.write_string(n, 13, MOVEMENT_WORDS.get(row["movement"], ""))
            detail.write_string(n, 14, EDGE_WORDS.get(row["edge"], ""))
    detail.set_column(0, 4, 14)
    wb.close()
    return n
