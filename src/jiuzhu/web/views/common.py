"""Shared view helpers: role checks and rendering domain errors as Chinese error pages."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import render

from jiuzhu.apps.accounts.roles import can
from jiuzhu.rules.errors import Forbidden, NotFound


def error_page(request, status: int, message: str):
    template = "404.html" if status == 404 else "403.html"
    return render(request, template, {"message": message}, status=status)


def forbidden(request, message: str = "您的角色无权进行此操作"):
    return error_page(request, 403, message)


def roles_required(permission: str, message: str = "您的角色无权进行此操作", methods=("GET", "POST")):
    """403 unless the user holds ``permission`` (a name of accounts.permissions; checked only for the listed
    HTTP methods)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and not can(request.user, permission):
                return forbidden(request, message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def scoped(view):
    """Render NotFound as 404 and Forbidden as 403 (a record outside the user's region is "not found")."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return error_page(request, 404, exc.message)
        except Forbidden as exc:
            return error_page(request, 403, exc.message)

    return wrapper
