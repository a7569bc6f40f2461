"""Printed forms of money and dates on documents. Money is Decimal only: a float is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

NONE_MARK = "—"
BLANK_DATE = "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"  # to fill in by hand; U+3000 does not collapse


def format_money(value: Decimal | None) -> str:
    """``Decimal("1234.5")`` → ``"1,234.50"``; refuses floats and amounts finer than 1 分."""
    if value is None or value == "":  # "" = a missing template variable
        return NONE_MARK
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"amount must be Decimal, not {type(value).__name__}")
    value = Decimal(value)
    cents = value.quantize(Decimal("0.01"))
    if cents != value:
        raise ValueError(f"amount has more than 2 decimal places: {value}")
    return f"{cents:,.2f}"


def format_yuan(value: Decimal | None) -> str:
    """``Decimal("1234")`` → ``"1,234.00 元"``."""
    return NONE_MARK if value is None or value == "" else f"{format_money(value)} 元"


def format_date(value: date | None) -> str:
    return BLANK_DATE if not value else f"{value.year}年{value.month}月{value.day}日"


def format_month(value: date | None) -> str:
    return NONE_MARK if not value else f"{value.year}年{value.month}月"
