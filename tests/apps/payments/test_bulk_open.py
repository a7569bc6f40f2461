"""Opening bank accounts many at a time (gcm_bulk, issue 19) gives exactly what one GCM context per
token gives: the same plaintexts, and ``None`` for every token that cannot be opened."""

from __future__ import annotations

import base64
import os
import random

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from jiuzhu.apps.payments.crypto_pool import AAD, BULK_FROM, open_chunk
from jiuzhu.apps.payments.gcm_bulk import GcmKey

KEYS = {"k1": bytes(range(16)), "k2": bytes(range(16, 32))}


def seal(kid: str, text: str, aad: bytes | None = AAD) -> str:
    nonce = os.urandom(12)
    enc = Cipher(algorithms.SM4(KEYS[kid]), modes.GCM(nonce)).encryptor()
    if aad is not None:
        enc.authenticate_additional_data(aad)
    body = enc.update(text.encode()) + enc.finalize()
    raw = base64.b64encode(nonce + body + enc.tag).decode()
    return f"v2:{kid}:{raw}" if aad is not None else f"{kid}:{raw}"


def reference(token: str) -> str | None:
    """One GCM context per token, as jiuzhu.core.crypto.KeyRing.decrypt does."""
    if not token:
        return ""
    parts = token.split(":")
    try:
        if len(parts) == 3 and parts[0] == "v2":
            kid, body, aad = parts[1], parts[2], AAD
        else:
            (kid, body), aad = parts, None
        raw = base64.b64decode(body)
        dec = Cipher(algorithms.SM4(KEYS[kid]), modes.GCM(raw[:12], raw[-16:])).decryptor()
        if aad is not None:
            dec.authenticate_additional_data(aad)
        return (dec.update(raw[12:-16]) + dec.finalize()).decode()
    except Exception:  # noqa: BLE001 — any failure is "cannot be opened"
        return None


def tampered(token: str) -> str:
    head, _, body = token.rpartition(":")
    raw = bytearray(base64.b64decode(body))
    raw[14] ^= 1
    return f"{head}:{base64.b64encode(bytes(raw)).decode()}"


def test_bulk_opening_equals_one_context_per_token():
    rng = random.Random(19)
    tokens = []
    for i in range(3 * BULK_FROM + 500):
        digits = rng.choice([14, 17, 17, 17, 31, 5000])  # 5000: more than 255 counter blocks
        account = "62" + "".join(rng.choice("0123456789") for _ in range(digits))
        kid = rng.choice(["k1", "k1", "k2"])
        token = seal(kid, account, AAD if i % 7 else None)
        roll = rng.random()
        if roll < 0.02:
            token = tampered(token)  # tag fails: opened one by one, None
        elif roll < 0.03:
            token = seal(kid, account, b"jiuzhu:phone")  # another column's token
        elif roll < 0.04:
            token = "k9:" + token.rsplit(":", 1)[1]  # unknown key
        elif roll < 0.05:
            token = rng.choice(["", "garbage", "v2:k1:***", "a:b:c:d"])
        elif roll < 0.06:
            token = seal(kid, "户名" + account)  # non-ASCII plaintext
        tokens.append(token)
    opened, _ = open_chunk(tokens, KEYS, None)
    assert opened == [reference(t) for t in tokens]
    assert sum(x is None for x in opened) > 20 and sum(x is not None for x in opened) > 3 * BULK_FROM


def test_one_bad_token_in_a_large_group_does_not_spoil_the_others():
    tokens = [seal("k1", f"6228{i:015d}") for i in range(2 * BULK_FROM)]
    tokens[5] = tampered(tokens[5])
    opened, _ = open_chunk(tokens, KEYS, None)
    assert opened[5] is None and opened[4] == f"6228{4:015d}" and opened[6] == f"6228{6:015d}"


def test_ghash_tables_match_the_reference_multiplication():
    key = GcmKey(KEYS["k1"])
    raw = base64.b64decode(seal("k1", "6228480000000000001").split(":")[2])
    plain, ok = key.open_same_length(np.frombuffer(raw, np.uint8).reshape(1, -1), AAD)
    assert ok.all() and plain.tobytes() == b"6228480000000000001"


def test_digests_equal_the_registry_blind_index():
    from jiuzhu.apps.payments.crypto_pool import digests
    from jiuzhu.core.crypto import KeyRing

    for key in (bytes(range(32)), bytes(range(80))):  # a key longer than SM3's block is hashed first
        ring = KeyRing(active="k1", keys=KEYS, blind_index_key=key)
        values = ["6228480000000000001", "", "户名6217", None]
        assert digests(values, key) == [None if v is None else ring.blind_index(v, purpose="bank_account")
                                        for v in values]
