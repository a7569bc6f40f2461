"""Dated values entered as data (a new standard approved by county staff) laid over a loaded policy.

``with_dated_values(policy, {key: [(start, value, source)]})`` returns a new :class:`Policy` in which
each key has the extra dated values appended, so lookups on or after ``start`` use them and
earlier dates keep the file's values. Pure: the policy files are not touched. A value may only be
added after every existing value of its key (a policy change adds a dated value; it never
rewrites history), must start on the 1st of a month (adjustments take effect by month), must be a
finite decimal with at most two places and above zero, and must cite its source. Errors name the
field: ``start_date``, ``amount`` or ``source``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation

from ..errors import ValidationFailed
from .loader import DatedValue, Policy

MAX_AMOUNT = Decimal("1000000")  # 元/人/月: far above any standard; guards against a mistyped amount
OVERLAY_FILE = "（经审批的标准调整）"


def check_dated_value(policy: Policy, key: str, start: date, value, source: str) -> Decimal:
    """Validate one new dated value of ``key`` against ``policy``; return the value as a Decimal."""
    if not isinstance(start, date):
        raise ValidationFailed("standard.start_invalid", "起始日期格式错误，应为 YYYY-MM-01（字段：start_date）",
                               field="start_date")
    if start.day != 1:
        raise ValidationFailed("standard.start_not_first", f"新标准的起始日期 {start.isoformat()} 不是某月1日："
                               "标准调整按月生效（字段：start_date）", field="start_date")
    existing = policy.params.get(key)
    if not existing:
        raise ValidationFailed("standard.key_unknown", f"政策“{policy.name}”没有参数“{key}”，不能调整"
                               "（字段：program）", field="program", parameter=key)
    latest = existing[-1]
    if start <= latest.start:
        raise ValidationFailed(
            "standard.start_not_after", f"新标准的起始日期 {start.isoformat()} 须晚于现行标准的生效日期 "
            f"{latest.start.isoformat()}（现行 {latest.value} 元；字段：start_date）",
            field="start_date", parameter=key, latest_start=latest.start.isoformat())
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationFailed("standard.amount_invalid", f"标准金额“{value}”不是有效金额（字段：amount）", field="amount")
    if amount <= 0 or amount >= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("standard.amount_invalid", f"标准金额 {amount} 元应大于0、小于{MAX_AMOUNT}元，"
                               "最多两位小数（字段：amount）", field="amount")
    if not isinstance(source, str) or not source.strip():
        raise ValidationFailed("standard.source_missing", "须注明新标准的出处（文件名称、文号及条款；字段：source）",
                               field="source")
    return amount


def with_dated_values(policy: Policy, additions: dict, *, name: str | None = None) -> Policy:
    """``policy`` with ``additions`` = {key: [(start, value, source), …]} appended in start order.

    Each addition is checked by :func:`check_dated_value` against the values before it (so several
    additions of one key must be in increasing start order). ``name`` defaults to the policy's name
    with a mark that it carries data-entered values."""
    params = dict(policy.params)
    for key, items in additions.items():
        for start, value, source in sorted(items, key=lambda item: item[0]):
            current = replace(policy, params=params)
            amount = check_dated_value(current, key, start, value, source)
            params[key] = (*params[key], DatedValue(start=start, value=amount, source=source.strip(), file=OVERLAY_FILE))
    return replace(policy, name=name or f"{policy.name}+标准调整", params=params)
