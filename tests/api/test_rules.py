"""/api/v1/rules/evaluate over HTTP: mounted, authenticated, errors in the standard body."""

import json

BODY = {"program": "dibao", "as_of": "2026-03-15", "area_type": "rural",
        "members": [{"id": "m1", "birth_date": "1986-01-10", "income": {"wage": 1500.0},
                     "deductions": {"social_insurance": "150"}},
                    {"id": "m2", "birth_date": "2014-01-10"}]}
URL = "/api/v1/rules/evaluate"


def _post(client, body, headers, policy="reference"):
    path = f"{URL}?policy={policy}" if policy else URL
    return client.post(path, data=json.dumps(body), content_type="application/json", **headers)


def test_evaluate_needs_a_token(client, db):
    # given / when
    response = _post(client, BODY, {})
    # then
    assert response.status_code == 401


def test_evaluate_answers_the_reference_policy(client, bearer, caseworker):
    # given / when
    response = _post(client, BODY, bearer(caseworker))
    # then
    assert response.status_code == 200, response.content
    out = response.json()
    assert (out["class"], out["monthly_amount"]) == ("B", "690.00")


def test_unknown_policy_is_422_naming_the_field(client, bearer, caseworker):
    # given / when
    response = _post(client, BODY, bearer(caseworker), policy="atlantis")
    # then
    assert response.status_code == 422
    assert response.json()["details"]["field"] == "policy"
