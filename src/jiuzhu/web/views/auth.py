"""Login and logout (Django auth through the lock-out backend)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from jiuzhu.apps.accounts.throttle import minutes_text
from jiuzhu.apps.regions.selectors import office_name


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(_next_url(request))
    error = ""
    username = request.POST.get("username", "").strip()
    if request.method == "POST":
        user = authenticate(request, username=username, password=request.POST.get("password", ""))
        if user is not None:
            login(request, user)
            return redirect(_next_url(request))
        locked_until = getattr(request, "jiuzhu_locked_until", None)
        throttled = getattr(request, "jiuzhu_throttled", 0)
        if throttled:
            error = f"登录失败次数过多，请 {minutes_text(throttled)}后再试"
        elif locked_until:
            error = f"账号已锁定，请于 {timezone.localtime(locked_until):%H:%M} 后再试或联系管理员"
        else:
            error = "用户名或密码错误"
    status = 200 if not error else (429 if getattr(request, "jiuzhu_throttled", 0) else 400)
    response = render(request, "web/login.html",
                      {"error": error, "username": username, "office": office_name(),
                       "next": request.POST.get("next") or request.GET.get("next", "")}, status=status)
    if status == 429:
        response["Retry-After"] = str(request.jiuzhu_throttled)
    return response


@require_POST
def logout_view(request):
    logout(request)
    return redirect("web:login")
