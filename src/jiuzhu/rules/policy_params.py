"""Optional, dated parameters of the extension rules (分档, 渐退, 刚性支出, national bounds).

Values are Decimals, or words for the enumerated parameters of params/enums.py (documented in
params/README-extensions.md). A parameter missing from a policy falls back to the default given
by the caller, so policy files that do not set it keep the reference behaviour.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .params import Policy
from .params.loader import DatedValue


def optional_entry(policy: Policy, key: str, as_of: date) -> DatedValue | None:
    """The dated value of ``key`` in force on ``as_of``, or None if the policy does not set it."""
    if key not in policy.params:
        return None
    return policy.entry(key, as_of)


def optional_value(policy: Policy, key: str, as_of: date, default: Decimal | str) -> Decimal | str:
    entry = optional_entry(policy, key, as_of)
    return default if entry is None else entry.value


def keys_with_prefix(policy: Policy, prefix: str) -> list[str]:
    return [k for k in policy.keys() if k.startswith(prefix)]
