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


VERIFY = "audit.verify"


def verify_job(job, progress) -> dict:
    """``jiuzhu audit verify`` as a job (the 审计链校验 page): a broken chain is a result, not a failure."""
    from jiuzhu.apps.audit.anchors import anchor_files
    from jiuzhu.apps.audit.services import audit_record, audit_verify
    from jiuzhu.core.crypto import KeyError_

    progress(0, 1, "逐条校验审计日志哈希链")
    try:
        intact, broken, checked = audit_verify()
    except KeyError_ as exc:
        raise DomainError("audit.keys", str(exc)) from None
    result = {"intact": intact, "checked": checked, "anchors": len(anchor_files()), "broken": broken}
    audit_record(actor=None, action="audit.verify", subject_type="audit_chain", subject_id="all",
                 details={"intact": intact, "checked": checked, "job": job.pk})
    progress(1, 1, "审计日志完整" if intact else "发现篡改")
    return result
