"""Table-driven cases (cases_*.yaml), readable by policy staff: name / as_of / input / expected."""

from __future__ import annotations

import pytest

from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.evaluate import evaluate

from .helpers import is_subset, load_cases

CASES = load_cases("cases_dibao.yaml") + load_cases("cases_tekun_temporary.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    # given
    data = {"program": "dibao", **case["input"], "as_of": case["as_of"]}
    if "error" in case:
        # when / then
        with pytest.raises(ValidationFailed) as info:
            evaluate(data, "reference")
        assert info.value.code == case["error"]["code"]
        assert info.value.details["field"] == case["error"]["field"]
        return
    # when
    out = evaluate(data, "reference")
    # then
    mismatched = {k: (v, out.get(k)) for k, v in case["expected"].items() if not is_subset(v, out.get(k))}
    assert not mismatched, f"expected vs actual: {mismatched}"


def test_worked_example_one_full_output():
    # given the §8 first example as JSON would send it
    data = {"program": "dibao", "as_of": "2026-12-01", "area_type": "urban",
            "members": [{"id": "m1", "birth_date": "1950-03-02", "disability": {"kind": "physical", "grade": 2},
                         "serious_illness": False, "adl_failed": 0,
                         "income": {"wage": "0", "business": "0", "property": "0", "transfer": "300",
                                    "assistance": "0", "awards": "0"},
                         "deductions": {"social_insurance": "0", "income_tax": "0", "medical_extra": "0"}}],
            "assets": {"financial": "12000", "vehicles": [{"kind": "motorcycle", "value": "3000"}],
                       "residential_properties": 1, "business_registered_capital": "0"},
            "obligors_able": False, "temporary": None}
    # when
    out = evaluate(data, "reference")
    # then every key of §7, in order, and a trace citing rules
    assert list(out) == ["program", "policy", "as_of", "area_type", "standard", "household_size",
                         "per_capita_income", "status", "eligible", "reasons", "class", "monthly_amount",
                         "recheck_months", "single_person_enrollments", "care_level", "approval_level", "trace"]
    assert {k: out[k] for k in ("policy", "standard", "monthly_amount", "class")} == {
        "policy": "reference", "standard": "1040.00", "monthly_amount": "1352.00", "class": "A"}
    rules = [step["rule"] for step in out["trace"]]
    assert rules[0] == "R-DB-02" and "R-DB-03" in rules and "R-DB-04" in rules
    assert all(set(step) == {"rule", "step", "value"} for step in out["trace"])
    assert any(step["value"] == "1352.00" and step["rule"] == "R-DB-03" for step in out["trace"])


def test_numbers_in_json_are_accepted():
    # given money as JSON numbers rather than strings
    data = {"program": "dibao", "as_of": "2026-03-15", "area_type": "rural",
            "members": [{"id": "m1", "birth_date": "1986-01-10", "income": {"wage": 1500},
                         "deductions": {"social_insurance": 150.0}},
                        {"id": "m2", "birth_date": "2014-01-10"}]}
    # when / then
    assert evaluate(data, "reference")["monthly_amount"] == "690.00"
