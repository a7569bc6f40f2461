"""渐退 / 延退 periods by reason code (R-DM-04): local values above 6 months allowed but flagged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.evaluate import evaluate
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


# --- issue 12 §3.3 渐退 for pension income: only when standard ≤ pci ≤ 2 × standard ------------------------

def pension_household(pension: str) -> dict:
    # one retired member; the pension is a transfer income; demo county, standard 1301 (2 × = 2602)
    return {"program": "graduation", "as_of": "2026-07-01", "area_type": "urban",
            "members": [{"id": "m1", "birth_date": "1958-01-01", "income": {"transfer": pension}}],
            "graduation": {"reason": "pension_1_2x", "current_amount": "300"}}


# (name, as_of, input pension (pci), expected (status, months, reasons))
PENSION_CASES = [
    ("issue 12 §3.3: pci 2700 > 2 × 1301 → not eligible for 渐退", date(2026, 7, 1), "2700",
     ("ineligible", None, ["GRD_INCOME_ABOVE_LIMIT"])),
    ("pci one fen above 2 × standard", date(2026, 7, 1), "2602.01", ("ineligible", None, ["GRD_INCOME_ABOVE_LIMIT"])),
    ("pci exactly 2 × standard (以下 includes the bound)", date(2026, 7, 1), "2602", ("graduation", 6, [])),
    ("pci 1.5 × standard", date(2026, 7, 1), "1951.50", ("graduation", 6, [])),
    ("pci exactly the standard (以上 includes the bound)", date(2026, 7, 1), "1301", ("graduation", 6, [])),
    ("below the standard: keep dibao", date(2026, 7, 1), "1300.99", ("ineligible", None, ["GRD_BELOW_STANDARD"])),
]


@pytest.mark.parametrize("name, as_of, pension, expected", PENSION_CASES, ids=[c[0] for c in PENSION_CASES])
def test_issue12_pension_graduation_only_between_1_and_2_times_the_standard(name, as_of, pension, expected):
    # given a pensioner household under the demo county's 渐退 rules
    data = {**pension_household(pension), "as_of": as_of.isoformat()}
    # when
    out = evaluate(data, "330127000000")
    # then
    assert (out["status"], out["graduation"]["months"], out["reasons"]) == expected
    if "GRD_INCOME_ABOVE_LIMIT" in out["reasons"]:
        assert out["monthly_amount"] == "0.00"
        assert any(s["rule"] == "R-DM-04" and "2 倍" in s["step"] and "不适用渐退" in s["step"] for s in out["trace"])


def test_income_ceiling_is_a_dated_cited_parameter_only_for_pension():
    terms = graduation_terms_for(load_policy("330127000000"), date(2026, 7, 1))
    multiple, source = terms.income_max_multiple["pension_1_2x"]
    assert multiple == 2 and "1倍以上2倍以下" in source and "待核实" in source
    # the other reasons keep no ceiling (employment income above 2× still graduates)
    assert set(terms.income_max_multiple) == {"pension_1_2x"}
