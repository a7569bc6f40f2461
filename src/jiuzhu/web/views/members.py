"""Member changes on the household detail page, and revealing a full ID number (audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiuzhu.apps.registry import selectors, services
from jiuzhu.apps.registry.choices import MoveReason
from jiuzhu.rules.errors import DomainError, NotFound, ValidationFailed

from .. import forms
from .common import roles_required, scoped
from .households import WRITE_DENIED, detail_context


def _detail_with_errors(request, household_id: int, exc: DomainError, **extra):
    hh = selectors.household_get(actor=request.user, household_id=household_id)
    return render(request, "web/household_detail.html", detail_context(request, hh, **extra), status=exc.status)


@login_required
@require_POST
@roles_required("registry.write", WRITE_DENIED)
@scoped
def member_add(request, household_id: int):
    data = forms.member_data_from_post(request.POST)
    try:
        services.member_add(actor=request.user, household_id=household_id, data=data, as_of=timezone.localdate())
    except NotFound:
        raise
    except DomainError as exc:
        errors = forms.FormErrors(forms.error_items(exc), member_prefix="member")
        return _detail_with_errors(request, household_id, exc, add_member=data, add_errors=errors,
                                   open_form="add")
    return redirect("web:household_detail", household_id=household_id)


@login_required
@require_POST
@roles_required("registry.write", WRITE_DENIED)
@scoped
def member_end(request, household_id: int, person_id: int):
    reason = request.POST.get("reason", "")
    note = request.POST.get("note", "").strip()
    try:
        services.member_end(actor=request.user, person_id=person_id, reason=reason, note=note,
                            as_of=timezone.localdate())
    except NotFound:
        raise
    except DomainError as exc:
        return _detail_with_errors(request, household_id, exc, member_error=(person_id, exc.message))
    return redirect("web:household_detail", household_id=household_id)


@login_required
@require_POST
@roles_required("registry.write", WRITE_DENIED)
@scoped
def member_move(request, household_id: int, person_id: int):
    target = forms.parse_household_ref(request.POST.get("to_household", ""))
    relation = request.POST.get("relation", "")
    try:
        if target is None:
            raise ValidationFailed("member.target", "请填写迁入家庭的编号（如 H00000012）", field="to_household")
        services.member_move(actor=request.user, person_id=person_id, to_household_id=target, relation=relation,
                             as_of=timezone.localdate(), reason=MoveReason.MOVED,
                             note=request.POST.get("note", "").strip())
    except NotFound as exc:
        if exc.message.startswith("家庭"):
            # The target household is missing or outside the user's region: say so on the form.
            exc = ValidationFailed("member.target", "迁入家庭不存在或不在您的管辖范围内", field="to_household")
            return _detail_with_errors(request, household_id, exc, member_error=(person_id, exc.message))
        raise
    except DomainError as exc:
        return _detail_with_errors(request, household_id, exc, member_error=(person_id, exc.message))
    return redirect("web:household_detail", household_id=target)


@login_required
@require_POST
@roles_required("pii.view_full", "您的角色无权查看完整个人信息")
@scoped
def person_reveal(request, person_id: int):
    value = services.person_reveal(actor=request.user, person_id=person_id, field="id_number")
    return render(request, "web/_revealed.html", {"value": value})
