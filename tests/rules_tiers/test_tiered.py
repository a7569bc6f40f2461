"""分档 (tiered) dibao: tier edges, rounding rules, method selection, and monotonicity (R-DB-03)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.evaluate import evaluate, evaluate_facts, result_dict
from jiuzhu.rules.explain import Trace
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.parse import parse_facts
from jiuzhu.rules.tiered import (
    Tier,
    TierTerms,
    find_tier,
    round_benefit,
    tier_terms_for,
    tiered_amount,
    validate_tiers,
)

D = Decimal
TIERS = (Tier(1, D(0), D("0.3"), D("0.9")), Tier(2, D("0.3"), D("0.6"), D("0.6")), Tier(3, D("0.6"), D(1), D("0.3")))


def tt(rounding="yuan"):
    return TierTerms(method="tiered", rounding=rounding, tiers=TIERS)


# (name, as_of, input (pci, size, standard, rounding), expected amount)
AMOUNT_CASES = [
    ("zero income, tier 1", date(2026, 7, 1), ("0", 1, "1000", "yuan"), "900"),
    ("just below tier-1 edge", date(2026, 7, 1), ("299.99", 1, "1000", "yuan"), "900"),
    ("exactly at tier-1 edge → tier 2", date(2026, 7, 1), ("300.00", 1, "1000", "yuan"), "600"),
    ("just below tier-2 edge", date(2026, 7, 1), ("599.99", 2, "1000", "yuan"), "1200"),
    ("exactly at tier-2 edge → tier 3", date(2026, 7, 1), ("600.00", 2, "1000", "yuan"), "600"),
    ("just below standard", date(2026, 7, 1), ("999.99", 3, "1000", "yuan"), "900"),
    ("exactly at standard → no tier", date(2026, 7, 1), ("1000.00", 3, "1000", "yuan"), "0"),
    ("above standard", date(2026, 7, 1), ("1500", 1, "1000", "yuan"), "0"),
    ("yuan rounding half up", date(2026, 7, 1), ("0", 1, "1041.5", "yuan"), "937"),  # 937.35
    ("jiao rounding half up", date(2026, 7, 1), ("0", 1, "1041.5", "jiao"), "937.4"),
    ("fen rounding", date(2026, 7, 1), ("0", 1, "1041.5", "fen"), "937.35"),
    ("jiao half-up at .x5", date(2026, 7, 1), ("700", 1, "1041.5", "jiao"), "312.5"),  # 312.45
]


@pytest.mark.parametrize("name, as_of, given_input, expected", AMOUNT_CASES, ids=[c[0] for c in AMOUNT_CASES])
def test_tiered_amount_table(name, as_of, given_input, expected):
    pci, size, standard, rounding = given_input
    trace = Trace()
    assert tiered_amount(D(pci), size, D(standard), tt(rounding), trace) == D(expected)
    assert trace.steps()[0].rule == "R-DB-03"


@pytest.mark.parametrize("pci, tier", [("0", 1), ("299.99", 1), ("300", 2), ("599.99", 2), ("600", 3), ("999.99", 3), ("1000", None)])
def test_find_tier_edges_are_half_open(pci, tier):
    found = find_tier(D(pci), D(1000), TIERS)
    assert (found.number if found else None) == tier


@pytest.mark.parametrize("rule, value, expected", [
    ("yuan", "0.5", "1"), ("yuan", "1.49", "1"), ("jiao", "0.05", "0.1"), ("jiao", "0.04", "0.0"),
    ("fen", "0.005", "0.01"), ("fen", "0.004", "0.00"),
])
def test_round_benefit(rule, value, expected):
    assert round_benefit(D(value), rule) == D(expected)


def test_unknown_rounding_rule():
    with pytest.raises(DomainError):
        round_benefit(D(1), "mao")


@pytest.mark.parametrize("name, tiers", [
    ("empty", ()),
    ("upper not increasing", (Tier(1, D(0), D("0.5"), D("0.9")), Tier(2, D("0.5"), D("0.5"), D("0.5")), Tier(3, D("0.5"), D(1), D("0.1")))),
    ("amount increasing", (Tier(1, D(0), D("0.5"), D("0.5")), Tier(2, D("0.5"), D(1), D("0.6")))),
    ("last upper not 1", (Tier(1, D(0), D("0.5"), D("0.5")), Tier(2, D("0.5"), D("0.9"), D("0.1")))),
    ("negative amount", (Tier(1, D(0), D(1), D("-0.1")),)),
])
def test_invalid_tier_tables_rejected(name, tiers):
    with pytest.raises(DomainError):
        validate_tiers(tiers)


def test_reference_stays_gap_and_demo_county_is_tiered():
    assert tier_terms_for(load_policy("reference"), date(2026, 7, 1)).method == "gap"
    demo = tier_terms_for(load_policy("330127000000"), date(2026, 7, 1))
    assert (demo.method, demo.rounding, len(demo.tiers)) == ("tiered", "jiao", 3)


def household(wage="0", prop="0", birth="1980-01-01"):
    return {"program": "dibao", "as_of": "2026-07-01", "area_type": "urban",
            "members": [{"id": "m1", "birth_date": birth, "income": {"wage": wage, "property": prop}},
                        {"id": "m2", "birth_date": "1982-01-01"}]}


# (name, as_of, input (property income of m1, two adults), expected (status, amount)) under the live
# region policy 330127000000: standard 1301 (杭州市, from 2025-01-23, cited); tiers 0.3 / 0.6 / 1 →
# 0.9 / 0.6 / 0.3 of 1301 per person (demo values); rounding to 角
DEMO_CASES = [
    ("tier 1", date(2026, 7, 1), "0", ("dibao", "2341.80")),
    ("pci one fen below tier-1 edge 390.30", date(2026, 7, 1), "780.58", ("dibao", "2341.80")),
    ("pci exactly at tier-1 edge 390.30", date(2026, 7, 1), "780.60", ("dibao", "1561.20")),
    ("pci exactly at tier-2 edge 780.60", date(2026, 7, 1), "1561.20", ("dibao", "780.60")),
    ("pci just below standard", date(2026, 7, 1), "2601.98", ("dibao", "780.60")),
    ("pci exactly at standard → edge", date(2026, 7, 1), "2602", ("edge", "0.00")),
]


@pytest.mark.parametrize("name, as_of, prop, expected", DEMO_CASES, ids=[c[0] for c in DEMO_CASES])
def test_demo_county_evaluation_uses_tiers(name, as_of, prop, expected):
    data = household(prop=prop)
    data["as_of"] = as_of.isoformat()
    out = result_dict(evaluate_facts(parse_facts(data), load_policy("330127000000")))
    assert (out["status"], out["monthly_amount"]) == expected
    if out["status"] == "dibao":
        assert any("分档" in step["step"] for step in out["trace"])


def test_reference_evaluation_unchanged_gap():
    out = evaluate(household(prop="500"), "reference")
    # gap: (1040 − 250) × 2 = 1580, reference contract
    assert (out["status"], out["monthly_amount"]) == ("dibao", "1580.00")
    assert not any("分档" in step["step"] for step in out["trace"])


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=3000, places=2), st.decimals(min_value="0.01", max_value=3000, places=2),
       st.integers(1, 6), st.sampled_from(["yuan", "jiao", "fen"]))
def test_more_income_never_raises_the_tiered_amount(pci, extra, size, rounding):
    standard = D(1300)
    assert tiered_amount(pci + extra, size, standard, tt(rounding)) <= tiered_amount(pci, size, standard, tt(rounding))


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=4000, places=2), st.decimals(min_value="0.01", max_value=3000, places=2))
def test_more_income_never_raises_the_demo_household_amount(prop, extra):
    policy = load_policy("330127000000")
    before = result_dict(evaluate_facts(parse_facts(household(prop=str(prop))), policy))
    after = result_dict(evaluate_facts(parse_facts(household(prop=str(prop + extra))), policy))
    assert D(after["monthly_amount"]) <= D(before["monthly_amount"])


def _reference_with(tmp_path, **params):
    """The reference policy plus (overriding) parameters dated 2025-01-01, as policy "variant"."""
    import shutil

    from jiuzhu.rules.params import PARAMS_DIR

    shutil.copy(PARAMS_DIR / "reference.yaml", tmp_path / "reference.yaml")
    body = "\n".join(f'  {k}: [{{start: 2025-01-01, value: {v}, source: "test doc art. 1"}}]' for k, v in params.items())
    (tmp_path / "variant.yaml").write_text(f"inherits: reference\nparameters:\n{body}\n", encoding="utf-8")
    return load_policy("variant", tmp_path)


THREE_ADULTS = {"program": "dibao", "as_of": "2026-06-30", "area_type": "urban",
                "members": [{"id": "a", "birth_date": "1990-01-01", "income": {"wage": "1400"}},
                            {"id": "b", "birth_date": "1985-01-01", "income": {"wage": "1300"}},
                            {"id": "c", "birth_date": "1980-01-01"}]}
EDGE_WITH_DISABLED = {"program": "dibao", "as_of": "2026-07-01", "area_type": "urban",
                      "members": [{"id": "a", "birth_date": "1986-01-01", "income": {"wage": "2500"}},
                                  {"id": "b", "birth_date": "1981-01-01", "disability": {"kind": "hearing", "grade": 2},
                                   "income": {"transfer": "100.05"}}]}

# (name, as_of, input (rounding, request), expected (monthly amount, single-person amounts))
ROUNDING_CASES = [
    ("gap, yuan: §8 example three", date(2026, 6, 30), ("yuan", THREE_ADULTS), ("700.00", [])),
    ("gap, jiao: 699.99 → 700.0", date(2026, 6, 30), ("jiao", THREE_ADULTS), ("700.00", [])),
    ("gap, fen: 699.99 kept", date(2026, 6, 30), ("fen", THREE_ADULTS), ("699.99", [])),
    # single person: max(1040 − 100.05, 60) + 312 = 1251.95
    ("single person, yuan", date(2026, 7, 1), ("yuan", EDGE_WITH_DISABLED), ("0.00", ["1252.00"])),
    ("single person, jiao", date(2026, 7, 1), ("jiao", EDGE_WITH_DISABLED), ("0.00", ["1252.00"])),
    ("single person, fen", date(2026, 7, 1), ("fen", EDGE_WITH_DISABLED), ("0.00", ["1251.95"])),
]


@pytest.mark.parametrize("name, as_of, given, expected", ROUNDING_CASES, ids=[c[0] for c in ROUNDING_CASES])
def test_region_rounding_applies_to_gap_and_single_person_amounts(tmp_path, name, as_of, given, expected):
    # given the reference policy with the region's rounding unit
    rounding, request = given
    policy = _reference_with(tmp_path, **{"dibao.rounding": rounding})
    # when
    out = result_dict(evaluate_facts(parse_facts({**request, "as_of": as_of.isoformat()}), policy))
    # then
    assert (out["monthly_amount"], [e["monthly_amount"] for e in out["single_person_enrollments"]]) == expected


# --- issue 12 §3.2 Class A (常补, 全额保障): "A类为常补对象，实行全额保障，B、C、D类为非常补对象，实施差额补助"

def elderly_couple(prop, as_of):
    # two members aged 62 and 66 on 2026: both without labour capacity (age ≥ 60), neither special (< 70)
    return {"program": "dibao", "as_of": as_of.isoformat(), "area_type": "urban",
            "members": [{"id": "m1", "birth_date": "1964-01-01", "income": {"property": prop}},
                        {"id": "m2", "birth_date": "1960-01-01"}]}


# (name, as_of, input (property income of m1), expected (class, amount)) — demo county, standard 1301
CLASS_A_CASES = [
    ("A in the old tier 2 (pci 500): full 1301 × 2, not 0.6 × 1301 × 2", date(2026, 7, 1), "1000", ("A", "2602.00")),
    ("A in the old tier 3 (pci 900): full standard", date(2026, 7, 1), "1800", ("A", "2602.00")),
    ("A with no income", date(2026, 12, 1), "0", ("A", "2602.00")),
    ("A just below the standard (pci 1300.99)", date(2026, 12, 1), "2601.98", ("A", "2602.00")),
]


@pytest.mark.parametrize("name, as_of, prop, expected", CLASS_A_CASES, ids=[c[0] for c in CLASS_A_CASES])
def test_issue12_class_a_gets_the_full_standard_under_tiers(name, as_of, prop, expected):
    # given a household whose every member is without labour capacity, under the demo county's 分档 method
    policy = load_policy("330127000000")
    # when
    out = result_dict(evaluate_facts(parse_facts(elderly_couple(prop, as_of)), policy))
    # then it is class A and gets standard × members (R-DB-03, R-DB-04; seed 年审方案)
    assert (out["class"], out["monthly_amount"]) == expected
    steps = [s["step"] for s in out["trace"]]
    # the A criteria are the county's parameters, shown in the trace with their values
    assert any("A 类常补对象全额保障" in s and "全部成员无劳动能力" in s and "年满60周岁" in s for s in steps)
    assert sum("无劳动能力（R-TK-02）：是" in s for s in steps) == 2


def test_issue12_class_b_c_d_keep_the_tier_amount():
    # given a class-C household of two adults in the new tier 2 (pci 300 of 1301: [260.20, 520.40) → 0.8)
    data = {"program": "dibao", "as_of": "2026-12-01", "area_type": "urban",
            "members": [{"id": "m1", "birth_date": "1980-01-01", "income": {"property": "600"}},
                        {"id": "m2", "birth_date": "1982-01-01"}]}
    # when
    out = result_dict(evaluate_facts(parse_facts(data), load_policy("330127000000")))
    # then 0.8 × 1301 × 2 = 2081.60, and pci + benefit per person (300 + 1040.80) is not below the standard
    assert (out["class"], out["monthly_amount"]) == ("C", "2081.60")
