"""The rules router's view, called directly (the lead mounts the router; auth is the API default)."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from jiuzhu.api.rules import router, rules_evaluate
from jiuzhu.rules.errors import ValidationFailed

BODY = {"program": "dibao", "as_of": "2026-03-15", "area_type": "rural",
        "members": [{"id": "m1", "birth_date": "1986-01-10", "income": {"wage": 1500.0},
                     "deductions": {"social_insurance": "150"}},
                    {"id": "m2", "birth_date": "2014-01-10"}]}


def post(body) -> object:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return RequestFactory().post("/v1/rules/evaluate", data=raw, content_type="application/json")


def test_router_declares_post_evaluate():
    assert "/evaluate" in router.path_operations


def test_evaluate_returns_output():
    out = rules_evaluate(post(BODY), policy="reference")
    assert (out["class"], out["monthly_amount"], out["per_capita_income"]) == ("B", "690.00", "575.00")


@pytest.mark.parametrize("body, policy, code, field", [
    (BODY, "atlantis", "policy_unknown", "policy"),
    (BODY, None, "required", "policy"),
    ("{oops", "reference", "invalid_json", "$"),
    (dict(BODY, members=[]), "reference", "empty_members", "members"),
    (dict(BODY, as_of="2024-12-31"), "reference", "policy_not_in_force", "as_of"),
])
def test_errors_are_422_validation_failures(body, policy, code, field):
    with pytest.raises(ValidationFailed) as info:
        rules_evaluate(post(body), policy=policy)
    assert info.value.status == 422
    assert info.value.as_dict()["code"] == code and info.value.as_dict()["details"]["field"] == field
