"""Signed chain heads ("anchors") kept outside the database, so cutting the chain's tail is detected.

The keyed chain stops anyone without the audit key from forging a link, but someone with database
access can still delete the newest events and move the chain head back to the new tail: what is left
is a valid, shorter chain. ``audit_anchor`` therefore writes every chain's head (chain, seq, hash),
signed with HMAC-SM3 under the active audit key, to a file in ``JIUZHU_AUDIT_ANCHOR_DIR`` (and to the
log); ``anchors_check`` (part of ``audit_verify``) then requires every anchored event to still be there
with the same hash. Keep copies of the anchor files (and the log) off the database server.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from jiuzhu.core.audit_keys import audit_keys
from jiuzhu.core.crypto import KeyError_

from .chain import canonical
from .models import AuditChain, AuditEvent

log = logging.getLogger("jiuzhu.audit.anchor")

KIND = "jiuzhu-audit-anchor"
FORMAT = 1
PATTERN = "anchor-*.json"


class AnchorRefused(Exception):
    """The chain heads do not match their last events: anchoring them would certify a tampered log."""

    def __init__(self, problem: dict):
        super().__init__(problem["problem"])
        self.problem = problem


def anchor_dir() -> Path:
    return Path(settings.JIUZHU_AUDIT_ANCHOR_DIR)


def chain_heads() -> list[dict]:
    """Every chain's head as (chain, seq, hash), each checked against the chain's event at that seq
    (AnchorRefused when they differ). Chains without events are left out."""
    heads = [{"chain": c, "seq": s, "hash": h}
             for c, s, h in AuditChain.objects.filter(seq__gt=0).order_by("chain").values_list("chain", "seq", "hash")]
    for head in heads:
        event = AuditEvent.objects.filter(chain=head["chain"], seq=head["seq"]).values("hash").first()
        if event is None or event["hash"] != head["hash"]:
            raise AnchorRefused({"chain": head["chain"], "seq": head["seq"], "id": None, "action": "",
                                 "problem": "链头与该链末尾事件不符，拒绝签署锚点（请先运行 jiuzhu audit verify）"})
    return heads


def sign(body: dict, key_id: str | None = None) -> dict:
    keys = audit_keys()
    body = {**body, "key_id": key_id or keys.active}
    return {**body, "mac": keys.mac(body["key_id"], canonical(body))}


def signature_ok(signed: dict) -> bool:
    body = {k: v for k, v in signed.items() if k != "mac"}
    return audit_keys().mac(signed["key_id"], canonical(body)) == signed.get("mac")


def audit_anchor(*, at: datetime | None = None, directory: Path | None = None) -> tuple[Path, dict]:
    """Write the current chain heads, signed, to a new file; log it; record it in the audit log.
    Returns (file, signed anchor)."""
    from .services import audit_record

    at = at or datetime.now(UTC)
    heads = chain_heads()
    signed = sign({"kind": KIND, "format": FORMAT, "created_at": at.astimezone(UTC).isoformat(),
                   "heads": heads})
    directory = directory or anchor_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"anchor-{at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(signed, fh, ensure_ascii=False, indent=1)
    log.info("audit anchor %s %s", path.name, json.dumps(signed, ensure_ascii=False, separators=(",", ":")))
    audit_record(actor=None, action="audit.anchor", subject_type="audit_anchor", subject_id=path.name,
                 details={"chains": len(heads), "key_id": signed["key_id"], "mac": signed["mac"]})
    return path, signed


def anchor_files(directory: Path | None = None) -> list[Path]:
    directory = directory or anchor_dir()
    return sorted(directory.glob(PATTERN)) if directory.is_dir() else []


def _problem(path: Path, chain: str, seq, text: str) -> dict:
    return {"chain": chain, "seq": seq, "id": None, "action": "", "anchor": path.name,
            "problem": f"锚点文件 {path.name}：{text}"}


def _read(path: Path, until: datetime | None) -> tuple[dict | None, dict | None]:
    """(anchor, None) for a valid anchor, (None, None) for one after ``until``, (None, problem) otherwise."""
    try:
        signed = json.loads(path.read_text(encoding="utf-8"))
        created = datetime.fromisoformat(signed["created_at"])
        heads = [(str(h["chain"]), int(h["seq"]), str(h["hash"])) for h in signed["heads"]]
        if signed.get("kind") != KIND or not isinstance(signed.get("key_id"), str):
            raise ValueError("kind")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, _problem(path, "", None, "无法读取（不是审计锚点文件或格式被破坏）")
    try:
        if not signature_ok(signed):
            return None, _problem(path, "", None, "签名不符（文件被改动或伪造）")
    except KeyError_:
        return None, _problem(path, "", None, f"签名所用的审计密钥 {signed['key_id']} 不在密钥文件中")
    if until is not None and created > until:
        return None, None
    return {"heads": heads}, None


def anchors_check(*, until: datetime | None = None, directory: Path | None = None) -> dict | None:
    """The first anchored head that no longer matches the log (its event deleted or rewritten), or a
    damaged or forged anchor file; None when every anchor (created up to ``until``) holds. All files
    are read first, then each chain's anchored events are fetched in a few queries (a year of daily
    anchors over hundreds of townships stays quick)."""
    anchored: dict[str, dict[int, tuple[str, Path]]] = {}
    for path in anchor_files(directory):
        anchor, problem = _read(path, until)
        if problem:
            return problem
        for chain, seq, hash_ in (anchor or {"heads": []})["heads"]:
            seen = anchored.setdefault(chain, {}).setdefault(seq, (hash_, path))
            if seen[0] != hash_:
                return _problem(path, chain, seq, f"与 {seen[1].name} 对同一事件（哈希链={chain or '（无区划）'} 序号={seq}）"
                                                  "记录的哈希不同")
    for chain in sorted(anchored):
        wanted = sorted(anchored[chain])
        stored: dict[int, str] = {}
        for i in range(0, len(wanted), 1000):
            stored.update(AuditEvent.objects.filter(chain=chain, seq__in=wanted[i:i + 1000]).values_list("seq", "hash"))
        name = chain or "（无区划）"
        for seq in wanted:
            hash_, path = anchored[chain][seq]
            if seq not in stored:
                return _problem(path, chain, seq, f"记录的事件 哈希链={name} 序号={seq} 已不存在（末尾事件被删除、链头被改写）")
            if stored[seq] != hash_:
                return _problem(path, chain, seq, f"记录的事件 哈希链={name} 序号={seq} 哈希不符（哈希链被改写）")
    return None
