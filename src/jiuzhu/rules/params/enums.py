"""Enumerated (string-valued) policy parameters and their allowed values.

Every other parameter is an exact decimal. A parameter declared here takes one of the listed
words instead (``value: tiered``); anything else is a load error naming file, key and date. The
Chinese labels are used in traces and error messages.
"""

from __future__ import annotations

ENUM_PARAMETERS: dict[str, dict[str, str]] = {
    # R-DB-03: benefit method — 补差 (standard − pci) × size, or 分档 by tier table
    "dibao.method": {"gap": "补差", "tiered": "分档"},
    # unit the dibao benefit is rounded to (half up): whole yuan, 0.1 yuan (角) or 0.01 yuan (分)
    "dibao.rounding": {"yuan": "元", "jiao": "角", "fen": "分"},
    # R-TA-02: income test of 支出型 temporary assistance — pci < edge multiplier × standard (the reference
    # contract) or 12 × pci < last year's local per-capita disposable income (the national rule)
    "temporary.expenditure_income_test": {"edge": "低保边缘收入线", "disposable": "上年度居民人均可支配收入"},
    # 低保证/特困证 number: the issuing county's (6 digits) or township's (9 digits) code + year + sequence
    "certificate.number_format": {"county_year_seq": "县级区划代码+年份+序号", "township_year_seq": "乡镇区划代码+年份+序号"},
}

# defaults when a policy does not set the parameter (the reference policy's behaviour)
ENUM_DEFAULTS: dict[str, str] = {"dibao.method": "gap", "dibao.rounding": "yuan",
                                 "temporary.expenditure_income_test": "edge", "certificate.number_format": "county_year_seq"}


def is_enum(key: str) -> bool:
    return key in ENUM_PARAMETERS


def choices_text(key: str) -> str:
    """"gap（补差）、tiered（分档）" for messages."""
    return "、".join(f"{word}（{label}）" for word, label in ENUM_PARAMETERS[key].items())
