from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.rules.errors import ValidationFailed

from .models import User
from .roles import Role


def _password_messages(exc: ValidationError) -> list[str]:
    """Chinese messages; Django 5.2's zh-hans catalog lacks the new msgid of the too-short message."""
    out = []
    for err in exc.error_list:
        if err.code == "password_too_short":
            out.append(f"密码太短，至少需要 {(err.params or {}).get('min_length', '')} 个字符。")
        else:
            out.extend(err.messages)
    return out


def user_create(*, actor, username: str, password: str, role: str, region_code: str, display_name: str = "",
                resident_cadre: bool = False) -> User:
    if role not in Role.values:
        raise ValidationFailed("user.role", f"未知角色“{role}”", field="role")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed("user.exists", f"用户名“{username}”已存在", field="username")
    user = User(username=username, role=role, region_id=region_code, display_name=display_name,
                resident_cadre=bool(resident_cadre))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed("user.password", "".join(_password_messages(exc)), field="password") from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_record(actor=actor, action="user.create", subject_type="user", subject_id=user.pk,
                     after={"username": username, "role": role, "region": region_code,
                            "resident_cadre": user.resident_cadre})
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
