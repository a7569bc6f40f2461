"""Background jobs (后台任务): the jobs page (administrators all, county staff their county's, everyone
else their own), one job's page, the small status fragment that a page polls with htmx while its job
runs, and retry / cancel (audited). Also the helpers the pages that queue work share."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.jobs import selectors, services
from jiuzhu.apps.jobs.models import Job
from jiuzhu.apps.jobs.registry import kind_label
from jiuzhu.apps.jobs.uploads import upload_discard, upload_store
from jiuzhu.core import uploads as file_uploads
from jiuzhu.rules.errors import DomainError, NotFound, ValidationFailed

from .common import scoped

TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _link(job: Job) -> dict | None:
    """Where a finished job's result is shown (the web knows the URLs, the apps don't)."""
    r = job.result or {}
    if job.status != Job.Status.SUCCEEDED:
        return None
    if job.kind == "payroll.prepare" and r.get("batch_id"):
        return {"url": reverse("web:payroll_detail", args=[r["batch_id"]]),
                "label": f"查看发放批次 {r.get('number', '')}（{r.get('households', 0)} 户，{r.get('total_amount', '')} 元）"}
    if job.kind == "monitoring.scan":
        return {"url": reverse("web:alert_list"),
                "label": f"查看预警（监测 {r.get('population', 0)} 人，新增预警 {r.get('created', 0)} 条）"}
    if job.kind == "verification.ingest" and r.get("snapshot_id"):
        verb = "该文件此前已导入，未重复导入" if r.get("already") else f"已导入 {r.get('rows', 0)} 行，退回 {r.get('rejects', 0)} 行"
        return {"url": f"{reverse('web:data_sources')}?source={r.get('source', '')}",
                "label": f"查看快照 {r['snapshot_id']}（{verb}）"}
    if job.kind == "stats.compute" and r.get("month"):
        return {"url": f"{reverse('web:dashboard')}?month={r['month']}",
                "label": f"查看 {r['month']} 统计看板（{r.get('rows', 0)} 条统计）"}
    if job.kind == "enrollment.ledger_import":
        verb = "校验通过（未导入）" if r.get("dry_run") else "导入完成"
        return {"url": reverse("web:enrollment_list"),
                "label": f"{verb}：{r.get('rows', 0)} 行，{r.get('households', 0)} 户、{r.get('persons', 0)} 人、"
                         f"在保对象 {r.get('enrollments', 0)} 个"}
    if job.kind == "monitoring.register_import":
        return {"url": reverse("web:register_list"),
                "label": f"导入完成：{r.get('rows', 0)} 条登记（{r.get('households', 0)} 户）"}
    if job.kind == "integrity.relatives_import":
        verb = "校验通过（未导入），预览见下表" if r.get("dry_run") else "导入完成"
        return {"url": reverse("web:relative_list"),
                "label": f"{verb}：新增 {r.get('new', 0)} 名近亲属（{r.get('staff', 0)} 名工作人员），已登记未变 {r.get('unchanged', 0)} 名"}
    if job.kind == "documents.notice_batch" and r.get("files"):
        return {"url": reverse("web:job_detail", args=[job.pk]),
                "label": f"下载文书：{r.get('documents', 0)} 份告知书（{r.get('pages', 0)} 页），"
                         f"每个乡镇一个压缩包、每个村一个合并打印文件"}
    if job.kind == "enrollment.standard_simulate":
        return {"url": reverse("web:system_simulation", args=[job.pk]),
                "label": f"查看测算结果（受影响 {r.get('affected', 0)} 户，每月增支 {r.get('diff_month', '')} 元）"}
    if job.kind == "reviews.start" and r.get("campaign_id"):
        return {"url": reverse("web:review_detail", args=[r["campaign_id"]]),
                "label": f"查看 {r.get('year', '')} 年度年审（新建复核任务 {r.get('created', 0)} 件）"}
    if job.kind in ("enrollment.standard_preview", "enrollment.standard_apply") and r.get("change_id"):
        what = (f"调整 {r.get('adjusted', 0)} 人次" if job.kind.endswith("apply")
                else f"在保对象 {(r.get('counts') or {}).get('total', 0)} 个，差额 {r.get('diff', '')} 元")
        return {"url": reverse("web:system_standard", args=[r["change_id"]]), "label": f"查看标准调整 {r['change_id']}（{what}）"}
    if job.kind == "integrity.selfcheck" and r.get("campaign_id"):
        return {"url": reverse("web:selfcheck_detail", args=[r["campaign_id"]]),
                "label": f"查看自查自纠（在保 {r.get('population', 0)} 人，疑点 {r.get('hits', 0)} 条）"}
    if job.kind == "exports.xlsx" and r.get("file"):
        return {"url": reverse("web:export_download", args=[job.pk]), "label": f"下载 Excel（{r.get('rows', 0)} 行）"}
    if job.kind == "audit.verify":
        verdict = "审计日志完整" if r.get("intact") else "发现篡改"
        return {"url": reverse("web:system_audit"), "label": f"查看校验结果（{verdict}，已校验 {r.get('checked', 0)} 条）"}
    return None


def job_files_dir(job: Job) -> Path:
    return Path(settings.JIUZHU_FILES_DIR) / "batches" / str((job.result or {}).get("folder", ""))


def job_view(job: Job) -> dict:
    files = (job.result or {}).get("files") if job.status == Job.Status.SUCCEEDED else None
    return {"job": job, "job_label": kind_label(job.kind), "job_link": _link(job), "job_files": files or []}


def started_job(request) -> dict:
    """The context of the job named in ``?job=`` (the page that queued it shows its progress); empty
    when there is none or the user may not see it."""
    raw = request.GET.get("job", "")
    if not raw.isdigit():
        return {}
    try:
        return job_view(selectors.job_get(actor=request.user, job_id=raw))
    except NotFound:
        return {}


def enqueue(request, *, kind: str, params: dict, region_code: str | None) -> Job:
    """Queue ``kind`` for the user; the form's one-time token (``job_token``) is the idempotency key,
    so a double submit of the same form queues one job."""
    token = request.POST.get("job_token", "")
    key = f"web:{request.user.pk}:{token}" if TOKEN.match(token) else None
    job, created = services.job_enqueue(kind=kind, params=params, key=key, actor=request.user,
                                        region_code=region_code, now=timezone.now())
    if created:
        messages.success(request, f"已提交后台任务：{kind_label(kind)}（任务 {job.pk}），完成后本页显示结果")
    else:
        messages.info(request, f"该表单已提交过：后台任务 {job.pk}（{job.get_status_display()}）")
    return job


def upload_checked(upload, *, kind: str, limit: int, field: str, missing: str, default: str) -> tuple[str, Path]:
    """Store a file uploaded for a background job after the checks that need no parsing (present, size,
    a complete xlsx); a bad file raises the file checker's Chinese error and nothing stays stored."""
    if upload is None:
        raise ValidationFailed("upload.file_missing", missing, field=field)
    name = Path(upload.name or "").name or default
    file_uploads.check_size(upload.size or 0, name=name, limit=limit)
    token, path = upload_store(name, upload.chunks(), default=default)
    try:
        if kind == "xlsx":
            file_uploads.check_xlsx(path, name=name, limit=limit, allow_xls=False)
    except DomainError:
        upload_discard(token)
        raise
    return token, path


def enqueue_upload(request, *, kind: str, region_code: str | None, token: str, params: dict, back: str):
    """Queue the job that imports a stored upload and go back to ``back`` showing its progress; the same
    form posted again keeps the first job and drops the second copy of the file."""
    job = enqueue(request, kind=kind, region_code=region_code, params={**params, "token": token})
    if job.params.get("token") != token:
        upload_discard(token)
    return redirect(with_job(back, job))


def with_job(url: str, job: Job) -> str:
    return f"{url}{'&' if '?' in url else '?'}job={job.pk}"


@login_required
@require_GET
def job_list(request):
    status = request.GET.get("status", "")
    jobs = selectors.jobs_visible(actor=request.user, status=status)
    rows = [{**job_view(j)} for j in jobs]
    return render(request, "web/job_list.html", {"rows": rows, "status": status, "statuses": Job.Status.choices})


@login_required
@scoped
@require_GET
def job_detail(request, job_id: int):
    job = selectors.job_get(actor=request.user, job_id=job_id)
    return render(request, "web/job_detail.html", job_view(job))


@login_required
@scoped
@require_GET
def job_file(request, job_id: int, name: str):
    """A file a finished job wrote (batch documents), for whoever may see the job; only names the job's
    result lists, from its own folder."""
    job = selectors.job_get(actor=request.user, job_id=job_id)
    r = job.result or {}
    if job.status != Job.Status.SUCCEEDED or name not in (r.get("files") or []) or not r.get("folder"):
        raise NotFound("jobs.file_missing", "该任务没有这个文件")
    path = job_files_dir(job) / name
    if not path.is_file():
        raise NotFound("jobs.file_gone", "文件已被清理，请重新生成")
    audit_record(actor=request.user, action="documents.batch_download", subject_type="job", subject_id=job.pk,
                 region_code=job.region_id or "", details={"file": name})
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@scoped
@require_GET
def job_status(request, job_id: int):
    """The fragment polled by the page that started the job (every 2 s until it is finished)."""
    job = selectors.job_get(actor=request.user, job_id=job_id)
    response = render(request, "web/_job_status.html", job_view(job))
    response["Cache-Control"] = "no-store"
    return response


def _act(request, job_id: int, action, done: str):
    try:
        job = action(actor=request.user, job_id=job_id, now=timezone.now())
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:job_list")
    messages.success(request, f"任务 {job.pk}（{kind_label(job.kind)}）{done}")
    return redirect("web:job_list")


@login_required
@scoped
@require_POST
def job_retry(request, job_id: int):
    return _act(request, job_id, services.job_retry, "已重新排队")


@login_required
@scoped
@require_POST
def job_cancel(request, job_id: int):
    return _act(request, job_id, services.job_cancel, "已取消")
