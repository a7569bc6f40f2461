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


COUNTY_HOUSEHOLD = {"as_of": "2026-07-01", "area_type": "urban",
                    "members": [{"id": "m1", "birth_date": "1980-01-01", "income": {"wage": "3000"}},
                                {"id": "m2", "birth_date": "2015-01-01"}]}


def test_county_policy_rigid_and_graduation(client, bearer, caseworker):
    # given a rigid-expenditure request and a graduation request under the demo county's region policy
    rigid = {**COUNTY_HOUSEHOLD, "program": "rigid_expenditure", "rigid": {"expenditure": {"medical": "20160.01"}}}
    grad = {**COUNTY_HOUSEHOLD, "program": "graduation",
            "graduation": {"reason": "employment_income", "current_amount": "780.60"}}
    # when
    rigid_out = _post(client, rigid, bearer(caseworker), policy="330127000000")
    grad_out = _post(client, grad, bearer(caseworker), policy="330127000000")
    # then
    assert rigid_out.status_code == 200, rigid_out.content
    assert rigid_out.json()["status"] == "rigid"
    assert rigid_out.json()["rigid_expenditure"]["expenditure_line"] == "20160.00"
    assert grad_out.status_code == 200, grad_out.content
    assert (grad_out.json()["status"], grad_out.json()["graduation"]["months"]) == ("graduation", 6)


def test_county_policy_tiered_dibao(client, bearer, caseworker):
    body = {**COUNTY_HOUSEHOLD, "program": "dibao",
            "members": [{"id": "m1", "birth_date": "1980-01-01", "income": {"property": "780.60"}},
                        {"id": "m2", "birth_date": "1982-01-01"}]}
    response = _post(client, body, bearer(caseworker), policy="330127000000")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["monthly_amount"]) == ("dibao", "1561.20")


def test_extension_bad_input_is_422_naming_the_field_path(client, bearer, caseworker):
    # given a rigid-expenditure request with an unknown expenditure item
    body = {**COUNTY_HOUSEHOLD, "program": "rigid_expenditure", "rigid": {"expenditure": {"travel": "1"}}}
    # when
    response = _post(client, body, bearer(caseworker), policy="330127000000")
    # then
    assert response.status_code == 422
    error = response.json()
    assert (error["code"], error["details"]["field"]) == ("unknown_field", "rigid.expenditure.travel")
    assert "rigid.expenditure.travel" in error["message"]
