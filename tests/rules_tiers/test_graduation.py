"""渐退 / 延退 periods by reason code (R-DM-04): local values above 6 months allowed but flagged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.explain import Trace
from jiuzhu.rules.graduation import GraduationTerms, graduation_period, graduation_terms_for
from jiuzhu.rules.params import load_policy

# (name, as_of, input reason, expected (months, flagged))
CASES = [
    ("pension 1–2× standard: 6 months, at the national cap", date(2026, 7, 1), "pension_1_2x", (6, False)),
    ("graduate employment: 12 months, flagged", date(2026, 7, 1), "graduate_employment", (12, True)),
    ("employment-difficult family: 2 years, flagged", date(2026, 7, 1), "difficult_employment", (24, True)),
    ("disabled placement: 3 years, flagged", date(2026, 7, 1), "disabled_employment", (36, True)),
    ("epidemic: 6 months", date(2026, 7, 1), "epidemic", (6, False)),
    ("national employment-income rule", date(2026, 1, 1), "employment_income", (6, False)),
]


@pytest.mark.parametrize("name, as_of, reason, expected", CASES, ids=[c[0] for c in CASES])
def test_demo_graduation_periods(name, as_of, reason, expected):
    terms = graduation_terms_for(load_policy("330127000000"), as_of)
    trace = Trace()
    months, basis, flagged = graduation_period(reason, terms, trace)
    assert (months, flagged) == expected
    assert basis  # legal basis text is the parameter's source note
    assert all(step.rule == "R-DM-04" for step in trace.steps())
    assert len(trace.steps()) == (2 if flagged else 1)
    if flagged:
        assert "超过国家" in trace.steps()[1].step


@pytest.mark.parametrize("months, flagged", [("5", False), ("6", False), ("6.5", True), ("7", True)])
def test_boundary_at_six_months(months, flagged):
    terms = GraduationTerms(as_of=date(2026, 1, 1), months={"x": (Decimal(months), "doc art. 1")},
                            national_max_months=Decimal(6), national_source="S2 art.33")
    assert graduation_period("x", terms)[2] is flagged


def test_unknown_reason_and_reference_has_none():
    terms = graduation_terms_for(load_policy("reference"), date(2026, 7, 1))
    assert terms.months == {} and terms.national_max_months == 6
    with pytest.raises(ValidationFailed) as info:
        graduation_period("employment_income", terms)
    assert info.value.details["field"] == "graduation.reason"
    assert "graduation.reason" in info.value.message


def test_before_demo_start_is_not_in_force():
    with pytest.raises(ValidationFailed):
        graduation_terms_for(load_policy("330127000000"), date(2025, 12, 31))
