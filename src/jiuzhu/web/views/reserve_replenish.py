"""补充备用金申请 pages (R-TA-07, issue 14 §2): the township requests a replenishment of the draws since
its last request; the county (a user other than the requester) approves or refuses with a reason."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.regions.codes import level_of
from jiuzhu.apps.regions.scope import actor_region_code
from jiuzhu.apps.reserve import replenishment as rep
from jiuzhu.rules.errors import DomainError, NotFound

from .common import roles_required, scoped

TOWNSHIP_LEVEL = 4


def _own_township(user) -> str | None:
    code = actor_region_code(user)
    return code if code and level_of(code) == TOWNSHIP_LEVEL else None


def _list(request, *, errors=None, raw=None, status=200):
    township = _own_township(request.user)
    pending = list(rep.uncovered_draws(township)) if township else []
    return render(request, "web/reserve_replenishments.html", {
        "requests": rep.replenishments_visible(actor=request.user)[:200], "township": township, "pending": pending,
        "pending_total": sum(d.amount for d in pending), "errors": errors or {}, "raw": raw or {"note": ""},
        "can_request": township is not None and can(request.user, "reserve.request")}, status=status)


@login_required
@roles_required("reserve.view", "您的角色不能查看备用金")
@scoped
@require_http_methods(["GET", "POST"])
def replenishment_list(request):
    if request.method == "GET":
        return _list(request)
    raw = {"note": request.POST.get("note", "").strip()}
    township = _own_township(request.user) or request.POST.get("township", "").strip()
    try:
        made = rep.reserve_replenish_request(actor=request.user, township_code=township, note=raw["note"],
                                             now=timezone.now())
    except DomainError as exc:
        return _list(request, errors={exc.details.get("field") or "general": exc.message}, raw=raw, status=exc.status)
    return redirect("web:reserve_replenishment", made.pk)


def _request(request, request_id):
    found = rep.replenishments_visible(actor=request.user).filter(pk=request_id).first()
    if found is None:
        raise NotFound("reserve.request", "补充申请不存在或不在您的管辖范围内")
    return found


def _detail(request, found, *, errors=None, status=200):
    return render(request, "web/reserve_replenishment.html", {
        "item": found, "errors": errors or {}, "own": found.requested_by_id == request.user.pk,
        "can_decide": can(request.user, "reserve.approve") and found.status == "pending"}, status=status)


@login_required
@roles_required("reserve.view", "您的角色不能查看备用金")
@scoped
def replenishment_detail(request, request_id: int):
    return _detail(request, _request(request, request_id))


@login_required
@roles_required("reserve.approve", "您的角色不能审批补充备用金申请")
@scoped
@require_POST
def replenishment_decide(request, request_id: int):
    found = _request(request, request_id)
    reason = request.POST.get("reason", "")
    service = rep.reserve_replenish_approve if request.POST.get("decision") == "approve" else rep.reserve_replenish_refuse
    try:
        service(actor=request.user, request_id=found.pk, reason=reason, now=timezone.now())
    except DomainError as exc:
        found.refresh_from_db()
        return _detail(request, found, errors={exc.details.get("field") or "general": exc.message}, status=exc.status)
    return redirect("web:reserve_replenishment", found.pk)
