"""401 for every kind of bad credential, with the standard error body."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiuzhu.apps.accounts.models import ApiToken
from jiuzhu.apps.accounts.tokens import token_create, token_revoke

UNAUTHORIZED = {"code": "unauthorized", "message": "未登录或令牌无效、已过期、已吊销", "details": {}}


def _assert_401(response):
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Bearer"


def test_missing_token_is_401(client, caseworker):
    # given / when
    response = client.get("/api/v1/households")
    # then
    _assert_401(response)


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Token abc", "Basic dXNlcjpwYXNz", "jz_abc_def",
                                    "Bearer not-a-token", "Bearer jz_0000_unknownsecret"])
def test_malformed_or_unknown_token_is_401(client, caseworker, header):
    # given a header that does not carry a known token
    # when
    response = client.get("/api/v1/households", HTTP_AUTHORIZATION=header)
    # then
    _assert_401(response)


def test_revoked_token_is_401(client, caseworker):
    # given a token that worked, then was revoked
    token, raw = token_create(user=caseworker)
    assert client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    token_revoke(token=token, actor=caseworker)
    # when
    response = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {raw}")
    # then
    _assert_401(response)


def test_expired_token_is_401(client, caseworker):
    # given a token whose expiry has passed
    token, raw = token_create(user=caseworker)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    # when
    response = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {raw}")
    # then
    _assert_401(response)


def test_token_of_deactivated_user_is_401(client, caseworker):
    # given
    _, raw = token_create(user=caseworker)
    caseworker.is_active = False
    caseworker.save()
    # when
    response = client.post("/api/v1/persons/1/reveal", data={"field": "id_number"}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    # then
    _assert_401(response)


def test_future_expiry_still_works(client, caseworker):
    # given
    _, raw = token_create(user=caseworker, expires_at=timezone.now() + timedelta(days=1))
    # when
    response = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {raw}")
    # then
    assert response.status_code == 200
