"""Filing with the county (报县备案). 综合改革 plan 二(二) 镇人民政府职责："负责在审批新增和出保结束后5个工作日内
上报县民政局备案". A township's approval is filed through the case action ``file_record`` (WF-9); an exit
decided by a township — a stop, or a change of class (分类施保) — is filed here, from its change, within
the same limit (the region's ``county_filing`` step limit, 5 wd by default). The county's filing list
shows both, with their deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.models import Case, CaseDeadline
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.scope import in_scope, scope_q
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow.deadlines import due_date_provisional
from jiuzhu.rules.workflow.model import DeadlineRule
from jiuzhu.rules.workflow.tables import SEED_STEP_LIMITS

from .models import EnrollmentChange

FILING_STATUSES = {"pending": "待备案", "overdue": "逾期未备案", "filed": "已备案"}
LIMIT = 500


def is_exit(*, new_status: str, old_class: str, new_class: str) -> bool:
    """出保: the enrollment stops, or its class (分类施保) changes."""
    return new_status == "stopped" or old_class != new_class


def exit_filing_due(region_code: str, day: date, cfg=None, cal=None) -> date | None:
    """The filing deadline of an exit decided on ``day`` — None where the county confirms itself."""
    cfg = cfg or config.region_config(region_code)
    if cfg.settings.confirmation_level != "township":
        return None
    rule = DeadlineRule("county_filing", cfg.settings.limit("county_filing", SEED_STEP_LIMITS["county_filing"]),
                        "wd", "WF-9")
    return due_date_provisional(cal or config.calendar(), rule, day)[0]


def exit_file_record(*, actor, change_id, now: datetime) -> EnrollmentChange:
    """The township files an exit with the county (one service per state change; audited)."""
    if not can(actor, "filing.record"):
        raise Forbidden("filing.role", "您的角色不能报县备案（须由乡镇经办人办理）")
    ok = str(change_id).isdigit() and int(change_id) < 2**63
    with transaction.atomic():
        change = (EnrollmentChange.objects.select_for_update().select_related("enrollment").filter(pk=change_id).first()
                  if ok else None)
        if change is None or not in_scope(actor, change.enrollment.region_id):
            raise NotFound("not_found", "变更记录不存在或不在您的管辖范围内", field="change")
        if change.filing_due is None:
            raise Conflict("filing.not_required", "该变更不是乡镇决定的出保（停保或分类变更），无需报县备案",
                           field="change")
        if change.filed_on is not None:
            raise Conflict("filing.already_filed", f"已于 {change.filed_on.isoformat()} 报县备案", field="change")
        change.filed_on, change.filed_by = timezone.localtime(now).date(), actor
        change.save(update_fields=["filed_on", "filed_by"])
        audit_record(actor=actor, action="enrollment.file_record", subject_type="enrollment",
                     subject_id=change.enrollment_id, region_code=change.enrollment.region_id,
                     details={"change": change.pk, "due": change.filing_due.isoformat()}, at=now)
    return change


@dataclass(frozen=True)
class Filing:
    kind: str  # "approval" 新增 | "exit" 出保
    label: str
    program: str
    name: str
    region_name: str
    decided_on: date
    due: date
    filed_on: date | None
    case_id: int | None = None
    change_id: int | None = None
    enrollment_id: int | None = None

    def status(self, today: date) -> str:
        if self.filed_on:
            return "filed"
        return "overdue" if today > self.due else "pending"


def filings(*, actor, today: date, status: str = "", region_code: str = "") -> list[Filing]:
    """New approvals and exits to file with the county, in the actor's scope, earliest deadline first."""
    if status and status not in FILING_STATUSES:
        raise ValidationFailed("filing.status", "备案状态只能是 pending(待备案)、overdue(逾期) 或 filed(已备案)",
                               field="status")
    deadlines = CaseDeadline.objects.filter(scope_q(actor, "case__region"), step="county_filing",
                                            case__kind=Case.Kind.APPLICATION).exclude(status=CaseDeadline.Status.CANCELLED)
    changes = EnrollmentChange.objects.filter(scope_q(actor, "enrollment__region"), filing_due__isnull=False)
    if region_code:
        if not (region_code.isdigit() and len(region_code) == 12) or not in_scope(actor, region_code):
            raise NotFound("not_found", "区划不存在或不在您的管辖范围内", field="region")
        low, high = subtree_range(region_code)
        deadlines = deadlines.filter(case__region_id__gte=low, case__region_id__lte=high)
        changes = changes.filter(enrollment__region_id__gte=low, enrollment__region_id__lte=high)
    if status == "filed":
        deadlines, changes = deadlines.filter(status=CaseDeadline.Status.MET), changes.filter(filed_on__isnull=False)
    elif status:
        deadlines = deadlines.exclude(status=CaseDeadline.Status.MET)
        changes = changes.filter(filed_on__isnull=True)
        if status == "overdue":
            deadlines, changes = deadlines.filter(due__lt=today), changes.filter(filing_due__lt=today)
        else:
            deadlines, changes = deadlines.filter(due__gte=today), changes.filter(filing_due__gte=today)
    out = [Filing("approval", "新增批准", d.case.program, d.case.applicant.name, d.case.region.name, d.starts_on,
                  d.due, d.met_on if d.status == CaseDeadline.Status.MET else None, case_id=d.case_id)
           for d in deadlines.select_related("case__applicant", "case__region").order_by("due", "id")[:LIMIT]]
    for ch in changes.select_related("enrollment__region", "enrollment__household").order_by("filing_due", "id")[:LIMIT]:
        e = ch.enrollment
        label = "停保" if ch.new_status == "stopped" else f"分类变更（{ch.old_class or '—'}→{ch.new_class or '—'}）"
        out.append(Filing("exit", f"出保：{label}", e.program, e.household.head_name, e.region.name,
                          timezone.localtime(ch.at).date(), ch.filing_due or today, ch.filed_on, change_id=ch.pk,
                          enrollment_id=e.pk))
    return sorted(out, key=lambda f: (f.due, f.kind, f.case_id or f.change_id or 0))[:LIMIT]
