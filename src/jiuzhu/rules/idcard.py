"""Resident identity card numbers (公民身份号码) per GB 11643-1999.

18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence (odd = male),
check character from ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .errors import ValidationFailed

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")

# Province-level codes of GB/T 2260 (the first two digits of an address code).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
})


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    sex: str  # "M" or "F"

    @property
    def region_prefix(self) -> str:
        return self.value[:6]


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK[total % 11]


def normalize(raw: str) -> str:
    return (raw or "").strip().upper().replace(" ", "")


def parse(raw: str, *, field: str = "id_number", as_of: date | None = None) -> IdNumber:
    """Validate and parse an ID number; raise ValidationFailed naming ``field``."""
    value = normalize(raw)
    if not _PATTERN.match(value):
        raise ValidationFailed("id_number.format", "身份证号应为18位：前17位数字，末位为数字或X", field=field)
    if value[:2] not in PROVINCE_CODES:
        raise ValidationFailed(
            "id_number.region", f"身份证号前6位地址码 {value[:6]} 不是有效的行政区划代码", field=field
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationFailed(
            "id_number.birth_date", f"身份证号中的出生日期 {value[6:14]} 不存在", field=field
        ) from None
    if born.year < 1900 or (as_of is not None and born > as_of):
        raise ValidationFailed(
            "id_number.birth_date", f"身份证号中的出生日期 {value[6:14]} 不合理", field=field
        )
    expected = check_char(value[:17])
    if value[17] != expected:
        raise ValidationFailed("id_number.check_digit", "身份证号校验位错误，请核对后重新输入", field=field)
    sex = "M" if int(value[16]) % 2 == 1 else "F"
    return IdNumber(value=value, birth_date=born, sex=sex)


def make(prefix6: str, born: date, sequence: int) -> str:
    """Build a valid number (for synthetic data and tests)."""
    first17 = f"{prefix6}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_char(first17)


def mask(value: str) -> str:
    """``1101**********1234``: first 4 and last 4 characters visible."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
