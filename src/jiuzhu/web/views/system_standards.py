"""系统管理 · 保障标准调整 (物价联动), as ``jiuzhu standard``: propose a dated standard with its source,
preview the effect on every enrollment (summary by township and class), approve by a second county
user (maker-checker: the proposer cannot approve; the checker confirms the preview they saw), apply.
Preview and apply run as background jobs (the services of ``jiuzhu standard preview`` / ``apply``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from jiuzhu.apps.enrollment.standard import change_get, describe, standard_approve, standard_propose
from jiuzhu.apps.enrollment.standard_selectors import changes_visible
from jiuzhu.apps.regions.selectors import regions_in_scope
from jiuzhu.rules.errors import Conflict, DomainError, NotFound, ValidationFailed

from . import jobs
from .common import roles_required, scoped
from .system_users import _errors

DENIED = "只有县级民政工作人员可以办理保障标准调整"
FIELDS = ("region", "program", "area_type", "amount", "start_date", "source")
ACTION_WORDS = {"adjust": "调整", "unchanged": "不变", "keep": "维持原金额（渐退期）", "review": "待复核"}


def _list_context(request, **extra) -> dict:
    return {"changes": changes_visible(actor=request.user),
            "regions": regions_in_scope(actor=request.user).filter(level__lte=3),
            "form": {"region": request.user.region_id, "program": "dibao", "area_type": "urban"}, "errors": {},
            **extra}


@login_required
@roles_required("standard.manage", DENIED)
@require_http_methods(["GET", "POST"])
def standard_list(request):
    if request.method == "GET":
        return render(request, "web/system/standards.html", _list_context(request))
    form = {k: request.POST.get(k, "").strip() for k in FIELDS}
    try:
        if not form["source"]:
            raise ValidationFailed("standard.source", "出处：必填（文件名称、文号及条款）", field="source")
        change = standard_propose(actor=request.user, region_code=form["region"], program=form["program"],
                                  area_type=form["area_type"], amount=form["amount"], start_date=form["start_date"],
                                  source=form["source"])
    except NotFound:
        return render(request, "web/system/standards.html", _list_context(
            request, form=form, errors={"region": "区划：不存在或不在您的管辖范围内"}), status=422)
    except DomainError as exc:
        return render(request, "web/system/standards.html", _list_context(request, form=form, errors=_errors(exc)),
                      status=exc.status)
    messages.success(request, f"已录入标准调整 {change.pk}：{describe(change)}。请生成预览，并由另一名县民政工作人员审批。")
    return redirect("web:system_standard", change_id=change.pk)


def _detail(request, change, **extra) -> dict:
    summary = change.preview_summary or {}
    counts = summary.get("counts", {})
    return {"change": change, "describe": describe(change), "summary": summary,
            "counts": [(ACTION_WORDS[a], counts.get(a, 0)) for a in ACTION_WORDS if counts],
            "own": change.prepared_by_id == request.user.pk,
            "may_approve": change.status == "proposed" and bool(change.preview_sha256)
            and change.prepared_by_id != request.user.pk, "error": "", **extra}


@login_required
@roles_required("standard.manage", DENIED)
@scoped
@require_http_methods(["GET"])
def standard_detail(request, change_id: int):
    change = change_get(actor=request.user, change_id=change_id)
    return render(request, "web/system/standard_detail.html", _detail(request, change, **jobs.started_job(request)))


@login_required
@roles_required("standard.manage", DENIED)
@scoped
@require_POST
def standard_action(request, change_id: int, action: str):
    """``preview`` and ``apply``: background jobs (``enrollment.standard_preview`` / ``_apply``; a new
    preview withdraws an approval); ``notices``: all 附件9 notices of an applied change (``documents.notice_batch``); ``approve``: the checker confirms the preview they saw (its SHA-256
    must still be the change's)."""
    change = change_get(actor=request.user, change_id=change_id)
    try:
        if action in ("preview", "apply"):
            if action == "preview" and change.status == "applied":
                raise Conflict("standard.applied", f"标准调整 {change.pk} 已应用，不能重新预览", field="status")
            if action == "apply" and change.status != "approved":
                raise Conflict("standard.not_approved", "尚未审批，不能应用：请先由另一名县民政工作人员审批预览",
                               field="status")
            job = jobs.enqueue(request, kind=f"enrollment.standard_{action}", params={"change_id": change.pk},
                               region_code=change.region_id)
            return redirect(jobs.with_job(reverse("web:system_standard", args=[change.pk]), job))
        elif action == "notices":
            if change.status != "applied":
                raise Conflict("documents.batch_not_applied", "尚未应用，没有可出具的调整告知书", field="status")
            job = jobs.enqueue(request, kind="documents.notice_batch", params={"standard_change_id": change.pk},
                               region_code=change.region_id)
            return redirect(jobs.with_job(reverse("web:system_standard", args=[change.pk]), job))
        elif action == "approve":
            if request.POST.get("confirm") != "on":
                raise ValidationFailed("standard.confirm", "请勾选“我已核对预览汇总”后再审批", field="confirm")
            if request.POST.get("sha256", "") != change.preview_sha256:
                raise Conflict("standard.preview_changed", "预览已重新生成，请核对新的汇总后再审批", field="confirm")
            standard_approve(actor=request.user, change_id=change.pk)
            done = "已审批，可以应用（按预览调整在保对象金额）"
        else:
            raise NotFound("not_found", "未知的操作")
    except NotFound:
        raise
    except DomainError as exc:
        change = change_get(actor=request.user, change_id=change_id)
        return render(request, "web/system/standard_detail.html", _detail(request, change, error=exc.message),
                      status=exc.status)
    messages.success(request, f"标准调整 {change.pk}：{done}")
    return redirect("web:system_standard", change_id=change.pk)
