from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.rules.errors import Forbidden, ValidationFailed

from .models import User
from .roles import Role, can

USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,30}$")


def _password_messages(exc: ValidationError) -> list[str]:
    """Chinese messages; Django 5.2's zh-hans catalog lacks the new msgid of the too-short message."""
    out = []
    for err in exc.error_list:
        if err.code == "password_too_short":
            out.append(f"密码太短，至少需要 {(err.params or {}).get('min_length', '')} 个字符。")
        else:
            out.extend(err.messages)
    return out


def _require_manager(actor, region_code: str | None) -> None:
    """A named actor needs ``accounts.manage`` and the region inside their scope (the console, actor None,
    is the system operator)."""
    if actor is None:
        return
    if not can(actor, "accounts.manage"):
        raise Forbidden("forbidden", "只有系统管理员可以管理用户")
    if region_code is not None and not in_scope(actor, region_code):
        raise ValidationFailed("user.region_scope", "所属区划：不存在或不在您的管辖范围内", field="region")


def _check_fields(*, role: str | None = None, region_code: str | None = None, display_name: str | None = None,
                  post: str | None = None) -> None:
    if role is not None and role not in Role.values:
        raise ValidationFailed("user.role", f"角色：未知角色“{role}”", field="role")
    if region_code is not None and not Region.objects.filter(code=region_code).exists():
        raise ValidationFailed("user.region", f"所属区划：区划代码“{region_code}”不存在", field="region")
    if display_name is not None and len(display_name) > 50:
        raise ValidationFailed("user.display_name", "姓名：过长（最多 50 个字）", field="display_name")
    if post is not None and len(post) > 50:
        raise ValidationFailed("user.post", "职务：过长（最多 50 个字）", field="post")


def user_create(*, actor, username: str, password: str, role: str, region_code: str, display_name: str = "",
                post: str = "", resident_cadre: bool = False) -> User:
    _check_fields(role=role, region_code=region_code, display_name=display_name, post=post)
    if not USERNAME.match(username or ""):
        raise ValidationFailed("user.username", "用户名：应为 2 至 30 个字母、数字或 . _ -", field="username")
    _require_manager(actor, region_code)
    if User.objects.filter(username=username).exists():
        raise ValidationFailed("user.exists", f"用户名“{username}”已存在", field="username")
    user = User(username=username, role=role, region_id=region_code, display_name=display_name, post=post,
                resident_cadre=bool(resident_cadre))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed("user.password", "".join(_password_messages(exc)), field="password") from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_record(actor=actor, action="user.create", subject_type="user", subject_id=user.pk,
                     region_code=region_code,
                     after={"username": username, "role": role, "region": region_code, "display_name": display_name,
                            "post": post, "resident_cadre": user.resident_cadre})
    return user


def user_update(*, actor, user: User, role: str, region_code: str, display_name: str, post: str) -> User:
    """Change a user's role, region, display name and post (audited with before and after)."""
    _check_fields(role=role, region_code=region_code, display_name=display_name, post=post)
    _require_manager(actor, user.region_id)
    _require_manager(actor, region_code)
    if actor is not None and actor.pk == user.pk and role != user.role:
        raise ValidationFailed("user.own_role", "角色：不能修改自己的角色（请另一名管理员办理）", field="role")
    fields = ("role", "region_id", "display_name", "post")
    before = {f: getattr(user, f) for f in fields}
    after = {"role": role, "region_id": region_code, "display_name": display_name, "post": post}
    if before == after:
        return user
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**after)
        audit_record(actor=actor, action="user.update", subject_type="user", subject_id=user.pk,
                     region_code=region_code, before=before, after=after,
                     details={"username": user.username,
                              "changes": {k: [before[k], v] for k, v in after.items() if before[k] != v}})
    user.refresh_from_db()
    return user


def user_set_active(*, actor, user: User, active: bool) -> User:
    """Deactivate (sessions and API tokens stop working) or reactivate a user; not oneself."""
    _require_manager(actor, user.region_id)
    if actor is not None and actor.pk == user.pk:
        raise ValidationFailed("user.self_deactivate", "不能停用自己的账号", field="active")
    if user.is_active == active:
        return user
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        audit_record(actor=actor, action="user.activate" if active else "user.deactivate", subject_type="user",
                     subject_id=user.pk, region_code=user.region_id or "", before={"is_active": user.is_active},
                     after={"is_active": active}, details={"username": user.username})
    user.refresh_from_db(fields=["is_active"])
    return user


def user_set_resident_cadre(*, actor, username: str, resident_cadre) -> User:
    """Mark a staff member as a 驻村干部 or not (年审 plan 三(2)三: one of the survey's investigators), audited."""
    if not isinstance(resident_cadre, bool):
        raise ValidationFailed("user.resident_cadre", "驻村干部应为“是”或“否”", field="resident_cadre")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise ValidationFailed("user.not_found", f"用户“{username}”不存在", field="username")
        before = {"resident_cadre": user.resident_cadre}
        User.objects.filter(pk=user.pk).update(resident_cadre=resident_cadre)
        audit_record(actor=actor, action="user.resident_cadre", subject_type="user", subject_id=user.pk,
                     region_code=user.region_id or "", before=before, after={"resident_cadre": resident_cadre})
    user.refresh_from_db(fields=["resident_cadre"])
    return user


def user_set_password(*, actor, user: User, password: str) -> None:
    """Change or reset a password: Django's validators and the complexity rule, audited (never the password)."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed("user.password", "".join(_password_messages(exc)), field="password") from None
    user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="user.password_set", subject_type="user", subject_id=user.pk,
                     details={"username": user.username, "by_self": actor is not None and actor.pk == user.pk})


def user_unlock(*, actor, username: str) -> User:
    """Clear a user's login lock-out (failed attempts and lock time), audited."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise ValidationFailed("user.not_found", f"用户“{username}”不存在", field="username")
        before = {"failed_logins": user.failed_logins,
                  "locked_until": user.locked_until.isoformat() if user.locked_until else None}
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        audit_record(actor=actor, action="account.unlock", subject_type="user", subject_id=user.pk,
                     region_code=user.region_id or "", before=before,
                     after={"failed_logins": 0, "locked_until": None})
    user.refresh_from_db(fields=["failed_logins", "locked_until"])
    return user
