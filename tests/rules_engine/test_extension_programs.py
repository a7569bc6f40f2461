"""Programs beyond the §3–5 contract through the same evaluate() entry point: rigid_expenditure
(刚性支出困难家庭, R-LI-03), graduation (渐退, R-DM-04), 分档 dibao via a region policy, and the
published tekun amount; every rejection names its field path (in details and in the message).

Region policy 330127000000 on 2026-07-01: standard 1301 (杭州市, cited); demo values: employment
deduction 20 % capped at 200, disposable income 60 000 urban / 40 000 rural, rigid ratio 0.6,
validity 12 months; 渐退 employment_income 6, graduate_employment 12 months.
"""

from __future__ import annotations

import re

import pytest

from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.evaluate import evaluate

from .helpers import is_subset, member

COUNTY = "330127000000"
ADULT, CHILD, OLD = "1980-01-01", "2015-01-01", "1950-01-01"


def household(program, area="urban", members=None, **extra):
    return {"program": program, "as_of": "2026-07-01", "area_type": area,
            "members": members or [member("m1", ADULT, income={"wage": "3000"}), member("m2", CHILD)], **extra}


def rigid(expenditure=None, status=None, **extra):
    block = {"expenditure": expenditure or {"medical": "20160.01"}}
    if status:
        block["current_status"] = status
    return household("rigid_expenditure", rigid=block, **extra)


def graduation(reason="employment_income", amount="780.60", **extra):
    return household("graduation", graduation={"reason": reason, "current_amount": amount}, **extra)


# (name, as_of, input, expected subset of the output) — policy 330127000000 unless the name says otherwise
CASES = [
    ("rigid: 20160.01 > 0.6 × 33600 yearly income", "2026-07-01", rigid(),
     {"status": "rigid", "eligible": True, "reasons": [], "monthly_amount": "0.00", "per_capita_income": "1400.00",
      "rigid_expenditure": {"annual_income": "33600.00", "annual_per_capita_income": "16800.00",
                            "disposable_income": "60000.00", "expenditure_total": "20160.01",
                            "expenditure_ratio": "0.6", "expenditure_line": "20160.00", "validity_months": 12}}),
    ("rigid: share exactly at the ratio", "2026-07-01", rigid({"medical": "10000", "education": "10160"}),
     {"status": "ineligible", "reasons": ["RIGID_SHARE_NOT_ABOVE_RATIO"],
      "rigid_expenditure": {"expenditure_total": "20160.00", "validity_months": None}}),
    ("rigid: rural yearly pci 40800 ≥ 40000", "2026-07-01",
     rigid({"medical": "60000"}, area="rural", members=[member("m1", ADULT, income={"wage": "7000"}), member("m2", CHILD)]),
     {"status": "ineligible", "reasons": ["RIGID_INCOME_ABOVE_DISPOSABLE"],
      "rigid_expenditure": {"annual_per_capita_income": "40800.00", "disposable_income": "40000.00"}}),
    ("rigid: financial exactly 24 × 1301 × 2 passes", "2026-07-01", rigid(assets={"financial": "62448"}),
     {"status": "rigid", "reasons": []}),
    ("rigid: financial one fen above fails with its own code", "2026-07-01", rigid(assets={"financial": "62448.01"}),
     {"status": "ineligible", "reasons": ["RIGID_AST_FINANCIAL"]}),
    ("rigid: car above 50000 and a second home", "2026-07-01",
     rigid(assets={"vehicles": [{"kind": "car", "value": "50000.01"}], "residential_properties": 2}),
     {"status": "ineligible", "reasons": ["RIGID_AST_PROPERTY", "RIGID_AST_VEHICLE"]}),
    ("rigid: already an edge household", "2026-07-01", rigid(status="edge"),
     {"status": "ineligible", "reasons": ["RIGID_ALREADY_COVERED"]}),
    ("graduation: employment income, 6 months, within the national cap", "2026-07-01", graduation(),
     {"status": "graduation", "eligible": True, "monthly_amount": "780.60", "class": None,
      "graduation": {"reason": "employment_income", "months": 6, "national_max_months": 6,
                     "above_national_max": False}}),
    ("graduation: graduate employment, 12 months, flagged", "2026-07-01", graduation("graduate_employment"),
     {"status": "graduation", "graduation": {"months": 12, "above_national_max": True}}),
    ("graduation: pci exactly at the standard qualifies", "2026-07-01",
     graduation(members=[member("m1", ADULT, income={"property": "2602"}), member("m2", CHILD)]),
     {"status": "graduation", "per_capita_income": "1301.00"}),
    ("graduation: pci one fen below the standard", "2026-07-01",
     graduation(members=[member("m1", ADULT, income={"property": "2601.98"}), member("m2", CHILD)]),
     {"status": "ineligible", "eligible": False, "reasons": ["GRD_BELOW_STANDARD"], "monthly_amount": "0.00",
      "graduation": {"months": None}}),
    ("dibao: 分档 tier 2 via the region policy, rounded to 角", "2026-07-01",
     household("dibao", members=[member("m1", ADULT, income={"property": "780.60"}), member("m2", "1982-01-01")]),
     {"status": "dibao", "class": "C", "monthly_amount": "1561.20", "standard": "1301.00"}),
    ("tekun: Hangzhou's published basic standard 2255 + care 0.1 × 1301", "2026-07-01",
     household("tekun", members=[member("m1", OLD)]),
     {"status": "tekun", "care_level": "self_care", "monthly_amount": "2385.00"}),
]


@pytest.mark.parametrize("name, as_of, given, expected", CASES, ids=[c[0] for c in CASES])
def test_case(name, as_of, given, expected):
    # when
    out = evaluate({**given, "as_of": as_of}, COUNTY)
    # then
    mismatched = {k: (v, out.get(k)) for k, v in expected.items() if not is_subset(v, out.get(k))}
    assert not mismatched, f"expected vs actual: {mismatched}"
    # every result under this policy says which parameters are unverified demo values
    assert any(s["rule"] == "PARAM" and "示例值，待核实" in s["step"] for s in out["trace"])
    if out["program"] in ("rigid_expenditure", "graduation"):
        assert list(out)[-2:] == [out["program"], "trace"]


def test_tiered_and_tekun_traces_cite_their_sources():
    dibao = evaluate(CASES[11][2], COUNTY)
    assert any("分档" in s["step"] and s["rule"] == "R-DB-03" for s in dibao["trace"])
    assert "杭州市民政局" in dibao["trace"][0]["step"] and "https://" in dibao["trace"][0]["step"]
    tekun = evaluate(CASES[12][2], COUNTY)
    assert any("本地公布金额" in s["step"] and s["value"] == "2255.00" for s in tekun["trace"])


def test_reference_results_carry_no_unverified_note():
    out = evaluate(household("dibao"), "reference")
    assert not any(s["rule"] == "PARAM" for s in out["trace"])


BAD = [
    # (name, policy, input, code, field)
    ("rigid block missing", COUNTY, household("rigid_expenditure"), "required", "rigid"),
    ("rigid: unknown expenditure item", COUNTY, rigid({"travel": "1"}), "unknown_field", "rigid.expenditure.travel"),
    ("rigid: negative expenditure", COUNTY, rigid({"medical": "-1"}), "negative_money", "rigid.expenditure.medical"),
    ("rigid: unknown current status", COUNTY, rigid(status="vip"), "invalid_choice", "rigid.current_status"),
    ("rigid: not a program of the reference policy", "reference", rigid(), "program_not_in_policy", "program"),
    ("graduation block missing", COUNTY, household("graduation"), "required", "graduation"),
    ("graduation: reason missing", COUNTY, household("graduation", graduation={"current_amount": "1"}),
     "required", "graduation.reason"),
    ("graduation: malformed reason", COUNTY, graduation("Bad Reason"), "invalid_choice", "graduation.reason"),
    ("graduation: reason the policy does not set", COUNTY, graduation("lottery"), "graduation_reason_unknown",
     "graduation.reason"),
    ("graduation: reference sets no reasons", "reference", graduation(), "graduation_reason_unknown",
     "graduation.reason"),
    ("graduation: negative current amount", COUNTY, graduation(amount="-5"), "negative_money",
     "graduation.current_amount"),
    ("graduation: unknown field", COUNTY, household("graduation", graduation={"reason": "epidemic",
                                                                             "current_amount": "1", "months": 3}),
     "unknown_field", "graduation.months"),
    ("before the county's demo values start", COUNTY, {**graduation(), "as_of": "2025-12-31"},
     "policy_not_in_force", "as_of"),
]


@pytest.mark.parametrize("name, policy, given, code, field", BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_field_path(name, policy, given, code, field):
    # when
    with pytest.raises(ValidationFailed) as info:
        evaluate(given, policy)
    # then the code, the field path, and a Chinese message naming that path
    assert (info.value.code, info.value.details["field"]) == (code, field)
    assert info.value.status == 422
    assert re.search(r"[\u4e00-\u9fff]", info.value.message) and field in info.value.message
