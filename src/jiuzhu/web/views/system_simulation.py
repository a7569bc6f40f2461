"""系统管理 · 政策测算 (issue 17 §5), as ``jiuzhu standard simulate``: county staff choose new values of
dated policy parameters and a start date; the simulation runs as the background job
``enrollment.standard_simulate`` over every registry household of the region (nothing changes) and
its page shows the summary, cost per township, the distribution chart, the affected households
(names masked, paginated) and the spreadsheet; a simulation of standards becomes a proposal."""

from __future__ import annotations

import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.enrollment.simulation import (
    EDGE_WORDS,
    MOVEMENT_WORDS,
    parse_input,
    read_affected,
    simulation_propose,
)
from jiuzhu.apps.enrollment.simulation_params import label, simulation_keys
from jiuzhu.apps.enrollment.simulation_xlsx import STATUS_WORDS, write_simulation_xlsx
from jiuzhu.apps.enrollment.standard import region_policy, require_standard_actor
from jiuzhu.apps.jobs.selectors import job_get, jobs_visible
from jiuzhu.apps.regions.selectors import regions_in_scope
from jiuzhu.apps.registry.pii import mask_name
from jiuzhu.rules.errors import DomainError, NotFound

from . import jobs
from .common import roles_required, scoped

DENIED = "只有县级民政工作人员可以进行政策测算"
KIND = "enrollment.standard_simulate"
PAGE_SIZE = 50


def _default_start(today: date) -> date:
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


def _fields(region: str, start: date, values: dict) -> list[dict]:
    policy = region_policy(region)
    out = []
    for key in simulation_keys(policy, start):
        try:
            current = policy.lookup(key, start)
        except DomainError:
            current = "—"
        out.append({"key": key, "label": label(key), "current": current, "value": values.get(key, "")})
    return out


def _errors(exc: DomainError) -> dict:
    items = exc.details.get("errors") or [{"field": exc.details.get("field") or "form", "message": exc.message}]
    out: dict = {}
    for e in items:
        out.setdefault(e["field"], e["message"])
    return out


def _form_page(request, *, form: dict, errors: dict, status: int = 200):
    regions = regions_in_scope(actor=request.user).filter(level__lte=3)
    chosen = str(form.get("region") or "")
    region = chosen if chosen and regions.filter(code=chosen).exists() else str(request.user.region_id)
    try:
        start = date.fromisoformat(form.get("start_date") or "")
    except ValueError:
        start = _default_start(timezone.localtime(timezone.now()).date())
    return render(request, "web/system/simulation.html", {
        "form": form, "errors": errors, "fields": _fields(region, start, form.get("changes", {})),
        "regions": regions,
        "recent": [j for j in jobs_visible(actor=request.user, status="") if j.kind == KIND][:10],
    }, status=status)


@login_required
@roles_required("standard.manage", DENIED)
@require_http_methods(["GET", "POST"])
def simulation_new(request):
    if request.method == "GET":
        start = request.GET.get("start_date") or _default_start(timezone.localtime(timezone.now()).date()).isoformat()
        return _form_page(request, form={"region": request.GET.get("region") or request.user.region_id,
                                         "start_date": start, "changes": {}}, errors={})
    changes = {k[len("p:"):]: v.strip() for k, v in request.POST.items() if k.startswith("p:") and v.strip()}
    form = {"region": request.POST.get("region", "").strip(), "start_date": request.POST.get("start_date", "").strip(),
            "changes": changes}
    try:
        region, start, parsed = parse_input(region_code=form["region"], start_date=form["start_date"], changes=changes)
        require_standard_actor(request.user, region)
    except NotFound:
        return _form_page(request, form=form, errors={"region": "区划：不存在或不在您的管辖范围内"}, status=404)
    except DomainError as exc:
        return _form_page(request, form=form, errors=_errors(exc), status=exc.status)
    job = jobs.enqueue(request, kind=KIND, region_code=region,
                       params={"region": region, "start_date": start.isoformat(),
                               "changes": {k: str(v) for k, v in parsed.items()}})
    return redirect("web:system_simulation", job_id=job.pk)


def _job(request, job_id: int):
    job = job_get(actor=request.user, job_id=job_id)
    if job.kind != KIND:
        raise NotFound("not_found", "政策测算不存在或不在您的管辖范围内")
    return job


def _chart(summary: dict) -> dict:
    return {"categories": [f"{b['low']}～{b['high']}" for b in summary.get("histogram", [])],
            "series": [{"name": "户数", "data": [b["count"] for b in summary.get("histogram", [])]}]}


@login_required
@roles_required("standard.manage", DENIED)
@scoped
@require_GET
def simulation_detail(request, job_id: int):
    job = _job(request, job_id)
    summary = job.result if job.status == "succeeded" else {}
    movement, township = request.GET.get("movement", ""), request.GET.get("township", "")
    page, shown = None, []
    if summary:
        rows = read_affected(summary.get("simulation_folder", ""), movement=movement, township=township)
        paginator = Paginator(range(rows.num_rows), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        chunk = rows.slice((page.number - 1) * PAGE_SIZE, PAGE_SIZE).to_pylist() if rows.num_rows else []
        shown = [{**r, "head": mask_name(r["head_name"]), "movement_word": MOVEMENT_WORDS.get(r["movement"], ""),
                      "edge_word": EDGE_WORDS.get(r["edge"], ""), "old_word": STATUS_WORDS.get(r["old_status"], ""),
                      "new_word": STATUS_WORDS.get(r["new_status"], ""), "old_yuan": f"{r['old_fen'] / 100:.2f}",
                      "new_yuan": f"{r['new_fen'] / 100:.2f}", "diff_yuan": f"{r['diff_fen'] / 100:.2f}"}
                     for r in chunk]
    return render(request, "web/system/simulation_detail.html", {
        **jobs.job_view(job), "s": summary, "chart": _chart(summary) if summary else None, "page": page, "rows": shown,
        "movement": movement, "township": township, "movements": MOVEMENT_WORDS,
        "params": job.params, "changes": [{"label": label(k), "value": v} for k, v in job.params.get("changes", {}).items()],
    })


@login_required
@roles_required("standard.manage", DENIED)
@scoped
@require_GET
def simulation_xlsx(request, job_id: int):
    job = _job(request, job_id)
    if job.status != "succeeded":
        raise NotFound("not_found", "测算尚未完成")
    buffer = io.BytesIO()
    write_simulation_xlsx(job.result, read_affected(job.result.get("simulation_folder", "")), buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=\"simulation-{job.pk}.xlsx\""
    return response


@login_required
@roles_required("standard.manage", DENIED)
@scoped
@require_POST
def simulation_to_proposal(request, job_id: int):
    """One click: the simulated standards become proposals (``standard_propose``) with the simulated
    values and start date; they then go through preview, approval and apply as any other."""
    job = _job(request, job_id)
    p = job.params
    try:
        changes = simulation_propose(actor=request.user, region_code=p.get("region"), start_date=p.get("start_date"),
                                     changes=p.get("changes") or {}, source=request.POST.get("source", ""))
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('web:system_simulation', args=[job.pk])}#propose")
    messages.success(request, "已按测算录入标准调整 " + "、".join(str(c.pk) for c in changes) + "，请生成预览并由另一人审批")
    return redirect("web:system_standard", change_id=changes[0].pk)
