"""API authentication: a Bearer token (``jiuzhu token create``) or the logged-in web session.

The session lets the case page call the API from the browser. A cookie is sent by the browser on its
own, so an unsafe method (POST, PUT, PATCH, DELETE) through the session must carry the CSRF token
(``X-CSRFToken`` header, as Django's forms do); without it the request is refused with 403
``csrf_failed`` and nothing changes. A request with a Bearer token is not cookie-based: no CSRF check.
"""

from django.conf import settings
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from jiuzhu.apps.accounts import throttle
from jiuzhu.apps.accounts.tokens import token_authenticate
from jiuzhu.rules.errors import Forbidden, TooManyRequests


class BearerToken(HttpBearer):
    """``Authorization: Bearer jz_…``; unknown, revoked or expired tokens give 401, and after
    ``JIUZHU_BAD_TOKENS_PER_IP`` of them from one address within the window every token from it gets 429."""

    def authenticate(self, request, token):
        ip = throttle.client_ip(request)
        wait = throttle.retry_after(throttle.TOKEN_IP, ip)
        if wait:  # too many bad tokens from this address: refused before any look-up (429)
            raise TooManyRequests("too_many_requests",
                                  f"无效令牌过多，请 {throttle.minutes_text(wait)}后再试", retry_after=wait)
        user = token_authenticate(token.strip())
        if user is not None:
            request.user = user
        else:
            throttle.record_failure(throttle.TOKEN_IP, ip)
        return user


SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class WebSession(APIKeyCookie):
    """The web session (cookie ``sessionid``), tried after the Bearer token. Only a logged-in, active
    user counts; for an unsafe method the CSRF token is checked then (an anonymous request falls through
    to 401, never to a CSRF message)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, only once a session user is found

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise Forbidden("csrf_failed", "CSRF 校验失败：通过网页登录会话调用接口的写操作须带 X-CSRFToken 请求头"
                                           "（页面中的 CSRF 令牌）；或改用令牌认证（Authorization: Bearer）")
        return user
