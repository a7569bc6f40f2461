"""Reads for verification, through the actor's region scope (reports) or role (department data)."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases.models import Case, CaseEvent, CaseRecord
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.batch.datasets import DATASETS
from jiuzhu.rules.errors import Forbidden, NotFound

from .models import Snapshot, VerificationReport

STALE_DAYS = 35  # a monthly feed older than this is shown as overdue (数据已过期)


def _data_reader(actor):
    if not can(actor, "data.read"):
        raise Forbidden("data.role", "只有县民政、纪检监督或系统管理员可以查看部门数据")


def sources_overview(*, actor, today: date) -> list[dict]:
    """Per declared source: its latest snapshot (date, rows, rejects, age in days) and how many."""
    _data_reader(actor)
    out = []
    for ds in DATASETS.values():
        snaps = Snapshot.objects.filter(source_id=ds.code)
        latest = snaps.order_by("-as_of", "-id").first()
        age = (today - latest.as_of).days if latest else None
        out.append({"code": ds.code, "name": ds.name, "department": ds.department, "version": ds.version,
                    "description": ds.description, "latest": latest, "count": snaps.count(), "age_days": age,
                    "stale": latest is None or age > STALE_DAYS,
                    "columns": [{"name": c.name, "label": c.label, "type": c.type, "required": c.required}
                                for c in ds.columns]})
    return out


def snapshots_of(*, actor, source: str, limit: int = 20) -> list[Snapshot]:
    _data_reader(actor)
    if source not in DATASETS:
        raise NotFound("not_found", "数据来源不存在")
    return list(Snapshot.objects.filter(source_id=source).select_related("imported_by").order_by("-as_of", "-id")[:limit])


def snapshot_get(*, actor, snapshot_id) -> Snapshot:
    _data_reader(actor)
    snap = Snapshot.objects.filter(pk=snapshot_id).first() if str(snapshot_id).isdigit() else None
    if snap is None:
        raise NotFound("not_found", "数据快照不存在")
    return snap


def _report_reader(actor):
    if not can(actor, "verification.read"):
        raise Forbidden("verification.read_role", "您的角色无权查看核对报告")


def report_get(*, actor, report_id) -> VerificationReport:
    _report_reader(actor)
    report = None
    if str(report_id).isdigit():
        report = VerificationReport.objects.select_related("case", "request", "region").filter(pk=report_id).first()
    if report is None or not in_scope(actor, report.region_id):
        raise NotFound("not_found", "核对报告不存在或不在您的管辖范围内")
    return report


def reports_recent(*, actor, case_id=None, limit: int = 50) -> list[VerificationReport]:
    _report_reader(actor)
    qs = scope_filter(VerificationReport.objects.all(), actor)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return list(qs.select_related("case", "region").order_by("-id")[:limit])


def pending_cases(*, actor, region_code: str | None = None, limit: int | None = None) -> list[int]:
    """Open cases of the region (default: the actor's) waiting for a verification report: in
    核对中, or (national order) accepted/surveyed with a request and no report recorded yet."""
    qs = scope_filter(Case.objects.filter(is_open=True), actor)
    if region_code:
        low, high = subtree_range(region_code)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    requested = Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action="request_verification"))
    recorded = Exists(CaseRecord.objects.filter(case=OuterRef("pk"), kind="verification"))
    qs = qs.filter(Q(state="verifying") | (Q(state__in=("accepted", "surveyed")) & requested & ~recorded))
    ids = qs.order_by("id").values_list("id", flat=True)
    return list(ids[:limit] if limit else ids)


def pending_case_rows(*, actor, limit: int = 100) -> list[Case]:
    ids = pending_cases(actor=actor, limit=limit)
    return list(Case.objects.filter(pk__in=ids).select_related("applicant", "region").order_by("id"))
