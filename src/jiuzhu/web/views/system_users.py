"""系统管理 · 用户: list, create (role, region, display name, post), change role/region/name/post,
unlock, reset password, deactivate / reactivate. Every change through an audited service of
apps/accounts (the same ones ``jiuzhu user …`` uses); users outside the admin's region are not found."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from jiuzhu.apps.accounts import selectors, services
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.regions.selectors import regions_in_scope
from jiuzhu.rules.errors import DomainError, NotFound

from .common import roles_required, scoped

DENIED = "只有系统管理员可以管理用户"
USER_FIELDS = ("username", "display_name", "post", "role", "region")
PAGE_FIELDS = ("display_name", "post", "role", "region", "password", "password2")  # shown under their input


def _errors(exc: DomainError) -> dict[str, str]:
    items = exc.details.get("errors") or [{"field": exc.details.get("field", ""), "message": exc.message}]
    return {e["field"] or "form": e["message"] for e in items}


def _list_context(request, **extra) -> dict:
    q = request.GET.get("q", "").strip()[:30]
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    return {"users": selectors.users_visible(actor=request.user, q=q, role=role), "q": q, "role": role,
            "roles": Role.choices, "regions": regions_in_scope(actor=request.user),
            "form": {"role": Role.CASEWORKER, "region": request.user.region_id}, "errors": {}, **extra}


@login_required
@roles_required("accounts.manage", DENIED)
@require_http_methods(["GET", "POST"])
def user_list(request):
    if request.method == "GET":
        return render(request, "web/system/users.html", _list_context(request))
    form = {k: request.POST.get(k, "").strip() for k in USER_FIELDS}
    try:
        user = services.user_create(actor=request.user, username=form["username"],
                                    password=request.POST.get("password", ""), role=form["role"],
                                    region_code=form["region"], display_name=form["display_name"], post=form["post"])
    except DomainError as exc:
        return render(request, "web/system/users.html", _list_context(request, form=form, errors=_errors(exc)),
                      status=exc.status)
    messages.success(request, f"已创建用户 {user.username}（{user.role_label}）")
    return redirect("web:system_user", user_id=user.pk)


def _detail_context(request, target, **extra) -> dict:
    return {"target": target, "roles": Role.choices, "regions": regions_in_scope(actor=request.user),
            "form": {"role": target.role, "region": target.region_id, "display_name": target.display_name,
                     "post": target.post}, "errors": {}, **extra}


@login_required
@roles_required("accounts.manage", DENIED)
@scoped
@require_http_methods(["GET", "POST"])
def user_detail(request, user_id: int):
    """GET the user; POST ``action`` = update | unlock | password | deactivate | activate."""
    target = selectors.user_get(actor=request.user, user_id=user_id)
    if request.method == "GET":
        return render(request, "web/system/user_detail.html", _detail_context(request, target))
    action = request.POST.get("action", "")
    form = {k: request.POST.get(k, "").strip() for k in USER_FIELDS}
    try:
        if action == "update":
            services.user_update(actor=request.user, user=target, role=form["role"], region_code=form["region"],
                                 display_name=form["display_name"], post=form["post"])
            done = "已保存角色、区划、姓名和职务"
        elif action == "unlock":
            services.user_unlock(actor=request.user, username=target.username)
            done = "已解除登录锁定"
        elif action == "password":
            if request.POST.get("password", "") != request.POST.get("password2", ""):
                raise services.ValidationFailed("user.password_mismatch", "两次输入的新密码不一致", field="password2")
            services.user_set_password(actor=request.user, user=target, password=request.POST.get("password", ""))
            done = "已重设密码，请将新密码当面告知本人"
        elif action in ("deactivate", "activate"):
            services.user_set_active(actor=request.user, user=target, active=action == "activate")
            done = "已停用账号（登录和 API 令牌随即失效）" if action == "deactivate" else "已重新启用账号"
        else:
            raise services.ValidationFailed("user.action", "未知的操作", field="action")
    except NotFound:
        raise
    except DomainError as exc:
        keep = form if action == "update" else _detail_context(request, target)["form"]
        errors = _errors(exc)
        general = next((m for f, m in errors.items() if f not in PAGE_FIELDS), "")
        return render(request, "web/system/user_detail.html",
                      _detail_context(request, target, form=keep, errors=errors, general_error=general),
                      status=exc.status)
    messages.success(request, f"{target.username}：{done}")
    return redirect("web:system_user", user_id=target.pk)

