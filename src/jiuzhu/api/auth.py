"""Bearer-token authentication for the API (tokens from ``jiuzhu token create``)."""

from ninja.security import HttpBearer

from jiuzhu.apps.accounts import throttle
from jiuzhu.apps.accounts.tokens import token_authenticate
from jiuzhu.rules.errors import TooManyRequests


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
