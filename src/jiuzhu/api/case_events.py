"""A case's audit events (``GET /v1/cases/{id}/events``): the tamper-evident copy of its history from the
hash-chained audit log — every action, document download and attachment, with who, when and the hashes.
Readers of the audit log only (县民政、纪检、管理员: ``audit.read``); the case must be in the caller's region
(404 otherwise, checked first)."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema
from pydantic import Field

from jiuzhu.apps.accounts.audit_selectors import subject_events
from jiuzhu.apps.accounts.names import SYSTEM, people
from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases import selectors
from jiuzhu.rules.errors import Forbidden
from jiuzhu.rules.workflow.states import ACTION_LABELS

from .schemas import DB_INT_MAX, IdStr, RowId, errors

router = Router(tags=["cases"])
OTHER_LABELS = {"document_download": "下载文书", "file_download": "下载一人一档", "attachment_add": "上传材料",
                "schedule": "安排复核", "recheck_due": "复核到期"}


class EventQuery(Schema):
    after: int | None = Field(None, title="翻页游标", ge=1, le=DB_INT_MAX, description="上一页返回的 next_after")
    limit: int = Field(100, title="每页条数", ge=1, le=500)


class AuditEventOut(Schema):
    id: IdStr
    chain: str = Field(description="哈希链（乡镇区划前9位）")
    seq: int = Field(description="链内序号")
    at: datetime = Field(description="北京时间，带 +08:00")
    action: str
    action_label: str
    actor: str = Field(description="操作人姓名")
    actor_username: str = Field(description="操作人用户名（标识）；系统任务为空")
    role: str
    region: str
    reason: str
    details: dict
    before_digest: str
    after_digest: str
    prev_hash: str
    hash: str = Field(description="本事件哈希（HMAC-SM3 / SM3）")


class AuditEventPage(Schema):
    items: list[AuditEventOut]
    next_after: IdStr | None = Field(None, description="下一页传入 after；没有更多时为 null")


def _label(action: str) -> str:
    name = action.removeprefix("case.")
    return ACTION_LABELS.get(name) or OTHER_LABELS.get(name) or action


@router.get("/{case_id}/events", response={200: AuditEventPage, **errors(403, 404, 422)},
            summary="案件的审计事件（哈希链中的原始记录，最早的在前）",
            description="县民政、纪检监察、管理员可查看；案件不存在或不在本人管辖范围内 404；其他角色 403。")
def case_events(request, case_id: RowId, q: Query[EventQuery]):
    case = selectors.case_get(actor=request.auth, case_id=case_id)
    if not can(request.auth, "audit.read"):
        raise Forbidden("forbidden", "您的角色无权查看审计日志（案件办理经过见案件详情的 timeline）")
    rows, next_after = subject_events(actor=request.auth, subject_type="case", subject_id=case.pk,
                                      after=q.after, limit=q.limit)
    names = people(e.actor_id for e in rows)
    return {"items": [{
        "id": e.id, "chain": e.chain, "seq": e.seq, "at": e.at, "action": e.action, "action_label": _label(e.action),
        "actor": names[e.actor_id][0] if e.actor_id in names else (e.actor_name if e.actor_name != "system" else SYSTEM),
        "actor_username": names[e.actor_id][1] if e.actor_id in names else "", "role": e.role,
        "region": e.region_code, "reason": e.reason, "details": e.details or {}, "before_digest": e.before_digest,
        "after_digest": e.after_digest, "prev_hash": e.prev_hash, "hash": e.hash,
    } for e in rows], "next_after": next_after}
