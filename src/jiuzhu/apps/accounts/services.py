from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.rules.errors import ValidationFailed

from .models import User
from .roles import Role


def user_create(*, actor, username: str, password: str, role: str, region_code: str, display_name: str = "") -> User:
    if role not in Role.values:
        raise ValidationFailed("user.role", f"未知角色“{role}”", field="role")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed("user.exists", f"用户名“{username}”已存在", field="username")
    user = User(username=username, role=role, region_id=region_code, display_name=display_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed("user.password", "；".join(exc.messages), field="password") from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_record(actor=actor, action="user.create", subject_type="user", subject_id=user.pk,
                     after={"username": username, "role": role, "region": region_code})
    return user
