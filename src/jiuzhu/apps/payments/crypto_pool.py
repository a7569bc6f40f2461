"""Bulk opening of bank-account ciphertexts for the bank-file writer, on all cores.

Same formats and keys as :mod:`jiuzhu.core.crypto` (``v2:<key id>:<base64(nonce | ciphertext | tag)>``
sealed with the purpose ``bank_account`` as associated data, or the first form ``<key id>:<base64(…)>``;
SM4-GCM, tag verified), and the same keyed digest as ``KeyRing.blind_index(value,
purpose="bank_account")`` (HMAC-SM3), but with the per-value overhead cut: one SM4 object per key,
one prepared HMAC state copied per value. Deliberately free of Django imports: worker processes
run this module alone (see :class:`Opener`). Plaintext lives only in the returned lists; it is never logged or stored.
"""

from __future__ import annotations

import binascii
import hmac
import os
import pickle
import subprocess
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PURPOSE = b"bank_account"
AAD = b"jiuzhu:" + PURPOSE  # jiuzhu.core.crypto._aad("bank_account")
PARALLEL_FROM = 150_000  # below this, worker start-up costs more than it saves


def open_chunk(tokens: list[str], keys: dict[str, bytes], digest_key: bytes | None) -> tuple[list, list | None]:
    """(plaintexts, keyed digests or None). A token that cannot be opened gives ``None``."""
    algs = {kid: algorithms.SM4(key) for kid, key in keys.items()}
    b64 = binascii.a2b_base64
    out: list = []
    add = out.append
    for token in tokens:
        if not token:
            add("")
            continue
        parts = token.split(":")
        try:
            if len(parts) == 3 and parts[0] == "v2":
                kid, body, aad = parts[1], parts[2], AAD
            else:
                (kid, body), aad = parts, None
            raw = b64(body)
            dec = Cipher(algs[kid], modes.GCM(raw[:12], raw[-16:])).decryptor()
            if aad is not None:
                dec.authenticate_additional_data(aad)
            add((dec.update(raw[12:-16]) + dec.finalize()).decode())
        except (KeyError, InvalidTag, ValueError, binascii.Error):
            add(None)
    if digest_key is None:
        return out, None
    return out, digests(out, digest_key)


def digests(values: list, digest_key: bytes) -> list:
    """HMAC-SM3 (hex) of each value under ``purpose`` bank_account; ``None`` stays ``None``."""
    base = hmac.new(digest_key, PURPOSE + b"\x00", "sm3")
    result = []
    add = result.append
    for value in values:
        if value is None:
            add(None)
            continue
        mac = base.copy()
        mac.update(value.encode())
        add(mac.hexdigest())
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
