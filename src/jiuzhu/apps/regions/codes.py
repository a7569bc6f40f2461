"""12-digit administrative division codes (统计用区划代码): the code is the materialized path.

province 33 0000000000 · city 3301 00000000 · county 330127 000000 · township 330127100 000 ·
village 330127100201. A region's subtree is the code range sharing its significant prefix, so
tree queries are a single indexed range scan on any database.
"""

from __future__ import annotations

import re

LEVELS = {1: "省", 2: "市", 3: "县", 4: "乡镇", 5: "村(居)"}
PREFIX_LEN = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
_CODE = re.compile(r"^\d{12}$")


def is_valid_code(code: str) -> bool:
    return bool(_CODE.match(code or "")) and code[:2] != "00"


def level_of(code: str) -> int:
    for level in (1, 2, 3, 4):
        if code[PREFIX_LEN[level]:] == "0" * (12 - PREFIX_LEN[level]):
            return level
    return 5


def prefix(code: str) -> str:
    return code[: PREFIX_LEN[level_of(code)]]


def subtree_range(code: str) -> tuple[str, str]:
    """Inclusive (low, high) bounds of every code in ``code``'s subtree (itself included)."""
    p = prefix(code)
    return p + "0" * (12 - len(p)), p + "9" * (12 - len(p))


def in_subtree(code: str, root: str) -> bool:
    low, high = subtree_range(root)
    return low <= code <= high


def ancestors(code: str) -> list[str]:
    """Codes of the ancestors, top first (excluding ``code``)."""
    level = level_of(code)
    out: list[str] = []
    for lv in range(1, level):
        # A city without counties (东莞市 441900…) is its towns' county level too: list it once.
        ancestor = code[: PREFIX_LEN[lv]].ljust(12, "0")
        if ancestor != code and ancestor not in out:
            out.append(ancestor)
    return out


def parent_of(code: str) -> str | None:
    chain = ancestors(code)
    return chain[-1] if chain else None
