"""Declared vs verified, item by item, under the county tolerance (rules/declared.py, R-VER-05)."""

from datetime import date
from decimal import Decimal as D

import pytest

from jiuzhu.rules.declared import Tolerance, compare, differing, tolerance_for, verified_assets
from jiuzhu.rules.params.loader import load_policy

TOL = Tolerance(percent=D("5"), amount=D("10"))


def _items(*rows):
    return [{"member": m, "item": k, "amount": a} for m, k, a in rows]


@pytest.mark.parametrize("case, declared, verified, within", [
    ("equal", "2000", "2000", True),
    ("5 % of 2000 is the limit", "2000", "2100", True),
    ("just beyond 5 %", "2000", "2100.01", False),
    ("small declaration: 10 yuan is the limit", "50", "60", True),
    ("small declaration beyond 10 yuan", "50", "60.01", False),
    ("nothing declared, verification finds 300", "0", "300", False),
    ("lower than declared counts too", "2000", "1800", False),
])
def test_income_item_within_tolerance(case, declared, verified, within):
    rows = compare({"7": {"wage": D(declared)}}, {}, _items(("7", "wage", verified)), TOL)
    assert [(r.item, r.within) for r in rows] == [("wage", within)], case


def test_an_item_verification_did_not_report_keeps_the_declaration():
    rows = compare({"7": {"wage": D("800"), "transfer": D("0")}}, {}, _items(("7", "transfer", "5")), TOL)
    wage = next(r for r in rows if r.item == "wage")
    assert wage.verified is None and wage.within and wage.used == D("800")
    assert not differing(rows)


def test_counts_are_exact_and_money_assets_use_the_tolerance():
    declared = {"financial": D("1000"), "vehicle_count": D("1"), "max_vehicle_value": D("30000"),
                "residential_properties": D("1")}
    items = _items(("7", "financial", "1040"), ("7", "vehicle", "31000"), ("7", "vehicle", "5000"),
                   ("7", "residential_property", "1"))
    rows = {r.item: r for r in compare({}, declared, items, TOL)}
    assert rows["financial"].within  # 40 ≤ max(10, 50)
    assert not rows["vehicle_count"].within and rows["vehicle_count"].verified == 2
    assert rows["max_vehicle_value"].within  # 1000 ≤ 5 % of 30000
    assert rows["residential_properties"].within


def test_verified_assets_only_for_the_kinds_reported():
    assert verified_assets(_items(("1", "wage", "5"))) == {}
    assert verified_assets(_items(("1", "business_capital", "100"), ("2", "business_capital", "50"))) == \
        {"business_capital": D("150")}


def test_the_county_tolerance_is_dated_and_cited_and_the_reference_keeps_rounding_only():
    county = tolerance_for(load_policy("330127000000"), date(2026, 12, 1))
    assert (county.percent, county.amount) == (D("5"), D("10")) and "本地默认值" in county.source
    reference = tolerance_for(load_policy("reference"), date(2026, 12, 1))
    assert (reference.percent, reference.amount) == (D("0"), D("1"))
    assert county.text() == "10 元、申报额的 5%（取较大者）" and reference.text() == "1 元"
