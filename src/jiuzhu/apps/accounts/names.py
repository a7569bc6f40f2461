"""People's names as users read them: the display name (姓名), the user name only when none is set."""

from __future__ import annotations

from collections.abc import Iterable

from .models import User

SYSTEM = "系统"


def display_name(user) -> str:
    if user is None:
        return SYSTEM
    return user.display_name or user.username


def people(user_ids: Iterable[int | None]) -> dict[int, tuple[str, str]]:
    """``{user id: (display name, user name)}`` for these users, in one query (unknown ids left out)."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return {pk: (name or username, username) for pk, name, username in
            User.objects.filter(pk__in=ids).values_list("pk", "display_name", "username")}
