"""The preview of a standard change as a spreadsheet (xlsxwriter, constant memory): 汇总 (totals by
township and class) and 明细 (one row per enrollment)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from jiuzhu.core.spreadsheets import xlsx_workbook

from .standard import describe
from .standard_preview import REASON_WORDS, Preview

ACTION_WORDS = {"adjust": "调整", "unchanged": "不变", "keep": "维持原金额", "review": "待复核"}
PROGRAM_WORDS = {"dibao": "低保", "tekun": "特困"}
STATUS_WORDS = {"active": "在保", "suspended": "暂停", "graduating": "渐退期"}
DETAIL_HEADER = ("对象编号", "项目", "户编号", "户主姓名", "村(居)区划代码", "乡镇区划代码", "城乡类别", "状态",
                 "保障人数", "原分类", "新分类", "原月保障金(元)", "新月保障金(元)", "差额(元)", "处理", "说明")
TOTAL_HEADER = ("乡镇区划代码", "乡镇", "分类", "人次", "调整", "待复核", "原金额合计(元)", "新金额合计(元)", "差额(元)")


def _yuan(fen):
    return None if fen is None else fen / 100  # display only: the workbook shows two decimals


def write_preview_xlsx(preview: Preview, path: str | Path) -> int:
    """Write the workbook; returns the number of detail rows."""
    wb = xlsx_workbook(path, {"constant_memory": True})
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "0.00"})
    s = preview.summary
    ws = wb.add_worksheet("汇总")
    ws.write_string(0, 0, f"标准调整 {preview.change.pk}：{describe(preview.change)}", bold)
    ws.write_string(1, 0, f"出处：{preview.change.source}")
    ws.write_string(2, 0, f"共 {s['counts']['total']} 个在保对象：调整 {s['counts']['adjust']}、不变 "
                          f"{s['counts']['unchanged']}、维持 {s['counts']['keep']}、待复核 {s['counts']['review']}；"
                          f"月金额合计 {s['old_total']} → {s['new_total']} 元（差额 {s['diff']} 元）")
    ws.write_row(4, 0, TOTAL_HEADER, bold)
    r = 5
    for t in s["totals"]:
        ws.write_row(r, 0, (t["township"], t["township_name"], t["class"] or "—", t["count"], t["adjusted"],
                            t["review"]))
        for c, key in enumerate(("old_total", "new_total", "diff"), start=6):
            ws.write_number(r, c, float(t[key]), money)
        r += 1
    for w in s.get("warnings", []):
        ws.write_string(r + 1, 0, f"提示：{w['message']}")
        r += 1
    ws.set_column(0, 1, 16)
    ws.set_column(6, 8, 16)
    detail = wb.add_worksheet("明细")
    detail.write_row(0, 0, DETAIL_HEADER, bold)
    rows: pa.Table = preview.rows
    n = 0
    for batch in rows.to_batches(max_chunksize=10_000):
        for row in batch.to_pylist():
            n += 1
            values = (row["enrollment_id"], PROGRAM_WORDS.get(row["program"], row["program"]),
                      f"H{row['household_id']:08d}", row["head_name"], row["village"], row["township"],
                      "城市" if row["area_type"] == "urban" else "农村", STATUS_WORDS.get(row["status"], row["status"]),
                      row["persons"], row["old_class"], row["new_class"])
            detail.write_row(n, 0, values)
            for c, key in enumerate(("old_fen", "new_fen", "diff_fen"), start=11):
                detail.write_number(n, c, _yuan(row[key]), money)
            detail.write_string(n, 14, ACTION_WORDS.get(row["action"], row["action"]))
            detail.write_string(n, 15, REASON_WORDS.get(row["reason"], ""))
    detail.set_column(0, 6, 14)
    detail.set_column(15, 15, 50)
    wb.close()
    return n
