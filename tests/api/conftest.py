"""API fixtures: Bearer headers for any persona (the Django test ``client`` comes from pytest-django)."""

from __future__ import annotations

import pytest

from jiuzhu.apps.accounts.tokens import token_create


@pytest.fixture
def bearer():
    """``bearer(user)`` → headers for the Django test client carrying a fresh token of ``user``."""

    def make(user):
        _, raw = token_create(user=user)
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def post_json(client, path, data, headers):
    return client.post(path, data=data, content_type="application/json", **headers)
