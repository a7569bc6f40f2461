"""Bank file layouts (代发文件格式): which columns, in which order, under which titles, in which encoding
and amount unit — and the matching layout of the bank's result file (回盘文件).

``default`` is the documented layout (docs/payroll-bank-files.md). More layouts are registered here
per bank, or loaded from the JSON file named by the setting / environment variable
``JIUZHU_PAYROLL_LAYOUTS_FILE`` (``{"name": {"label": …, "columns": [[key, title], …], …}}``).

Column keys: ``seq`` 序号 (1…n in line order), ``payee`` 收款人, ``account`` 银行账号 (decrypted only
while the bank file is written), ``bank_name`` 开户行, ``amount`` 金额, ``region`` 区划代码,
``summary`` 摘要 (e.g. "2026年12月最低生活保障金"), ``line_id`` 发放明细号.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from jiuzhu.rules.errors import ValidationFailed

COLUMN_KEYS = ("seq", "payee", "account", "bank_name", "amount", "region", "summary", "line_id")
RESULT_KEYS = ("seq", "account", "payee", "amount", "result", "code", "message")
RESULT_REQUIRED = ("seq", "account", "amount", "result")
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")
TOTAL_LABEL = "合计"


@dataclass(frozen=True)
class Layout:
    name: str
    label: str
    columns: tuple[tuple[str, str], ...]  # (key, title)
    encoding: str = "utf-8"
    amount_unit: str = "yuan"  # "yuan" (two decimals) or "fen" (integer)
    delimiter: str = ","
    header: bool = True
    total_row: bool = False  # a last row "合计" with the line count and the total amount
    result_columns: tuple[tuple[str, str], ...] = ()  # (key, title) of the bank's result file
    success_values: tuple[str, ...] = ("成功", "0000", "00")
    failure_values: tuple[str, ...] = ("失败",)
    notes: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    def title(self, key: str) -> str:
        return dict(self.columns).get(key, key)


DEFAULT_RESULT = (("seq", "序号"), ("account", "银行账号"), ("payee", "收款人"), ("amount", "金额(元)"),
                  ("result", "处理结果"), ("code", "返回码"), ("message", "失败原因"))

BUILTIN = {
    "default": Layout(
        name="default", label="通用格式（UTF-8，金额单位元）",
        columns=(("seq", "序号"), ("payee", "收款人"), ("account", "银行账号"), ("bank_name", "开户行"),
                 ("amount", "金额(元)"), ("region", "区划"), ("summary", "摘要")),
        result_columns=DEFAULT_RESULT,
        notes="文档化的默认格式；回盘文件在代发文件各列后加“处理结果”（成功/失败）、“返回码”“失败原因”。"),
    "default_gbk": Layout(
        name="default_gbk", label="通用格式（GBK 编码）",
        columns=(("seq", "序号"), ("payee", "收款人"), ("account", "银行账号"), ("bank_name", "开户行"),
                 ("amount", "金额(元)"), ("region", "区划"), ("summary", "摘要")),
        encoding="gbk", result_columns=DEFAULT_RESULT, notes="与默认格式相同，GBK 编码，供只认 GBK 的网银系统使用。"),
    "zjrcb": Layout(
        name="zjrcb", label="浙江农商银行批量代发（GBK，竖线分隔，含合计行）",
        columns=(("seq", "序号"), ("account", "账号"), ("payee", "户名"), ("amount", "金额"), ("summary", "用途")),
        encoding="gbk", delimiter="|", total_row=True,
        result_columns=(("seq", "序号"), ("account", "账号"), ("payee", "户名"), ("amount", "金额"),
                        ("result", "状态"), ("code", "返回码"), ("message", "返回信息")),
        success_values=("成功", "0000"), failure_values=("失败", "退票")),
    "psbc_fen": Layout(
        name="psbc_fen", label="邮储银行代发（GBK，金额单位分）",
        columns=(("seq", "序号"), ("account", "收款账号"), ("payee", "收款人姓名"), ("amount", "金额(分)"),
                 ("summary", "附言"), ("line_id", "业务编号")),
        encoding="gbk", amount_unit="fen",
        result_columns=(("seq", "序号"), ("account", "收款账号"), ("payee", "收款人姓名"), ("amount", "金额(分)"),
                        ("result", "交易结果"), ("code", "错误码"), ("message", "错误信息")),
        success_values=("成功", "S"), failure_values=("失败", "F")),
}


def _from_spec(name: str, spec: dict) -> Layout:
    columns = tuple((k, t) for k, t in spec["columns"])
    unknown = [k for k, _ in columns if k not in COLUMN_KEYS]
    if unknown or not any(k == "account" for k, _ in columns) or not any(k == "amount" for k, _ in columns):
        raise ValueError(f"layout {name}: columns must include account and amount, keys from {COLUMN_KEYS}")
    result = tuple((k, t) for k, t in spec.get("result_columns", DEFAULT_RESULT))
    if any(k not in RESULT_KEYS for k, _ in result) or any(k not in dict(result) for k in RESULT_REQUIRED):
        raise ValueError(f"layout {name}: result_columns need {RESULT_REQUIRED}, keys from {RESULT_KEYS}")
    encoding = spec.get("encoding", "utf-8").lower()
    if encoding not in ENCODINGS or spec.get("amount_unit", "yuan") not in ("yuan", "fen"):
        raise ValueError(f"layout {name}: encoding in {ENCODINGS}, amount_unit yuan or fen")
    return Layout(name=name, label=spec.get("label", name), columns=columns, encoding=encoding,
                  amount_unit=spec.get("amount_unit", "yuan"), delimiter=spec.get("delimiter", ","),
                  header=bool(spec.get("header", True)), total_row=bool(spec.get("total_row", False)),
                  result_columns=result,
                  success_values=tuple(spec.get("success_values", ("成功", "0000", "00"))),
                  failure_values=tuple(spec.get("failure_values", ("失败",))), notes=spec.get("notes", ""))


@lru_cache(maxsize=4)
def _configured(path: str) -> dict[str, Layout]:
    if not path:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {name: _from_spec(name, spec) for name, spec in data.items()}


def layouts() -> dict[str, Layout]:
    path = getattr(settings, "JIUZHU_PAYROLL_LAYOUTS_FILE", None) or os.environ.get("JIUZHU_PAYROLL_LAYOUTS_FILE", "")
    return {**BUILTIN, **_configured(str(path))}


def layout_get(name: str) -> Layout:
    found = layouts().get(name or "default")
    if found is None:
        raise ValidationFailed("payroll.layout", f"未知的银行文件格式“{name}”，可选：{'、'.join(layouts())}",
                               field="layout")
    return found


PROGRAM_SUMMARY = {"dibao": "最低生活保障金", "tekun": "特困人员救助供养金", "temporary": "临时救助金"}


def summary_text(month, program: str, carried: bool) -> str:
    """摘要: "2026年12月最低生活保障金", with "（补发）" for a carried line."""
    text = f"{month.year}年{month.month}月{PROGRAM_SUMMARY.get(program, '社会救助金')}"
    return text + "（补发）" if carried else text
