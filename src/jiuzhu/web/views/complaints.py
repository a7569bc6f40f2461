"""Complaints, 举报, 信访, objections: the list with intake form, the 督办 (overdue) list, an item's page
(assign, accept, extend, investigate, conclude, reply PDF, satisfaction, reveal an anonymous reporter)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.integrity import complaint_documents, complaints
from jiuzhu.apps.integrity.models import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, Complaint
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.apps.regions.selectors import regions_in_scope
from jiuzhu.rules.errors import DomainError, NotFound

from .common import roles_required, scoped
from .integrity import _errors

INTAKE_FIELDS = ("category", "channel", "region", "case", "enrollment", "content", "received_on", "anonymous",
                 "reporter_name", "reporter_phone")
ACTIONS = {
    "assign": (complaints.complaint_assign, ("handler",), ()),
    "accept": (complaints.complaint_accept, ("note",), ("accept",)),
    "investigate": (complaints.complaint_investigate, ("text",), ()),
    "conclude": (complaints.complaint_conclude, ("result", "text"), ()),
    "satisfaction": (complaints.complaint_satisfaction, ("satisfaction",), ()),
}


def _list_context(request, **extra) -> dict:
    status, today = request.GET.get("status", ""), timezone.localdate()
    return {"items": complaints.complaints_visible(actor=request.user, status=status)[:500], "status": status,
            "statuses": Complaint.Status.choices, "categories": COMPLAINT_CATEGORIES, "channels": COMPLAINT_CHANNELS,
            "overdue": list(complaints.complaints_overdue(actor=request.user, today=today)[:200]),
            "townships": regions_in_scope(actor=request.user, level=4), "today": today,
            "can_intake": can(request.user, "complaint.intake"), "errors": {}, "raw": {}, **extra}


@login_required
@roles_required("complaint.read", "您的角色不能查看投诉举报")
@require_http_methods(["GET", "POST"])
def complaint_list(request):
    if request.method == "GET":
        return render(request, "web/complaint_list.html", _list_context(request))
    raw = {k: request.POST.get(k, "").strip()[:5000] for k in INTAKE_FIELDS}
    data: dict = {k: v for k, v in raw.items() if v != "" and k != "anonymous"}
    data["anonymous"] = raw["anonymous"] == "on"
    for key in ("category", "channel", "region", "content", "received_on"):
        data.setdefault(key, "")
    try:
        c = complaints.complaint_intake(actor=request.user, data=data, now=timezone.now())
    except DomainError as exc:
        return render(request, "web/complaint_list.html",
                      _list_context(request, errors=_errors(exc, INTAKE_FIELDS), raw=raw), status=exc.status)
    return redirect("web:complaint_detail", c.pk)


def _detail(request, c, status=200, **extra):
    handlers = [u for u in scope_filter(User.objects.filter(is_active=True), request.user)
                if can(u, "complaint.handle") and in_scope(u, c.region_id)][:100]
    return render(request, "web/complaint_detail.html", {
        "c": c, "reporter": complaints.reporter_view(actor=request.user, complaint=c), "handlers": handlers,
        "can_assign": can(request.user, "complaint.assign"), "can_handle": can(request.user, "complaint.handle"),
        "results": [r for r in Complaint.Result.choices if r[0]],
        "satisfactions": [s for s in Complaint.Satisfaction.choices if s[0]],
        "errors": {}, "raw": {}, **extra}, status=status)


@login_required
@roles_required("complaint.read", "您的角色不能查看投诉举报")
@scoped
@require_GET
def complaint_detail(request, complaint_id: int):
    return _detail(request, complaints.lock_read(request.user, complaint_id))


@login_required
@roles_required("complaint.read", "您的角色不能查看投诉举报")
@scoped
@require_POST
def complaint_action(request, complaint_id: int, action: str):
    c = complaints.lock_read(request.user, complaint_id)
    now = timezone.now()
    try:
        if action == "extend":
            complaints.complaint_extend(actor=request.user, complaint_id=c.pk, now=now)
            return redirect("web:complaint_detail", c.pk)
        if action == "reveal":
            data = complaints.reporter_reveal(actor=request.user, complaint_id=c.pk, now=now)
            return _detail(request, c, revealed=data)
        if action not in ACTIONS:
            raise NotFound("not_found", "没有这项操作")
        service, fields, flags = ACTIONS[action]
        raw = {k: request.POST.get(k, "").strip()[:5000] for k in fields}
        payload: dict = {k: v for k, v in raw.items() if v != "" or k != "note"}
        for flag in flags:
            value = request.POST.get(flag, "")
            if value not in ("yes", "no"):
                return _detail(request, c, status=400, errors={flag: "请选择"}, raw=raw)
            payload[flag] = value == "yes"
        service(actor=request.user, complaint_id=c.pk, data=payload, now=now)
    except NotFound:
        raise
    except DomainError as exc:
        names: tuple[str, ...] = (*ACTIONS[action][1], *ACTIONS[action][2]) if action in ACTIONS else ()
        return _detail(request, complaints.lock_read(request.user, complaint_id), status=exc.status,
                       errors=_errors(exc, names))
    return redirect("web:complaint_detail", c.pk)


@login_required
@roles_required("complaint.handle", "您的角色不能出具答复意见书")
@scoped
@require_GET
def complaint_reply_pdf(request, complaint_id: int):
    c = complaints.lock_read(request.user, complaint_id)
    try:
        pdf = complaint_documents.complaint_reply(actor=request.user, complaint_id=c.pk, now=timezone.now())
    except DomainError as exc:
        return _detail(request, c, status=exc.status, errors={"general": exc.message})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename=complaint-reply-{c.pk}.pdf"
    return response
