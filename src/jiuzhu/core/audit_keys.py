"""Audit chain keys: HMAC-SM3 keys kept beside the personal-data keys (``JIUZHU_KEYS`` or the key file
``JIUZHU_KEY_FILE``), never in the database, so whoever can write the database cannot forge a chain link.

Key material fields (next to ``active``/``keys``/``blind_index_key``)::

    "audit_active": "a1", "audit_keys": {"a1": "<64 hex>"}

Each keyed audit event stores the id of the key that sealed it; rotation (``jiuzhu keys rotate``) adds a
key and makes it active, and older events keep verifying with theirs. Key material written before the
keyed chain (no ``audit_keys``) gets one derived key, ``a0`` = HMAC-SM3(blind-index key, label): it
stays available after rotation, so nothing has to be edited by hand when upgrading.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac

from .crypto import KeyError_

DERIVED_ID = "a0"
_DERIVE_LABEL = b"jiuzhu audit chain key v1"


def hmac_sm3(key: bytes, data: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


@dataclass(frozen=True)
class AuditKeys:
    active: str
    keys: dict[str, bytes]

    def mac(self, key_id: str, data: bytes) -> str:
        """HMAC-SM3 of ``data`` under the audit key ``key_id`` (KeyError_ when the key file lacks it)."""
        key = self.keys.get(key_id)
        if key is None:
            raise KeyError_(f"审计密钥 {key_id!r} 不在密钥文件中")
        return hmac_sm3(key, data)


def parse_audit_keys(material: dict) -> AuditKeys:
    try:
        keys = {kid: bytes.fromhex(hexkey) for kid, hexkey in (material.get("audit_keys") or {}).items()}
        blind = bytes.fromhex(material["blind_index_key"])
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise KeyError_(f"invalid audit key material: {exc}") from None
    keys.setdefault(DERIVED_ID, bytes.fromhex(hmac_sm3(blind, _DERIVE_LABEL)))
    active = material.get("audit_active") or DERIVED_ID
    if active not in keys or any(len(k) < 32 for k in keys.values()):
        raise KeyError_("invalid audit key material: active audit key missing or shorter than 32 bytes")
    return AuditKeys(active, keys)


def add_audit_key(material: dict) -> str:
    """Add a fresh audit key to ``material`` (in place) and make it active; returns its id."""
    keys = material.setdefault("audit_keys", {})
    n = len(keys) + 1
    while f"a{n}" in keys or f"a{n}" == DERIVED_ID:
        n += 1
    material["audit_active"] = key_id = f"a{n}"
    keys[key_id] = secrets.token_hex(32)
    return key_id


def _source() -> tuple:
    """Where the key material comes from, and its version: the JIUZHU_KEYS text, or the key file's path,
    modification time and size (a rotated key file is read again without a restart)."""
    from django.conf import settings

    if raw := os.environ.get("JIUZHU_KEYS"):
        return ("env", raw)
    path = Path(settings.JIUZHU_KEY_FILE)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise KeyError_(
            f"找不到密钥文件 {path}（审计日志哈希链的密钥与个人信息加密密钥同在此文件）。"
            "请设置 JIUZHU_KEYS 或 JIUZHU_KEY_FILE，或运行 `jiuzhu keys init`。"
        ) from None
    return ("file", str(path), st.st_mtime_ns, st.st_size)


def key_material() -> dict:
    """The raw key material from ``JIUZHU_KEYS`` or the key file (the same source as the PII keys)."""
    source = _source()
    try:
        return json.loads(source[1] if source[0] == "env" else Path(source[1]).read_text())
    except ValueError as exc:
        raise KeyError_(f"密钥材料不是有效的 JSON：{exc}") from None


_cache: dict = {}


def audit_keys() -> AuditKeys:
    """The audit keys, parsed once per version of the key material."""
    source = _source()
    if _cache.get("source") != source:
        _cache.clear()
        _cache.update(source=source, keys=parse_audit_keys(key_material()))
    return _cache["keys"]


audit_keys.cache_clear = _cache.clear  # type: ignore[attr-defined]
