"""Department data sources (freshness, rejects) and verification reports (items, differences, PDF).
Thin: parse → authorize (roles and scope live in the selectors and services) → one call → render."""

from __future__ import annotations

import shutil
import uuid
from datetime import date
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.programs.figures import comparison_or_none
from jiuzhu.apps.verification import selectors
from jiuzhu.apps.verification.files import absolute
from jiuzhu.apps.verification.ingest import data_ingest_check
from jiuzhu.apps.verification.jobs import upload_dir
from jiuzhu.apps.verification.pdf import CONCLUSIONS, report_pdf
from jiuzhu.apps.verification.report import payload as case_payload
from jiuzhu.apps.verification.services import verification_run, verification_submit
from jiuzhu.batch.datasets import DATASETS
from jiuzhu.batch.ingest import csv_bytes
from jiuzhu.rules.errors import DomainError, NotFound, ValidationFailed

from . import jobs
from .common import roles_required, scoped


def _date(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed("verification.as_of", "核对基准日格式应为 YYYY-MM-DD", field="as_of") from None



@login_required
@roles_required("data.read", "您的角色无权查看部门数据")
@require_GET
def data_sources(request):
    return _sources_page(request, request.GET.get("source", ""))


def _sources_page(request, source: str, status: int = 200):
    rows = selectors.sources_overview(actor=request.user, today=timezone.localdate())
    history = selectors.snapshots_of(actor=request.user, source=source) if source in {r["code"] for r in rows} else []
    return render(request, "web/data_sources.html", {"rows": rows, "source": source, "history": history,
                                                     "stale_days": selectors.STALE_DAYS,
                                                     "can_upload": can(request.user, "data.ingest"),
                                                     "today": timezone.localdate(), **jobs.started_job(request)},
                  status=status)


@login_required
@roles_required("data.ingest", "只有县民政（核对机构）或系统管理员可以导入部门数据")
@require_POST
def data_upload(request):
    """Upload a department file (CSV, Parquet or xlsx) as a dated snapshot: the same service as
    ``jiuzhu data ingest``, run as a background job (the page shows its progress); a wrong header is
    refused here, with the columns named, and nothing stored."""
    source = request.POST.get("source", "")
    upload = request.FILES.get("file")
    try:
        as_of = _date(request.POST.get("as_of", "")) or None
        if as_of is None:
            raise ValidationFailed("data.as_of", "请填写数据日期（YYYY-MM-DD）", field="as_of")
        if upload is None:
            raise ValidationFailed("data.file_missing", "请选择要导入的文件", field="file")
        token = uuid.uuid4().hex
        folder = upload_dir(token)
        folder.mkdir(parents=True, mode=0o700)
        path = folder / (Path(upload.name).name or "upload")
        with open(path, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            data_ingest_check(actor=request.user, source=source, path=path)
        except DomainError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    except DomainError as exc:  # shown on the sources page itself, with the error status (nothing stored)
        messages.error(request, f"导入失败：{exc.message}")
        return _sources_page(request, source if source in DATASETS else "", status=exc.status)
    job = jobs.enqueue(request, kind="verification.ingest", region_code=request.user.region_id,
                       params={"source": source, "as_of": as_of.isoformat(), "token": token, "filename": path.name})
    if job.params.get("token") != token:  # the same form again: the first upload is the one imported
        shutil.rmtree(folder, ignore_errors=True)
    return redirect(jobs.with_job(f"{reverse('web:data_sources')}?source={source}", job))


@login_required
@roles_required("data.read", "您的角色无权查看部门数据")
@scoped
@require_GET
def snapshot_rejects(request, snapshot_id: int):
    import pyarrow.parquet as pq

    snap = selectors.snapshot_get(actor=request.user, snapshot_id=snapshot_id)
    if not snap.rejects_path:
        raise NotFound("not_found", "该快照没有退回行")
    body = csv_bytes(pq.read_table(absolute(snap.rejects_path)), neutralise=True)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejects_{snap.source_id}_{snap.as_of}_{snap.pk}.csv"'
    return response


@login_required
@roles_required("verification.read", "您的角色无权查看核对报告")
@require_GET
def verification_list(request):
    reports = selectors.reports_recent(actor=request.user)
    pending = selectors.pending_case_rows(actor=request.user, limit=100) if can(request.user, "verification.run") else []
    return render(request, "web/verification_list.html", {"reports": reports, "pending": pending,
                                                          "today": timezone.localdate(),
                                                          "can_run": can(request.user, "verification.run"),
                                                          "conclusions": CONCLUSIONS})


@login_required
@roles_required("verification.run", "您的角色不能发起核对")
@scoped
@require_POST
def verification_start(request):
    try:
        as_of = _date(request.POST.get("as_of", ""))
        report = verification_run(actor=request.user, case_id=request.POST.get("case", ""), now=timezone.now(),
                                  as_of=as_of)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:verification_list")
    return redirect("web:verification_report", report_id=report.pk)


@login_required
@roles_required("verification.read", "您的角色无权查看核对报告")
@scoped
@require_GET
def verification_report(request, report_id: int):
    report = selectors.report_get(actor=request.user, report_id=report_id)
    data = report.data
    return render(request, "web/verification_report.html", {
        "report": report, "r": data, "conclusion": CONCLUSIONS[report.conclusion],
        "members": [p for p in data["persons"] if p["role"] == "member"],
        "obligors": [p for p in data["persons"] if p["role"] == "obligor"],
        "can_submit": can(request.user, "verification.submit") and report.submitted_at is None,
        # what recording the report puts on the case, item by item against the declaration (issue 13 §1)
        "comparison": comparison_or_none(report.case, case_payload(data, report.number)["items"],
                                         timezone.localdate()),
    })


@login_required
@roles_required("verification.read", "您的角色无权查看核对报告")
@scoped
@require_GET
def verification_pdf(request, report_id: int):
    report = selectors.report_get(actor=request.user, report_id=report_id)
    path = absolute(report_pdf(report))
    return FileResponse(open(path, "rb"), content_type="application/pdf", as_attachment=False,
                        filename=f"{report.number}.pdf")


@login_required
@roles_required("verification.submit", "只有县民政可以将核对报告录入案件")
@scoped
@require_POST
def verification_submit_view(request, report_id: int):
    try:
        case = verification_submit(actor=request.user, report_id=report_id, now=timezone.now())
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:verification_report", report_id=report_id)
    messages.success(request, f"核对报告已录入案件 {case.number}")
    return redirect("web:verification_report", report_id=report_id)
