"""Bearer-token authentication for the API (tokens from ``jiuzhu token create``)."""

from ninja.security import HttpBearer

from jiuzhu.apps.accounts.tokens import token_authenticate


class BearerToken(HttpBearer):
    """``Authorization: Bearer jz_…``; unknown, revoked or expired tokens give 401."""

    def authenticate(self, request, token):
        user = token_authenticate(token.strip())
        if user is not None:
            request.user = user
        return user
