"""Reads for the user and token admin pages, inside the actor's region scope (a user or token of
another region is "not found")."""

from __future__ import annotations

from django.db.models import Q

from jiuzhu.apps.regions.scope import in_scope, scope_filter, scope_q
from jiuzhu.rules.errors import NotFound

from .models import ApiToken, User

PAGE_SIZE = 100


def users_visible(*, actor, q: str = "", role: str = "", limit: int = PAGE_SIZE) -> list[User]:
    qs = scope_filter(User.objects.select_related("region"), actor)
    if q:
        qs = qs.filter(Q(username__startswith=q) | Q(display_name__startswith=q))
    if role:
        qs = qs.filter(role=role)
    return list(qs.order_by("region_id", "username")[:limit])


def user_get(*, actor, user_id) -> User:
    user = None
    if str(user_id).isdigit() and int(user_id) < 2**63:
        user = User.objects.select_related("region").filter(pk=user_id).first()
    if user is None or not in_scope(actor, user.region_id):
        raise NotFound("not_found", "用户不存在或不在您的管辖范围内")
    return user


def tokens_visible(*, actor, limit: int = 200) -> list[ApiToken]:
    """Tokens of the users in the actor's scope, newest first."""
    qs = ApiToken.objects.select_related("user").filter(scope_q(actor, "user__region"))
    return list(qs.order_by("-created_at", "-id")[:limit])


def token_get(*, actor, token_id) -> ApiToken:
    token = None
    if str(token_id).isdigit() and int(token_id) < 2**63:
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or not in_scope(actor, token.user.region_id):
        raise NotFound("not_found", "令牌不存在或不在您的管辖范围内")
    return token
