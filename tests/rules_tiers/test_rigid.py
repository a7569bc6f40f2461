"""刚性支出困难家庭 (R-LI-03, R-LI-04): strict thresholds, its own asset test, all reasons reported."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.rules.assets import AssetLimits
from jiuzhu.rules.model import Assets, Vehicle
from jiuzhu.rules.params import PARAMS_DIR, load_policy
from jiuzhu.rules.rigid import (
    RIGID_ALREADY_COVERED,
    RIGID_AST_BUSINESS,
    RIGID_AST_FINANCIAL,
    RIGID_AST_PROPERTY,
    RIGID_AST_VEHICLE,
    RIGID_INCOME_ABOVE_DISPOSABLE,
    RIGID_SHARE_NOT_ABOVE_RATIO,
    RigidFacts,
    RigidTerms,
    rigid_expenditure_status,
    rigid_terms_for,
)
from jiuzhu.rules.terms import terms_for

D = Decimal
# the reference policy's dibao limits with standard 1000: financial ≤ 24 000 per person, one car ≤ 50 000,
# one home, registered capital ≤ 100 000
LIMITS = AssetLimits(standard=D(1000), financial_months=D(24), vehicle_value_limit=D(50000), vehicle_count_limit=D(1),
                     residential_property_limit=D(1), business_capital_limit=D(100000))
TERMS = RigidTerms(disposable_income=D(60000), disposable_source="demo", expenditure_ratio=D("0.6"),
                   ratio_source="demo", assets=LIMITS)


def facts(income="90000", size=3, status="none", assets=None, **expenditure):
    return RigidFacts(size=size, annual_income=D(income), expenditure={k: D(v) for k, v in expenditure.items()},
                      status=status, assets=assets or Assets())


def car(value):
    return Vehicle(kind="car", value=D(value))


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
    # (3) the asset test runs inside, with the program's own codes
    ("financial exactly at 24 × standard × 3 passes", date(2026, 7, 1),
     facts(assets=Assets(financial=D(72000)), medical="60000"), (True, ())),
    ("financial one fen above fails", date(2026, 7, 1),
     facts(assets=Assets(financial=D("72000.01")), medical="60000"), (False, (RIGID_AST_FINANCIAL,))),
    ("car at the value limit passes", date(2026, 7, 1),
     facts(assets=Assets(vehicles=(car("50000"),)), medical="60000"), (True, ())),
    ("car above the value limit fails", date(2026, 7, 1),
     facts(assets=Assets(vehicles=(car("50000.01"),)), medical="60000"), (False, (RIGID_AST_VEHICLE,))),
    ("two cars fail; motorcycles never count", date(2026, 7, 1),
     facts(assets=Assets(vehicles=(car("1000"), car("1000"), Vehicle("motorcycle", D(90000)))), medical="60000"),
     (False, (RIGID_AST_VEHICLE,))),
    ("second home fails", date(2026, 7, 1),
     facts(assets=Assets(residential_properties=2), medical="60000"), (False, (RIGID_AST_PROPERTY,))),
    ("registered capital above limit fails", date(2026, 7, 1),
     facts(assets=Assets(business_registered_capital=D("100000.01")), medical="60000"), (False, (RIGID_AST_BUSINESS,))),
    ("every reason at once", date(2026, 7, 1),
     facts(income="300000", status="tekun", assets=Assets(financial=D(10**6), vehicles=(car("90000"),),
                                                           residential_properties=3,
                                                           business_registered_capital=D(200000))),
     (False, (RIGID_ALREADY_COVERED, RIGID_INCOME_ABOVE_DISPOSABLE, RIGID_AST_FINANCIAL, RIGID_AST_VEHICLE,
              RIGID_AST_PROPERTY, RIGID_AST_BUSINESS, RIGID_SHARE_NOT_ABOVE_RATIO))),
]


@pytest.mark.parametrize("name, as_of, given_facts, expected", CASES, ids=[c[0] for c in CASES])
def test_rigid_table(name, as_of, given_facts, expected):
    # when
    result = rigid_expenditure_status(given_facts, TERMS)
    # then
    assert (result.eligible, result.reasons) == expected
    assert result.status == ("rigid" if expected[0] else "ineligible")
    rules = {step.rule for step in result.trace}
    assert rules <= {"R-LI-03", "R-LI-04", "R-AST-04", "R-AST-05"} and {"R-LI-03", "R-AST-05"} <= rules
    assert result.trace[-1].value == ("是" if expected[0] else "否")
    asset_step = next(s for s in result.trace if s.step.startswith("（三）"))
    assert asset_step.value == ("否" if any(r.startswith("RIGID_AST_") for r in expected[1]) else "是")


def test_demo_terms_are_dated_and_area_specific():
    policy = load_policy("330127000000")
    urban, rural = (rigid_terms_for(policy, date(2026, 7, 1), a) for a in ("urban", "rural"))
    assert (urban.disposable_income, rural.disposable_income, urban.expenditure_ratio) == (D(60000), D(40000), D("0.6"))
    assert "待核实" in urban.disposable_source
    # no rigid.assets.* in the demo county: the dibao limits apply, with the county's standard
    assert urban.assets == AssetLimits.of(terms_for(policy, date(2026, 7, 1), "urban"))
    assert urban.assets_source == "沿用低保财产规定" and urban.validity_months == 12


def test_region_may_relax_the_asset_limits(tmp_path):
    # given the demo chain, with the county relaxing the financial limit for this program only
    for code in ("330000000000", "330100000000"):
        shutil.copy(PARAMS_DIR / f"{code}.yaml", tmp_path)
    county = (PARAMS_DIR / "330127000000.yaml").read_text(encoding="utf-8")
    county += '  rigid.assets.financial_months: [{start: 2026-01-01, value: "36", source: "县文件 第5条"}]\n'
    (tmp_path / "330127000000.yaml").write_text(county, encoding="utf-8")
    # when
    terms = rigid_terms_for(load_policy("330127000000", tmp_path), date(2026, 7, 1), "urban")
    ok = rigid_expenditure_status(facts(income="10000", size=1, assets=Assets(financial=D(46836)), medical="9000"), terms)
    too_much = rigid_expenditure_status(facts(income="10000", size=1, assets=Assets(financial=D("46836.01")),
                                              medical="9000"), terms)
    # then the limit is 36 × 1301 = 46 836 for one person; dibao's 24 months are untouched
    assert terms.assets.financial_months == D(36) and "县文件 第5条" in terms.assets_source
    assert terms_for(load_policy("330127000000", tmp_path), date(2026, 7, 1), "urban").financial_months == D(24)
    assert ok.eligible and too_much.reasons == (RIGID_AST_FINANCIAL,)


def test_unknown_item_and_status_rejected():
    with pytest.raises(ValueError):
        rigid_expenditure_status(RigidFacts(size=1, annual_income=D(1), expenditure={"travel": D(1)}), TERMS)
    with pytest.raises(ValueError):
        rigid_expenditure_status(RigidFacts(size=1, annual_income=D(1), status="vip"), TERMS)
