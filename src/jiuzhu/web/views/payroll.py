"""Payroll pages (社会化发放): batch list with the prepare form, batch page with totals, lines and the
approve / export / download / reconcile actions. Thin: parse → one service/selector → render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.payments import selectors, services
from jiuzhu.apps.payments.layouts import layouts
from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.rules.errors import DomainError, NotFound

from ..forms import parse_int
from . import jobs
from .common import forbidden, scoped

LINE_STATUSES = dict(PaymentLine.Status.choices)
MAX_RESULT_BYTES = 200 * 1024 * 1024


def _viewer(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.may_view(request.user):
            return forbidden(request, "您的角色不能查看发放批次")
        return view(request, *args, **kwargs)

    return wrapper


def _list_context(request, **extra) -> dict:
    today = timezone.localdate()
    return {
        "batches": selectors.batches_visible(actor=request.user),
        "regions": selectors.payroll_regions(actor=request.user),
        "may_operate": selectors.may_operate(request.user),
        "form": {"region": request.user.region_id, "month": f"{today:%Y-%m}"},
        **jobs.started_job(request), **extra,
    }


@login_required
@_viewer
@require_GET
def payroll_list(request):
    return render(request, "web/payroll_list.html", _list_context(request))


@login_required
@_viewer
@scoped
@require_POST
def payroll_prepare(request):
    form = {"region": request.POST.get("region", "").strip(), "month": request.POST.get("month", "").strip()}
    try:
        month = services.payroll_prepare_check(actor=request.user, region_code=form["region"], month=form["month"],
                                               now=timezone.now())
    except NotFound:
        raise
    except DomainError as exc:
        return render(request, "web/payroll_list.html", _list_context(request, form=form, error=exc), status=exc.status)
    job = jobs.enqueue(request, kind="payroll.prepare", params={"region": form["region"], "month": f"{month:%Y-%m}"},
                       region_code=form["region"])
    return redirect(jobs.with_job(reverse("web:payroll_list"), job))


def _detail_context(request, batch, **extra) -> dict:
    status = request.GET.get("status", "")
    status = status if status in LINE_STATUSES else ""
    after = parse_int(request.GET.get("after"))
    lines = selectors.batch_lines(batch=batch, status=status, after=after, limit=selectors.PAGE_SIZE + 1)
    more, lines = len(lines) > selectors.PAGE_SIZE, lines[:selectors.PAGE_SIZE]
    operator = selectors.may_operate(request.user)
    totals = selectors.batch_totals(batch=batch)
    return {
        "batch": batch, "totals": totals, "subtotals": selectors.township_subtotals(totals),
        "counts": selectors.batch_status_counts(batch=batch), "lines": lines, "status": status,
        "statuses": LINE_STATUSES.items(), "next_after": lines[-1].pk if more and lines else None,
        "carried_into": selectors.batch_carried_into(batch=batch) if batch.status == "reconciled" else {},
        "may_approve": (operator and batch.status == "prepared" and batch.prepared_by_id != request.user.pk
                        and not batch.totals.get("building")),
        "own_batch": batch.prepared_by_id == request.user.pk,
        "may_export": operator and batch.status in ("approved", "reconciled"),
        "may_reconcile": operator and batch.status in ("approved", "reconciled") and bool(batch.bank_file),
        "layouts": [(name, layout.label) for name, layout in layouts().items()],
        "exported_layout": services.exported_layout(batch), **extra,
    }


@login_required
@_viewer
@scoped
@require_GET
def payroll_detail(request, batch_id: int):
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    return render(request, "web/payroll_detail.html", _detail_context(request, batch))


def _act(request, batch_id: int, action):
    """Run one service; on a domain error show the batch page with the message (and listed rows)."""
    try:
        return action()
    except NotFound:
        raise
    except DomainError as exc:
        batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
        return render(request, "web/payroll_detail.html", _detail_context(request, batch, error=exc),
                      status=exc.status)


@login_required
@_viewer
@scoped
@require_POST
def payroll_approve(request, batch_id: int):
    """Maker-checker: the checker confirms the totals shown on the page (households, persons, amount);
    if the batch's totals changed since the page was read, nothing is approved."""
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    seen = {k: request.POST.get(k, "").strip() for k in ("households", "persons", "amount")}
    checked = (selectors.may_operate(request.user) and batch.status == "prepared"
               and batch.prepared_by_id != request.user.pk)  # else the service says why
    if checked and request.POST.get("confirm") != "on":
        return render(request, "web/payroll_detail.html", _detail_context(
            request, batch, confirm_error="请勾选“我已核对户数、人数和金额合计”后再审核（字段：confirm）"), status=422)
    current = {"households": str(batch.households), "persons": str(batch.persons), "amount": f"{batch.total_amount:.2f}"}
    if checked and seen != current:
        return render(request, "web/payroll_detail.html", _detail_context(
            request, batch, confirm_error=(
                f"批次汇总已变化（现为 {batch.households} 户、{batch.persons} 人、{current['amount']} 元），"
                "请重新核对后再审核")), status=409)

    def approve():
        batch = services.payroll_approve(actor=request.user, batch_id=batch_id, now=timezone.now())
        messages.success(request, f"批次 {batch.number} 已审核锁定")
        return redirect("web:payroll_detail", batch_id=batch_id)

    return _act(request, batch_id, approve)


@login_required
@_viewer
@scoped
@require_POST
def payroll_export(request, batch_id: int):
    def export():
        batch, _ = services.payroll_export(actor=request.user, batch_id=batch_id,
                                           layout=request.POST.get("layout", "default"),
                                           fmt=request.POST.get("format", "csv"), now=timezone.now())
        messages.success(request, f"批次 {batch.number} 的银行文件已生成")
        return redirect("web:payroll_detail", batch_id=batch_id)

    return _act(request, batch_id, export)


@login_required
@_viewer
@scoped
@require_GET
def payroll_download(request, batch_id: int):
    if not selectors.may_operate(request.user):
        return forbidden(request, "只有县级民政部门工作人员可以下载银行文件")

    def download():
        batch, path = services.payroll_bank_file(actor=request.user, batch_id=batch_id, now=timezone.now())
        response = FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    return _act(request, batch_id, download)


@login_required
@_viewer
@scoped
@require_http_methods(["POST"])
def payroll_reconcile(request, batch_id: int):
    upload = request.FILES.get("file")
    if upload is None or upload.size > MAX_RESULT_BYTES:
        batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
        return render(request, "web/payroll_detail.html",
                      _detail_context(request, batch, upload_error="请选择银行回盘文件（CSV 或 xlsx，200MB 以内）"),
                      status=400)

    def reconcile():
        result = services.payroll_reconcile(actor=request.user, batch_id=batch_id, content=upload.read(),
                                            filename=upload.name, layout=request.POST.get("layout") or None,
                                            now=timezone.now())
        verb = "对账完成" if result["changed"] else "已对账，结果相同，未作更改"
        messages.success(request, f"{verb}：成功 {result['paid']} 笔，失败 {result['failed']} 笔"
                                  f"（{result['failed_amount']} 元，结转下一批次补发）")
        return redirect("web:payroll_detail", batch_id=batch_id)

    return _act(request, batch_id, reconcile)
