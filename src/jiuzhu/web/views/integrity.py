"""失信 records pages (R-PEN-04): the list (乡镇 proposes), a record (县民政 decides, removes, handles the
appeal; evidence files) and the county's export for the credit information platform (CSV/JSON)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.integrity import evidence, export, selectors, services
from jiuzhu.apps.integrity.models import CreditRecord
from jiuzhu.rules.errors import DomainError, NotFound

from .common import roles_required, scoped

PROPOSE_FIELDS = ("id_number", "case", "behaviour", "facts", "amount")
ACTIONS = {  # action → (service, form fields, booleans)
    "decide": (services.credit_decide, ("decision", "decision_number"), ("approve",)),
    "remove": (services.credit_remove, ("reason",), ()),
    "appeal": (services.credit_appeal, ("text",), ()),
    "appeal_decide": (services.credit_appeal_decide, ("decision",), ("upheld",)),
}


def _errors(exc: DomainError, fields) -> dict:
    """Messages by form field (``months[0]`` → ``months``); anything else under ``general``."""
    found: dict[str, str] = {}

    def put(name: str, message: str):
        base = name.split("[", 1)[0].split(".", 1)[0]
        found.setdefault(base if base in fields else "general", message)

    for err in exc.details.get("errors") or []:
        put(str(err.get("field") or ""), err.get("message") or exc.message)
    if not found:
        put(str(exc.details.get("field") or ""), exc.message)
    return found


def _list_context(request, **extra) -> dict:
    status = request.GET.get("status", "")
    today = timezone.localdate()
    region = request.user.region_id or ""
    return {"records": selectors.records_visible(actor=request.user, status=status)[:500], "status": status,
            "statuses": CreditRecord.Status.choices, "can_propose": can(request.user, "integrity.propose"),
            "can_export": can(request.user, "integrity.export"),
            "behaviours": services.listable_behaviours(services.township_of(region), today) if region else {},
            "errors": {}, "raw": {}, "today": today, **extra}


@login_required
@roles_required("integrity.read", "您的角色不能查看失信记录")
@require_http_methods(["GET", "POST"])
def credit_list(request):
    if request.method == "GET":
        return render(request, "web/credit_list.html", _list_context(request))
    raw = {k: request.POST.get(k, "").strip()[:2000] for k in PROPOSE_FIELDS}
    data = {k: v for k, v in raw.items() if v != "" or k in ("behaviour", "facts", "id_number")}
    try:
        record = services.credit_propose(actor=request.user, data=data, now=timezone.now())
    except DomainError as exc:
        return render(request, "web/credit_list.html",
                      _list_context(request, errors=_errors(exc, PROPOSE_FIELDS), raw=raw), status=exc.status)
    return redirect("web:credit_detail", record.pk)


def _detail(request, record, **extra):
    today = timezone.localdate()
    return render(request, "web/credit_detail.html", {
        "record": record, "evidence": list(record.evidence.all()), "today": today, "errors": {}, "raw": {},
        "can_propose": can(request.user, "integrity.propose"), "can_decide": can(request.user, "integrity.decide"),
        "own_proposal": record.proposed_by_id == request.user.pk, **extra}, status=extra.pop("status", 200))


@login_required
@roles_required("integrity.read", "您的角色不能查看失信记录")
@scoped
@require_GET
def credit_detail(request, record_id: int):
    return _detail(request, selectors.record_get(actor=request.user, record_id=record_id))


@login_required
@roles_required("integrity.read", "您的角色不能查看失信记录")
@scoped
@require_POST
def credit_action(request, record_id: int, action: str):
    record = selectors.record_get(actor=request.user, record_id=record_id)
    if action == "evidence":
        upload = request.FILES.get("file")
        try:
            evidence.evidence_add(actor=request.user, record_id=record.pk, filename=upload.name if upload else "",
                                  content=upload.read(evidence.MAX_BYTES + 1) if upload else b"", now=timezone.now())
        except DomainError as exc:
            return _detail(request, record, errors={"file": exc.message}, status=exc.status)
        return redirect("web:credit_detail", record.pk)
    if action not in ACTIONS:
        raise NotFound("not_found", "没有这项操作")
    service, fields, flags = ACTIONS[action]
    raw = {k: request.POST.get(k, "").strip()[:2000] for k in fields}
    data: dict = dict(raw)
    for flag in flags:
        value = request.POST.get(flag, "")
        if value not in ("yes", "no"):
            return _detail(request, record, errors={flag: "请选择处理结果"}, raw=raw, form=action, status=400)
        data[flag] = value == "yes"
    try:
        service(actor=request.user, record_id=record.pk, data=data, now=timezone.now())
    except DomainError as exc:
        return _detail(request, selectors.record_get(actor=request.user, record_id=record_id),
                       errors=_errors(exc, (*fields, *flags)), raw=raw, form=action, status=exc.status)
    return redirect("web:credit_detail", record.pk)


@login_required
@roles_required("integrity.read", "您的角色不能查看失信记录")
@scoped
@require_GET
def credit_evidence(request, record_id: int, evidence_id: int):
    record = selectors.record_get(actor=request.user, record_id=record_id)
    item = record.evidence.filter(pk=evidence_id).first()
    if item is None:
        raise NotFound("not_found", "证据文件不存在")
    response = HttpResponse(evidence.evidence_bytes(item), content_type=item.content_type)
    response["Content-Disposition"] = f"attachment; filename=credit-{record.pk}-{item.pk}"
    return response


@login_required
@roles_required("integrity.export", "您的角色不能导出失信名单（由县级民政部门报送）")
@require_GET
def credit_export(request):
    fmt = request.GET.get("format", "csv")
    raw_as_of = request.GET.get("as_of", "")
    try:
        as_of = date.fromisoformat(raw_as_of) if raw_as_of else timezone.localdate()
    except ValueError:
        return render(request, "web/credit_list.html", _list_context(
            request, errors={"as_of": "截止日期格式应为 YYYY-MM-DD"}), status=400)
    if fmt not in ("csv", "json"):
        return render(request, "web/credit_list.html", _list_context(
            request, errors={"format": "导出格式只能是 CSV 或 JSON"}), status=400)
    body, ctype = export.credit_export(actor=request.user, fmt=fmt, as_of=as_of, now=timezone.now())
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f"attachment; filename=credit-list-{as_of.isoformat()}.{fmt}"
    return response


