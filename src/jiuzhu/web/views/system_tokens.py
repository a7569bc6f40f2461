"""系统管理 · API 令牌: list (users of the admin's region), create for a user (the token is shown
once, on the response page, never stored in clear), revoke. Audited services of apps/accounts."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jiuzhu.apps.accounts import selectors
from jiuzhu.apps.accounts.tokens import token_create, token_revoke
from jiuzhu.rules.errors import DomainError, NotFound, ValidationFailed

from .common import roles_required, scoped
from .system_users import _errors

DENIED = "只有系统管理员可以签发和吊销 API 令牌"
MAX_DAYS = 3650


def _context(request, **extra) -> dict:
    return {"tokens": selectors.tokens_visible(actor=request.user),
            "users": selectors.users_visible(actor=request.user, limit=1000),
            "form": {}, "errors": {}, "now": timezone.now(), **extra}


def _days(raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise ValidationFailed("token.days", f"有效天数：应为 1 至 {MAX_DAYS} 的整数，留空为长期有效", field="days")
    return int(raw)


@login_required
@roles_required("tokens.manage", DENIED)
@require_http_methods(["GET", "POST"])
def token_list(request):
    if request.method == "GET":
        return render(request, "web/system/tokens.html", _context(request))
    form = {k: request.POST.get(k, "").strip() for k in ("user", "name", "days")}
    try:
        if not form["user"]:
            raise ValidationFailed("token.user", "用户：必填", field="user")
        if len(form["name"]) > 100:
            raise ValidationFailed("token.name", "用途：过长（最多 100 个字）", field="name")
        days = _days(form["days"])
        try:
            owner = selectors.user_get(actor=request.user, user_id=form["user"])
        except NotFound:
            raise ValidationFailed("token.user", "用户：不存在或不在您的管辖范围内", field="user") from None
        if not owner.is_active:
            raise ValidationFailed("token.user_inactive", "用户：该账号已停用，不能签发令牌", field="user")
        expires = timezone.now() + timedelta(days=days) if days else None
        token, raw = token_create(user=owner, name=form["name"], expires_at=expires, actor=request.user)
    except DomainError as exc:
        return render(request, "web/system/tokens.html", _context(request, form=form, errors=_errors(exc)),
                      status=exc.status)
    response = render(request, "web/system/tokens.html", _context(request, created=token, raw=raw))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@roles_required("tokens.manage", DENIED)
@scoped
@require_POST
def token_revoke_view(request, token_id: int):
    token = selectors.token_get(actor=request.user, token_id=token_id)
    token_revoke(token=token, actor=request.user)
    messages.success(request, f"已吊销令牌 {token.prefix}（{token.user.username}）")
    return redirect("web:system_tokens")
