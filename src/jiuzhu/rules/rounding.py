"""One rounding function per rounding rule (spec/reference-policy.md §2). All ROUND_HALF_UP, exact Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
YUAN = Decimal("1")


def round2(value: Decimal) -> Decimal:
    """Round half up to 0.01 yuan (per-capita income)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_yuan(value: Decimal) -> Decimal:
    """Round half up to a whole yuan (benefit amounts)."""
    return value.quantize(YUAN, rounding=ROUND_HALF_UP)


def money_text(value: Decimal) -> str:
    """Money for output: a string with exactly two decimals ("1352.00")."""
    return format(round2(value), "f")



BENEFIT_QUANTUM = {"yuan": YUAN, "jiao": Decimal("0.1"), "fen": CENT}
BENEFIT_UNIT_WORDS = {"yuan": "元", "jiao": "角", "fen": "分"}


def round_benefit(value: Decimal, unit: str) -> Decimal:
    """Round a dibao benefit half up to the region's unit (``dibao.rounding``): ``yuan`` 1,
    ``jiao`` 0.1, ``fen`` 0.01. ``yuan`` is :func:`round_yuan`."""
    if unit not in BENEFIT_QUANTUM:
        raise ValueError(f"unknown benefit rounding unit {unit!r}")
    return value.quantize(BENEFIT_QUANTUM[unit], rounding=ROUND_HALF_UP)
