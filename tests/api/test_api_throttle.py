"""Bad API tokens are throttled per address (issue 18 §6): after JIUZHU_BAD_TOKENS_PER_IP of them every
token from that address gets 429 with the JSON error in Chinese and Retry-After; other addresses go on."""

from __future__ import annotations

from django.test import override_settings

from jiuzhu.apps.accounts.tokens import token_create

URL = "/api/v1/households"


def _get(client, token, ip):
    return client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=ip)


@override_settings(JIUZHU_BAD_TOKENS_PER_IP=3)
def test_bad_tokens_are_throttled_per_address(client, caseworker):
    # given a valid token, and three bad ones sent from one address
    _, good = token_create(user=caseworker)
    for i in range(3):
        assert _get(client, f"jz_0000_guess{i}", "10.1.1.1").status_code == 401
    # when the fourth request comes from that address, even with the valid token
    response = _get(client, good, "10.1.1.1")
    # then 429 in the API's error format, in Chinese, with Retry-After
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "too_many_requests" and "无效令牌过多" in body["message"]
    assert body["details"]["retry_after"] > 0 and int(response["Retry-After"]) > 0
    # and another address is not affected
    assert _get(client, good, "10.2.2.2").status_code == 200


@override_settings(JIUZHU_BAD_TOKENS_PER_IP=3)
def test_good_tokens_do_not_count(client, caseworker):
    _, good = token_create(user=caseworker)
    for _ in range(6):
        assert _get(client, good, "10.3.3.3").status_code == 200


@override_settings(JIUZHU_BAD_TOKENS_PER_IP=2, JIUZHU_TRUST_X_FORWARDED_FOR=True)
def test_behind_the_proxy_the_forwarded_address_counts(client, caseworker):
    # given the proxy (one REMOTE_ADDR) forwarding two clients, one of them guessing
    _, good = token_create(user=caseworker)
    for i in range(2):
        client.get(URL, HTTP_AUTHORIZATION=f"Bearer jz_0_bad{i}", REMOTE_ADDR="127.0.0.1",
                   HTTP_X_FORWARDED_FOR="203.0.113.7")
    # when / then the guessing client waits, the other one does not
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR="127.0.0.1",
                      HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR="127.0.0.1",
                      HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_household_search_by_post_keeps_the_id_number_out_of_the_url(client, caseworker, household):
    # given an ID number
    from jiuzhu.apps.registry import pii

    _, raw = token_create(user=caseworker)
    number = pii.open_(household.head.id_number_enc, purpose="id_number")
    # when it is searched with the body (POST /v1/households/search)
    response = client.post(f"{URL}/search", data={"q": number}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    # then the household is found, same answer as the list
    assert response.status_code == 200
    assert [h["number"] for h in response.json()["items"]] == [household.number]
    assert response.json()["next_after"] is None


def test_household_search_by_post_validates_and_scopes(client, outsider, household):
    from jiuzhu.apps.registry import pii

    _, raw = token_create(user=outsider)
    number = pii.open_(household.head.id_number_enc, purpose="id_number")
    # when township B searches township A's member / then nothing is found
    found = client.post(f"{URL}/search", data={"q": number}, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert found.status_code == 200 and found.json()["items"] == []
    # and a bad body gets the Chinese validation error naming the field
    bad = client.post(f"{URL}/search", data={"q": "x" * 51}, content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bad.status_code == 422 and bad.json()["details"]["errors"][0]["field"] == "body.q"
