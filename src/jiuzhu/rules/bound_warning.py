"""A finding of the §20 policy checks (national-rules.md §19, §20): a parameter value that differs
from a national bound or rule, with the region's source note of the value."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class BoundWarning:
    parameter: str
    value: Decimal
    bound: str  # e.g. "≤ 6", "∈ [1.5, 2]"
    rule: str
    message: str
    source: str  # the region's source note of the value

    def as_dict(self) -> dict:
        return {"parameter": self.parameter, "value": format(self.value, "f"), "bound": self.bound,
                "rule": self.rule, "message": self.message, "source": self.source}
