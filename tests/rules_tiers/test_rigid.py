"""刚性支出困难家庭 (R-LI-03, R-LI-04): strict thresholds, all reasons reported, trace in Chinese."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.rules.params import PARAMS_DIR, load_policy
from jiuzhu.rules.rigid import (
    RIGID_ALREADY_COVERED, RIGID_ASSETS, RIGID_INCOME_ABOVE_DISPOSABLE, RIGID_SHARE_NOT_ABOVE_RATIO,
    RigidFacts, RigidTerms, rigid_expenditure_status, rigid_terms_for,
)

D = Decimal
DEMO = PARAMS_DIR / "demo"
TERMS = RigidTerms(disposable_income=D(60000), disposable_source="demo", expenditure_ratio=D("0.6"), ratio_source="demo")


def facts(income="90000", size=3, status="none", assets=(), **expenditure):
    return RigidFacts(size=size, annual_income=D(income), expenditure={k: D(v) for k, v in expenditure.items()},
                      status=status, asset_codes=tuple(assets))


# (name, as_of, input, expected (eligible, reasons))
CASES = [
    ("typical: medical 60000 > 0.6 × 90000", date(2026, 7, 1), facts(medical="60000"), (True, ())),
    ("share exactly at ratio fails", date(2026, 7, 1), facts(medical="54000"), (False, (RIGID_SHARE_NOT_ABOVE_RATIO,))),
    ("share one fen above ratio", date(2026, 7, 1), facts(medical="54000.01"), (True, ())),
    ("items add up: medical + education + rehabilitation", date(2026, 7, 1),
     facts(medical="30000", education="20000", rehabilitation="4000.01"), (True, ())),
    ("pci exactly at disposable income fails", date(2026, 7, 1), facts(income="180000", medical="200000"),
     (False, (RIGID_INCOME_ABOVE_DISPOSABLE,))),
    ("pci one fen below disposable income", date(2026, 7, 1), facts(income="179999.97", medical="200000"), (True, ())),
    ("zero income, any rigid expenditure", date(2026, 7, 1), facts(income="0", education="1"), (True, ())),
    ("zero income, zero expenditure", date(2026, 7, 1), facts(income="0"), (False, (RIGID_SHARE_NOT_ABOVE_RATIO,))),
    ("already dibao", date(2026, 7, 1), facts(status="dibao", medical="60000"), (False, (RIGID_ALREADY_COVERED,))),
    ("already edge family", date(2026, 7, 1), facts(status="edge", medical="60000"), (False, (RIGID_ALREADY_COVERED,))),
    ("assets fail", date(2026, 7, 1), facts(assets=["AST_FINANCIAL"], medical="60000"), (False, (RIGID_ASSETS,))),
    ("every reason at once", date(2026, 7, 1), facts(income="300000", status="tekun", assets=["AST_VEHICLE"]),
     (False, (RIGID_ALREADY_COVERED, RIGID_INCOME_ABOVE_DISPOSABLE, RIGID_ASSETS, RIGID_SHARE_NOT_ABOVE_RATIO))),
]


@pytest.mark.parametrize("name, as_of, given_facts, expected", CASES, ids=[c[0] for c in CASES])
def test_rigid_table(name, as_of, given_facts, expected):
    result = rigid_expenditure_status(given_facts, TERMS)
    assert (result.eligible, result.reasons) == expected
    assert result.status == ("rigid" if expected[0] else "ineligible")
    rules = {step.rule for step in result.trace}
    assert rules <= {"R-LI-03", "R-LI-04"} and "R-LI-03" in rules
    assert result.trace[-1].value == ("是" if expected[0] else "否")


def test_demo_terms_are_dated_and_area_specific():
    policy = load_policy("330127000000", DEMO)
    urban, rural = (rigid_terms_for(policy, date(2026, 7, 1), a) for a in ("urban", "rural"))
    assert (urban.disposable_income, rural.disposable_income, urban.expenditure_ratio) == (D(60000), D(40000), D("0.6"))
    assert "待核实" in urban.disposable_source


def test_unknown_item_rejected():
    with pytest.raises(ValueError):
        rigid_expenditure_status(RigidFacts(size=1, annual_income=D(1), expenditure={"travel": D(1)}), TERMS)
