"""Pure rules of issue 20 §2, §4, §5 (社会救助年审 plan 三(2)二、四、五): the 申请情况公示 span, 核对预警 and
the non-co-resident obligors' income and assets in the calculation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.rules.calendar import WorkCalendar
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.evaluate import evaluate
from jiuzhu.rules.model import Obligor
from jiuzhu.rules.obligors import obligor_income
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.params.loader import DatedValue, Policy
from jiuzhu.rules.procedure import application_notice_span, verification_warnings
from jiuzhu.rules.terms import terms_for

CAL = WorkCalendar(years=frozenset({2026}), holidays=frozenset({date(2026, 10, d) for d in range(1, 8)}),
                   workdays=frozenset({date(2026, 10, 10)}))
COUNTY = "330127000000"  # the demo county: obligor.share 0.3 above 2 × the standard (示例值)


def _policy_with(**params) -> Policy:
    base = load_policy("reference")
    extra = {k: (DatedValue(date(2025, 1, 1), Decimal(v), "测试出处", "test.yaml"),) for k, v in params.items()}
    return Policy(name="t", chain=("test.yaml",), params={**base.params, **extra})


@pytest.mark.parametrize("case, accepted, param, starts, ends", [
    ("plain week", date(2026, 11, 5), None, date(2026, 11, 6), date(2026, 11, 12)),
    ("accepted on a Friday", date(2026, 11, 6), None, date(2026, 11, 7), date(2026, 11, 13)),
    ("across 国庆 and a make-up Saturday", date(2026, 9, 29), None, date(2026, 9, 30), date(2026, 10, 12)),
    ("region sets 7", date(2026, 11, 5), "7", date(2026, 11, 6), date(2026, 11, 16)),
    ("region sets 3: never below 5", date(2026, 11, 5), "3", date(2026, 11, 6), date(2026, 11, 12)),
])
def test_notice_from_the_day_after_acceptance_not_less_than_5_working_days(case, accepted, param, starts, ends):
    """自受理申请的次日起…公示期不少于5个工作日."""
    policy = _policy_with(**{"notice.application_wd": param}) if param else load_policy("reference")
    span = application_notice_span(policy, CAL, accepted)
    assert (span.starts_on, span.ends_on) == (starts, ends), case
    assert span.workdays >= 5 and span.source


def test_before_the_regions_first_value_the_plans_minimum_applies():
    policy = load_policy(COUNTY)  # notice.application_wd from 2026-01-01
    span = application_notice_span(policy, WorkCalendar(years=frozenset({2025}), holidays=frozenset(),
                                                        workdays=frozenset()), date(2025, 11, 6))
    assert span.workdays == 5 and span.ends_on == date(2025, 11, 13) and "三(2)二" in span.source


@pytest.mark.parametrize("case, conclusion, financial, vehicles, codes", [
    ("consistent, far from limits", "consistent", "10000", [], []),
    ("differences beyond tolerance", "inconsistent", "0", [], ["VER_DIFFERENCE"]),
    ("financial at 0.9 of the limit", "consistent", "45000", [], ["VER_FINANCIAL_NEAR"]),  # limit 24×1040×2
    ("financial just below 0.9", "consistent", "44927.99", [], []),
    ("vehicle near its limit", "consistent", "0", ["45000"], ["VER_VEHICLE_NEAR"]),
    ("both", "inconsistent", "50000", ["49000"], ["VER_DIFFERENCE", "VER_FINANCIAL_NEAR", "VER_VEHICLE_NEAR"]),
])
def test_verification_warnings_call_for_a_hearing(case, conclusion, financial, vehicles, codes):
    """核对有预警人员，应组织开展民主听证: differences beyond tolerance, assets near the limits."""
    terms = terms_for(load_policy("reference"), date(2026, 7, 1), "urban")
    found = verification_warnings(conclusion=conclusion, financial=Decimal(financial),
                                  vehicle_values=[Decimal(v) for v in vehicles], size=2, terms=terms,
                                  ratio=Decimal("0.9"))
    assert [w.code for w in found] == codes, case


def test_without_a_ratio_only_differences_warn():
    terms = terms_for(load_policy("reference"), date(2026, 7, 1), "urban")
    found = verification_warnings(conclusion="consistent", financial=Decimal("49000"), vehicle_values=[], size=2,
                                  terms=terms, ratio=None)
    assert found == []


ELDER = {"birth_date": "1950-01-01"}


def _request(obligors, **kw):
    return {"program": "dibao", "as_of": "2026-07-01", "area_type": "urban", "members": [ELDER], "obligors": obligors,
            **kw}


@pytest.mark.parametrize("case, obligor, support", [
    ("income below the kept amount", {"monthly_income": "5000", "household_size": 3}, "0.00"),
    ("income above: 30 % of the rest", {"monthly_income": "9000", "household_size": 3}, "358.20"),
    ("household size defaults to 1", {"monthly_income": "3000"}, "119.40"),
])
def test_obligors_income_enters_the_calculation(case, obligor, support):
    """对不共同居住的法定赡养、抚养关系成员的收入财产进行核实计算 (demo county: 0.3 above 2 × standard 1301)."""
    out = evaluate(_request([{"id": "son", **obligor}]), COUNTY)
    assert out["per_capita_income"] == support, case
    steps = [s for s in out["trace"] if s["step"].startswith("义务人 son 赡(抚、扶)养费")]
    assert len(steps) == 1 and steps[0]["value"] == support and "年审方案三(2)四" in steps[0]["step"]


def test_obligors_assets_enter_the_asset_test():
    out = evaluate(_request([{"id": "son", "monthly_income": "0", "household_size": 1, "financial": "200000"}]), COUNTY)
    assert out["status"] == "ineligible" and "AST_FINANCIAL" in out["reasons"]
    assert any(s["rule"] == "R-AST-05" and s["step"].startswith("义务人 son 金融资产计入") for s in out["trace"])


def test_a_policy_without_the_rule_counts_no_obligor():
    out = evaluate(_request([{"id": "son", "monthly_income": "90000", "household_size": 1}]), "reference")
    plain = evaluate({k: v for k, v in _request([]).items() if k != "obligors"}, "reference")
    assert out["monthly_amount"] == plain["monthly_amount"] and out["per_capita_income"] == "0.00"
    assert any("本地区政策未规定赡养费计算，不计入" in s["step"] for s in out["trace"])


@pytest.mark.parametrize("obligors, field", [
    ("son", "obligors"),
    ([{"id": "son"}], "obligors[0].monthly_income"),
    ([{"id": "son", "monthly_income": "-1"}], "obligors[0].monthly_income"),
    ([{"id": "son", "monthly_income": "abc"}], "obligors[0].monthly_income"),
    ([{"id": "son", "monthly_income": "1", "household_size": 0}], "obligors[0].household_size"),
    ([{"id": "son", "monthly_income": "1", "salary": "1"}], "obligors[0].salary"),
    ([{"id": "a", "monthly_income": "1"}, {"id": "a", "monthly_income": "2"}], "obligors[1].id"),
    ([{"id": "", "monthly_income": "1"}], "obligors[0].id"),
])
def test_bad_obligor_input_names_the_field(obligors, field):
    with pytest.raises(ValidationFailed) as exc:
        evaluate(_request(obligors), COUNTY)
    assert exc.value.details["field"] == field and field in exc.value.message


@given(st.decimals(min_value=0, max_value=1_000_000, places=2), st.integers(min_value=1, max_value=10))
def test_support_is_never_negative_and_grows_with_income(income, size):
    terms = terms_for(load_policy(COUNTY), date(2026, 7, 1), "urban")
    low = obligor_income(Obligor("o", income, size), terms)
    high = obligor_income(Obligor("o", income + 100, size), terms)
    assert Decimal(0) <= low <= high
