"""The ordered trace of an evaluation: each step cites a rule ID and shows its value (Chinese wording)."""

from __future__ import annotations

from decimal import Decimal

from .model import TraceStep
from .rounding import money_text


class Trace:
    def __init__(self) -> None:
        self._steps: list[TraceStep] = []

    def add(self, rule: str, step: str, value) -> None:
        if isinstance(value, Decimal):
            value = money_text(value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        self._steps.append(TraceStep(rule=rule, step=step, value=str(value)))

    def steps(self) -> tuple[TraceStep, ...]:
        return tuple(self._steps)


def yuan(value: Decimal) -> str:
    """Money inside trace wording: two decimals, so letters read "1040.00", not "1040.0"."""
    return money_text(value)
