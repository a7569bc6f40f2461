"""Verification services: run the engine for a case or a batch of cases, and submit a report to
the case (``record_verification``, workflow.md). Scope and roles are checked here; the matching is
the columnar job of jiuzhu.batch.verification over the latest snapshot of every source."""

from __future__ import annotations

import time
from datetime import date, datetime

from django.db import transaction

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.services import case_act
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.batch import verification as batch
from jiuzhu.batch.datasets import DATASETS, DEFAULT_PERIOD_MONTHS
from jiuzhu.batch.ingest import write_parquet
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import report as reports
from .files import absolute, files_root, relative
from .models import Snapshot, VerificationReport, VerificationRequest
from .pdf import report_pdf
from .population import case_inputs

PENDING_STATES = ("verifying", "accepted", "surveyed")


def latest_snapshots(as_of: date) -> list[Snapshot]:
    """The newest snapshot of every source dated on or before ``as_of`` (by date, then import order)."""
    out = []
    for code in sorted(DATASETS):
        snap = Snapshot.objects.filter(source_id=code, as_of__lte=as_of).order_by("-as_of", "-id").first()
        if snap is not None:
            out.append(snap)
    return out


def _snapshot_meta(snaps) -> list[dict]:
    return [{"id": s.pk, "source": s.source_id, "name": DATASETS[s.source_id].name, "as_of": s.as_of.isoformat(),
             "rows": s.rows, "sha256": s.sha256} for s in snaps]


def _check_runner(actor):
    if not can(actor, "verification.run"):  # township may run a pre-check; the county records it
        raise Forbidden("verification.role", "只有县民政（核对机构）或乡镇经办人可以发起核对")


def _cases(actor, case_ids) -> list[Case]:
    ids = sorted({int(c) for c in case_ids if str(c).isdigit()})
    if len(ids) != len(set(map(str, case_ids))):
        raise NotFound("not_found", "案件不存在或不在您的管辖范围内")
    found = {c.pk: c for c in Case.objects.select_related("household").filter(pk__in=ids)}
    missing = [i for i in ids if i not in found or not in_scope(actor, found[i].region_id)]
    if missing:
        raise NotFound("not_found", f"案件 {missing[0]} 不存在或不在您的管辖范围内", cases=missing[:20])
    return [found[i] for i in ids]


def _run(actor, cases, *, now: datetime, as_of: date | None, months: int, engine: str, kind: str, region: str,
         progress=None):
    as_of = as_of or now.date()
    if months < 1 or months > 36:
        raise ValidationFailed("verification.months", "收入计算期应为 1 至 36 个月", field="months")
    snaps = latest_snapshots(as_of)
    if not snaps:
        raise ValidationFailed("verification.no_data", f"{as_of.isoformat()} 及以前没有任何部门数据快照，请先导入数据"
                               "（jiuzhu data ingest）")
    started = time.perf_counter()
    step = progress or (lambda *a: None)
    step("读取家庭成员和义务人", 0, len(cases))
    inputs = case_inputs(cases, as_of=as_of)
    step("读取家庭成员和义务人", len(cases), len(cases))
    terms = batch.asset_terms(inputs.policy_objects, as_of)  # the applied standard changes included
    result = batch.run(inputs.persons, inputs.households, {s.source_id: absolute(s.path) for s in snaps},
                       as_of=as_of, terms=terms, months=months, engine=engine, progress=progress)
    meta = _snapshot_meta(snaps)
    contents = reports.build_reports(result, inputs, as_of=as_of, months=months, snapshots=meta)
    step("出具核对报告", 0, len(contents))
    with transaction.atomic():
        request = VerificationRequest.objects.create(
            kind=kind, case=cases[0] if kind == "case" else None, region_id=region, as_of=as_of, period_months=months,
            snapshots=[s.pk for s in snaps], engine=engine, cases=len(cases), created_at=now,
            created_by=actor if getattr(actor, "pk", None) else None, seconds=time.perf_counter() - started)
        by_case = {c.pk: c for c in cases}
        objs = [VerificationReport(request=request, case=by_case[cid], household_id=by_case[cid].household_id,
                                   region_id=by_case[cid].region_id, as_of=as_of, conclusion=data["conclusion"],
                                   data=data, digest=reports.digest(data), created_at=now)
                for cid, data in sorted(contents.items())]
        VerificationReport.objects.bulk_create(objs)
        saved = list(request.reports.order_by("case_id"))
        request.digest = reports.digest({"reports": [r.digest for r in saved], "snapshots": meta})
        if kind == "batch":
            path = files_root() / "verification" / "requests" / f"{request.pk:08d}_items.parquet"
            write_parquet(result.items, path, {"jiuzhu.request": request.pk, "jiuzhu.as_of": as_of.isoformat()})
            request.items_path = relative(path)
        request.save(update_fields=["digest", "items_path"])
        audit_record(actor=actor, action="verification.run", subject_type="verification_request",
                     subject_id=request.pk, region_code=region,
                     after={"cases": len(cases), "digest": request.digest, "snapshots": request.snapshots},
                     details={"kind": kind, "as_of": as_of.isoformat(), "engine": engine}, at=now)
    step("出具核对报告", len(contents), len(contents))
    return request, saved


def verification_run(*, actor, case_id, now: datetime, as_of: date | None = None,
                     months: int = DEFAULT_PERIOD_MONTHS, engine: str = "duckdb", pdf: bool = True,
                     progress=None) -> VerificationReport:
    """Verify one case's household (members and obligors) against every source; report (+ PDF)."""
    _check_runner(actor)
    (case,) = _cases(actor, [case_id])
    _, saved = _run(actor, [case], now=now, as_of=as_of, months=months, engine=engine, kind="case",
                    region=case.region_id, progress=progress)
    report = saved[0]
    if pdf:
        report_pdf(report)
    return report


def verification_run_batch(*, actor, case_ids, now: datetime, as_of: date | None = None,
                           months: int = DEFAULT_PERIOD_MONTHS, engine: str = "duckdb", region: str | None = None,
                           progress=None) -> VerificationRequest:
    """Verify many cases in one columnar run; one report per case (PDFs on demand)."""
    _check_runner(actor)
    cases = _cases(actor, case_ids)
    if not cases:
        raise ValidationFailed("verification.no_cases", "没有需要核对的案件")
    region = region or getattr(actor, "region_id", None) or cases[0].region_id
    request, _ = _run(actor, cases, now=now, as_of=as_of, months=months, engine=engine, kind="batch",
                      region=region, progress=progress)
    return request


def verification_submit(*, actor, report_id, now: datetime) -> Case:
    """Record the report on its case (``record_verification``) as the county's verification result."""
    report = VerificationReport.objects.select_related("case").filter(pk=report_id).first() \
        if str(report_id).isdigit() else None
    if report is None or not in_scope(actor, report.region_id):
        raise NotFound("not_found", "核对报告不存在或不在您的管辖范围内")
    if not can(actor, "verification.submit"):
        raise Forbidden("verification.submit_role", "只有县民政（核对机构）可以将核对报告录入案件")
    with transaction.atomic():
        locked = VerificationReport.objects.select_for_update().get(pk=report.pk)
        if locked.submitted_at is not None:
            raise Conflict("verification.already_submitted", "该核对报告已录入案件，不能重复录入")
        newer = VerificationReport.objects.filter(case_id=report.case_id, pk__gt=report.pk).exists()
        if newer:
            raise Conflict("verification.stale", "该案件已有更新的核对报告，请录入最新的报告")
        case = case_act(actor=actor, case_id=report.case_id, action="record_verification",
                        payload=reports.payload(report.data, report.number), now=now)
        VerificationReport.objects.filter(pk=report.pk).update(submitted_at=now, submitted_by=actor)
    return case
