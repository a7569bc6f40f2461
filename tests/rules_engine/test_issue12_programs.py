"""Issue 12 §3 correctness findings 4 and 5 through the evaluate() entry point.

4. 临时救助 (R-TA-02, R-TA-03): 急难型 is helped first — the dibao asset test does not block it; 支出型 is
   tested against last year's local per-capita disposable income (a dated parameter), not the edge line.
5. 刚性支出 before dibao (R-LI-03 (1), R-DB-01): a household whose pci is below the dibao standard is
   reported as dibao-eligible first, with the dibao result, not as a rigid-expenditure household.

Demo county 330127000000: standard 1301, edge line 2 × 1301 = 2602, disposable income 60 000 urban /
40 000 rural (demo values, 待核实). The reference policy keeps spec/reference-policy.md §5.
"""

from __future__ import annotations

import pytest

from jiuzhu.rules.evaluate import evaluate

from .helpers import is_subset, member, request

COUNTY = "330127000000"
ADULT, CHILD = "1980-01-01", "2015-01-01"
TRUCK = {"vehicles": [{"kind": "truck", "value": "60000"}]}


def temporary(kind, need="500", members=None, **extra):
    return request("temporary", as_of="2026-07-01", members=members or [member("a", ADULT), member("b", CHILD)],
                   temporary={"type": kind, "need": need}, **extra)


def earning(monthly: str, area="urban"):
    return {"members": [member("a", ADULT, income={"transfer": monthly}), member("b", CHILD)], "area_type": area}


# (name, policy, input, expected subset)
TEMPORARY_CASES = [
    ("R-TA-03: 急难型 with a truck over the limit is helped first", COUNTY, temporary("emergency", assets=TRUCK),
     {"status": "temporary", "eligible": True, "monthly_amount": "500.00", "reasons": []}),
    ("reference §5 unchanged: 急难型 with the truck is refused", "reference",
     {**temporary("emergency", assets=TRUCK), "as_of": "2026-12-01"}, {"status": "ineligible", "reasons": ["AST_VEHICLE"]}),
    ("支出型 still runs the asset test", COUNTY, temporary("expenditure", assets=TRUCK),
     {"status": "ineligible", "reasons": ["AST_VEHICLE"]}),
    # pci 2700 ≥ edge line 2602, but 12 × 2700 = 32 400 < 60 000
    ("R-TA-02: 支出型 above the edge line but below the disposable income", COUNTY,
     temporary("expenditure", **earning("5400")), {"status": "temporary", "eligible": True, "reasons": []}),
    # 12 × 5000 = 60 000, not below
    ("R-TA-02: 支出型 exactly at the disposable income", COUNTY, temporary("expenditure", **earning("10000")),
     {"status": "ineligible", "reasons": ["TA_INCOME_ABOVE_DISPOSABLE"]}),
    ("R-TA-02: 支出型 one fen (yearly 0.12) below", COUNTY, temporary("expenditure", **earning("9999.98")),
     {"status": "temporary", "eligible": True}),
    ("R-TA-02: rural line 40 000: 12 × 3400 = 40 800", COUNTY, temporary("expenditure", **earning("6800", "rural")),
     {"status": "ineligible", "reasons": ["TA_INCOME_ABOVE_DISPOSABLE"]}),
    ("reference §5 unchanged: 支出型 at 1.5 × standard → INC_ABOVE_EDGE", "reference",
     {**temporary("expenditure", **earning("3120")), "as_of": "2026-12-01"},
     {"status": "ineligible", "reasons": ["INC_ABOVE_EDGE"]}),
]


@pytest.mark.parametrize("name, policy, given, expected", TEMPORARY_CASES, ids=[c[0] for c in TEMPORARY_CASES])
def test_issue12_temporary_assistance_tests(name, policy, given, expected):
    # when
    out = evaluate(given, policy)
    # then
    mismatched = {k: (v, out.get(k)) for k, v in expected.items() if not is_subset(v, out.get(k))}
    assert not mismatched, f"expected vs actual: {mismatched}"


def test_emergency_help_first_is_in_the_trace_and_disposable_line_is_cited():
    out = evaluate(temporary("emergency", assets=TRUCK), COUNTY)
    assert any(s["rule"] == "R-TA-03" and "先行救助" in s["step"] and "AST_VEHICLE" in s["step"] for s in out["trace"])
    out = evaluate(temporary("expenditure", **earning("5400")), COUNTY)
    step = next(s for s in out["trace"] if s["rule"] == "R-TA-02")
    assert "居民人均可支配收入 60000.00" in step["step"] and "待核实" in step["step"]


# --- finding 5: 刚性支出 before dibao -------------------------------------------------------------------

def rigid(members, expenditure=None, **extra):
    return request("rigid_expenditure", as_of="2026-12-01", members=members,
                   rigid={"expenditure": expenditure or {"medical": "30000"}}, **extra)


RIGID_CASES = [
    # pci 500 < 1301: dibao first (tier 2 from 2026-12-01: 0.8 × 1301 × 2 = 2081.60, class C)
    ("pci below the standard → dibao with its result", rigid([member("a", ADULT, income={"wage": "1200"}),
                                                               member("b", "1982-01-01")]),
     {"status": "dibao", "eligible": True, "class": "C", "monthly_amount": "2081.60", "recheck_months": 6,
      "rigid_expenditure": {"dibao_first": True}}),
    ("pci exactly at the standard → the rigid test applies", rigid([member("a", ADULT, income={"property": "2602"}),
                                                                   member("b", "1982-01-01")]),
     {"status": "rigid", "eligible": True, "rigid_expenditure": {"dibao_first": False}}),
    # below the standard but a truck over the dibao limit: not dibao, so the rigid test (its own asset codes)
    ("pci below the standard but dibao assets fail → rigid test", rigid([member("a", ADULT), member("b", CHILD)],
                                                                        assets=TRUCK),
     {"status": "ineligible", "reasons": ["RIGID_AST_VEHICLE"], "rigid_expenditure": {"dibao_first": False}}),
]


@pytest.mark.parametrize("name, given, expected", RIGID_CASES, ids=[c[0] for c in RIGID_CASES])
def test_issue12_rigid_expenditure_reports_dibao_first(name, given, expected):
    # when
    out = evaluate(given, COUNTY)
    # then
    mismatched = {k: (v, out.get(k)) for k, v in expected.items() if not is_subset(v, out.get(k))}
    assert not mismatched, f"expected vs actual: {mismatched}"
    if out["status"] == "dibao":
        assert any(s["rule"] == "R-LI-03" and "先按低保" in s["step"] for s in out["trace"])
        assert list(out)[-2:] == ["rigid_expenditure", "trace"]
