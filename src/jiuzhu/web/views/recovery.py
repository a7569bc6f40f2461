"""Recovery of wrong payments (追回): the list and county ledger by township (page + xlsx), raising an
item for an enrollment's paid months, an item's page (notice PDF, instalments, receipts, 核销)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.integrity import recovery, recovery_documents, recovery_ledger
from jiuzhu.apps.integrity.models import RECOVERY_REASONS, RecoveryItem
from jiuzhu.apps.integrity.recovery_detect import recovery_detect
from jiuzhu.rules.errors import DomainError, NotFound

from .common import roles_required, scoped
from .integrity import _errors

RAISE_FIELDS = ("enrollment", "reason", "months", "note")
ACTIONS = {  # action → (service, fields, yes/no flags)
    "plan": (recovery.recovery_plan, ("count", "first_due"), ()),
    "receive": (recovery.recovery_receive, ("amount", "received_on", "note"), ()),
    "write_off": (recovery.recovery_write_off_propose, ("reason",), ()),
    "write_off_decide": (recovery.recovery_write_off_decide, ("note",), ("approve",)),
}


def _list_context(request, **extra) -> dict:
    status = request.GET.get("status", "")
    return {"items": recovery_ledger.items_visible(actor=request.user, status=status)[:500], "status": status,
            "statuses": RecoveryItem.Status.choices, "ledger": recovery_ledger.ledger(actor=request.user),
            "reasons": RECOVERY_REASONS, "can_operate": can(request.user, "recovery.operate"),
            "errors": {}, "raw": {"enrollment": request.GET.get("enrollment", "")[:20]}, **extra}


@login_required
@roles_required("recovery.read", "您的角色不能查看追回款项")
@require_http_methods(["GET", "POST"])
def recovery_list(request):
    if request.method == "GET":
        return render(request, "web/recovery_list.html", _list_context(request))
    raw = {k: request.POST.get(k, "").strip()[:2000] for k in RAISE_FIELDS}
    months = [m.strip() for m in raw["months"].replace("，", ",").replace("、", ",").split(",") if m.strip()]
    data = {"enrollment": raw["enrollment"], "reason": raw["reason"], "months": months, "note": raw["note"]}
    try:
        item = recovery.recovery_raise(actor=request.user, data=data, now=timezone.now())
    except DomainError as exc:
        return render(request, "web/recovery_list.html",
                      _list_context(request, errors=_errors(exc, RAISE_FIELDS), raw=raw),
                      status=exc.status)
    return redirect("web:recovery_detail", item.pk)


@login_required
@roles_required("recovery.read", "您的角色不能查看追回款项")
@require_GET
def recovery_ledger_xlsx(request):
    content = recovery_ledger.ledger_xlsx(actor=request.user, now=timezone.now())
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=recovery-ledger-{timezone.localdate():%Y%m%d}.xlsx"
    return response


def _item(request, item_id) -> RecoveryItem:
    item = None
    if str(item_id).isdigit():
        item = recovery_ledger.items_visible(actor=request.user).filter(pk=item_id).first()
    if item is None:
        raise NotFound("not_found", "追回款项不存在或不在您的管辖范围内")
    return item


def _detail(request, item, status=200, **extra):
    return render(request, "web/recovery_detail.html", {
        "item": item, "months": list(item.months.all()), "instalments": list(item.instalments.all()),
        "receipts": list(item.receipts.select_related("recorded_by")), "today": timezone.localdate(),
        "can_operate": can(request.user, "recovery.operate"), "can_approve": can(request.user, "recovery.write_off"),
        "own_proposal": item.write_off_proposed_by_id == request.user.pk, "errors": {}, "raw": {}, **extra},
        status=status)


@login_required
@roles_required("recovery.read", "您的角色不能查看追回款项")
@scoped
@require_GET
def recovery_detail(request, item_id: int):
    return _detail(request, _item(request, item_id))


@login_required
@roles_required("recovery.operate", "您的角色不能出具退款通知书")
@scoped
@require_GET
def recovery_notice_pdf(request, item_id: int):
    item = _item(request, item_id)
    try:
        pdf = recovery_documents.recovery_notice(actor=request.user, item_id=item.pk, now=timezone.now())
    except DomainError as exc:
        return _detail(request, item, status=exc.status, errors={"general": exc.message})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename=recovery-notice-{item.pk}.pdf"
    return response


@login_required
@roles_required("recovery.read", "您的角色不能查看追回款项")
@scoped
@require_POST
def recovery_action(request, item_id: int, action: str):
    item = _item(request, item_id)
    if action not in ACTIONS:
        raise NotFound("not_found", "没有这项操作")
    service, fields, flags = ACTIONS[action]
    raw = {k: request.POST.get(k, "").strip()[:2000] for k in fields}
    data: dict = {k: v for k, v in raw.items() if v != "" or k not in ("note",)}
    for flag in flags:
        value = request.POST.get(flag, "")
        if value not in ("yes", "no"):
            return _detail(request, item, status=400, errors={flag: "请选择审批结果"}, raw=raw, form=action)
        data[flag] = value == "yes"
    try:
        service(actor=request.user, item_id=item.pk, data=data, now=timezone.now())
    except DomainError as exc:
        return _detail(request, _item(request, item_id), status=exc.status, errors=_errors(exc, (*fields, *flags)),
                       raw=raw, form=action)
    return redirect("web:recovery_detail", item.pk)


@login_required
@roles_required("recovery.operate", "您的角色不能生成追回款项")
@require_POST
def recovery_detect_view(request):
    """Raise recovery items from the monitoring scan's death alerts; the list says how many were made."""
    items = recovery_detect(actor=request.user, now=timezone.now())
    return render(request, "web/recovery_list.html", _list_context(request, detected=len(items)))
