"""Bulk opening of bank-account ciphertexts for the bank-file writer, on all cores.

Same formats and keys as :mod:`jiuzhu.core.crypto` (``v2:<key id>:<base64(nonce | ciphertext | tag)>``
sealed with the purpose ``bank_account`` as associated data, or the first form ``<key id>:<base64(…)>``;
SM4-GCM, tag verified), and the same keyed digest as ``KeyRing.blind_index(value,
purpose="bank_account")`` (HMAC-SM3), but with the per-value overhead cut: tokens of one key and
length opened together (:mod:`.gcm_bulk`), one prepared HMAC state copied per value. Deliberately free of Django imports: worker processes
run this module alone (see :class:`Opener`). Plaintext lives only in the returned lists; it is never logged or stored.
"""

from __future__ import annotations

import binascii
import hashlib
import os
import pickle
import subprocess
import sys

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .gcm_bulk import GcmKey

PURPOSE = b"bank_account"
AAD = b"jiuzhu:" + PURPOSE  # jiuzhu.core.crypto._aad("bank_account")
PARALLEL_FROM = 150_000  # below this, worker start-up costs more than it saves


def open_chunk(tokens: list[str], keys: dict[str, bytes], digest_key: bytes | None) -> tuple[list, list | None]:
    """(plaintexts, keyed digests or None). A token that cannot be opened gives ``None``.

    Tokens of one key, format and length are opened together (:mod:`.gcm_bulk`); small groups and
    any token whose tag does not verify there are opened one by one (:func:`_open_one`)."""
    out: list = [None] * len(tokens)
    groups: dict[tuple[str, bool, int], tuple[list[int], list[bytes]]] = {}
    b64 = binascii.a2b_base64
    for i, token in enumerate(tokens):
        if not token:
            out[i] = ""
            continue
        parts = token.split(":")
        if len(parts) == 3 and parts[0] == "v2":
            kid, body, v2 = parts[1], parts[2], True
        elif len(parts) == 2:
            kid, body, v2 = parts[0], parts[1], False
        else:
            continue
        if kid not in keys:
            continue
        try:
            raw = b64(body)
        except binascii.Error:
            continue
        found = groups.get((kid, v2, len(raw)))
        if found is None:
            found = groups[(kid, v2, len(raw))] = ([], [])
        found[0].append(i)
        found[1].append(raw)
    algs: dict = {}
    for (kid, v2, width), (where, raws) in groups.items():
        aad = AAD if v2 else None
        if len(where) < BULK_FROM or width < 28:
            for i, raw in zip(where, raws):
                out[i] = _open_one(algs, keys, kid, raw, aad)
            continue
        plain, verified = _bulk_key(keys[kid]).open_same_length(
            np.frombuffer(b"".join(raws), np.uint8).reshape(len(where), width), aad)
        _decode_rows(out, where, raws, plain, verified, lambda raw, kid=kid, aad=aad: _open_one(algs, keys, kid, raw, aad))
    if digest_key is None:
        return out, None
    return out, digests(out, digest_key)


BULK_FROM = 32  # tokens of one key and length from which they are opened together
_BULK_KEYS: dict[bytes, GcmKey] = {}


def _bulk_key(key: bytes) -> GcmKey:
    if key not in _BULK_KEYS:
        _BULK_KEYS[key] = GcmKey(key)
    return _BULK_KEYS[key]


def _decode_rows(out: list, where: list[int], raws: list[bytes], plain, verified, one) -> None:
    """UTF-8 text of each verified row into ``out``; rows not verified are opened by ``one``."""
    size = plain.shape[1]
    if verified.all():
        data = plain.tobytes()
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            for k, i in enumerate(where):
                out[i] = text[k * size:(k + 1) * size]
            return
    for k, i in enumerate(where):
        if not verified[k]:
            out[i] = one(raws[k])
            continue
        try:
            out[i] = plain[k].tobytes().decode()
        except UnicodeDecodeError:
            out[i] = None


def _open_one(algs: dict, keys: dict[str, bytes], kid: str, raw: bytes, aad: bytes | None) -> str | None:
    """One token with its own GCM context (the reference path; ``None`` when it cannot be opened)."""
    try:
        if kid not in algs:
            algs[kid] = algorithms.SM4(keys[kid])
        dec = Cipher(algs[kid], modes.GCM(raw[:12], raw[-16:])).decryptor()
        if aad is not None:
            dec.authenticate_additional_data(aad)
        return (dec.update(raw[12:-16]) + dec.finalize()).decode()
    except (KeyError, InvalidTag, ValueError):
        return None


def digests(values: list, digest_key: bytes) -> list:
    """HMAC-SM3 (hex) of each value under ``purpose`` bank_account; ``None`` stays ``None``.

    RFC 2104 spelled out on two prepared SM3 states (inner after key ⊕ ipad and the purpose prefix,
    outer after key ⊕ opad): the same digests as ``hmac``, a third cheaper per value."""
    block = 64  # SM3's block size
    key = hashlib.new("sm3", digest_key).digest() if len(digest_key) > block else digest_key
    key = key.ljust(block, b"\x00")
    inner = hashlib.new("sm3", bytes(b ^ 0x36 for b in key) + PURPOSE + b"\x00")
    outer = hashlib.new("sm3", bytes(b ^ 0x5C for b in key))
    result = []
    add = result.append
    for value in values:
        if value is None:
            add(None)
            continue
        mac = inner.copy()
        mac.update(value.encode())
        out = outer.copy()
        out.update(mac.digest())
        add(out.hexdigest())
    return result


class Opener:
    """Opens chunks of tokens, in worker processes when the job is large.

    Workers are plain ``python -m jiuzhu.apps.payments.crypto_pool`` subprocesses talking pickle over
    their pipes: nothing is forked from the (threaded) server process and the parent's main module is
    never re-imported. Keys travel over the pipe, never on the command line or in the environment.
    Chunks go to the workers in turn and each worker holds at most one chunk: call ``result()`` on a
    handle before submitting the chunk that will go to the same worker (``workers`` chunks later)."""

    def __init__(self, keys: dict[str, bytes], digest_key: bytes | None, total: int, workers: int | None = None):
        self.keys, self.digest_key = keys, digest_key
        workers = workers if workers is not None else (os.cpu_count() or 1)
        self.procs: list[subprocess.Popen] = []
        self.turn = 0
        if workers > 1 and total >= PARALLEL_FROM:
            for _ in range(workers):
                proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,  # noqa: S603 — our own module in a child process
                                        stdout=subprocess.PIPE)
                pickle.dump((keys, digest_key), proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                self.procs.append(proc)

    def submit(self, tokens: list[str]):
        if not self.procs:
            return _Done(open_chunk(tokens, self.keys, self.digest_key))
        proc = self.procs[self.turn % len(self.procs)]
        self.turn += 1
        pickle.dump(tokens, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        proc.stdin.flush()
        return _Pending(proc)

    def close(self):
        for proc in self.procs:
            try:
                proc.stdin.close()
            except OSError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class _Pending:
    def __init__(self, proc: subprocess.Popen):
        self.proc = proc

    def result(self):
        try:
            return pickle.load(self.proc.stdout)  # noqa: S301 — a pipe to our own child process
        except EOFError:
            raise RuntimeError("bank-account worker process ended unexpectedly") from None


def _serve() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    keys, digest_key = pickle.load(stdin)  # noqa: S301 — a pipe to our own child process
    while True:
        try:
            tokens = pickle.load(stdin)  # noqa: S301 — a pipe to our own child process
        except EOFError:
            return
        pickle.dump(open_chunk(tokens, keys, digest_key), stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


if __name__ == "__main__":
    _serve()
