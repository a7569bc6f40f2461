"""Sealing personal data: ciphertext for storage, blind index for look-up, mask for display."""

from __future__ import annotations

from jiuzhu.core.crypto import keyring
from jiuzhu.rules.idcard import mask


def seal(value: str, *, purpose: str) -> tuple[str, str, str]:
    """(ciphertext, blind index, masked) for a normalized value."""
    ring = keyring()
    return ring.encrypt(value, purpose=purpose), ring.blind_index(value, purpose=purpose), mask(value)


def id_number_index(value: str) -> str:
    return keyring().blind_index(value, purpose="id_number")


def open_(ciphertext: str, *, purpose: str) -> str:
    """The plaintext of a column sealed for ``purpose`` (id_number, phone, bank_account)."""
    return keyring().decrypt(ciphertext, purpose=purpose) if ciphertext else ""


def mask_name(name: str) -> str:
    """张三 → 张*; 欧阳小明 → 欧***: used when telling a user about a household they may not see."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""
