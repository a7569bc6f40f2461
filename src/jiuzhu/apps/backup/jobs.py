"""Scheduled work of operations: the daily audit anchor (signed chain heads, see ``audit.anchors``)."""

from __future__ import annotations

from jiuzhu.apps.audit.anchors import AnchorRefused, audit_anchor
from jiuzhu.rules.errors import DomainError

ANCHOR = "audit.anchor"


def anchor_job(job, progress) -> dict:
    progress(0, 1, "签署审计链头")
    try:
        path, signed = audit_anchor()
    except AnchorRefused as exc:  # a tampered head: fail loudly, retrying would not help
        raise DomainError("audit.anchor_refused", f"哈希链 {exc.problem['chain'] or '（无区划）'}："
                                                  f"{exc.problem['problem']}") from None
    progress(1, 1, f"已写入 {path.name}")
    return {"file": path.name, "chains": len(signed["heads"]), "key_id": signed["key_id"]}
