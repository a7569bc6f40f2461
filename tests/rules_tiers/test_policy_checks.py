"""§20 checks: region parameters that differ from national bounds are listed as warnings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from jiuzhu.rules.params import load_policy
from jiuzhu.rules.policy_checks import national_bound_warnings
from jiuzhu.rules.tier_checks import tier_reports


def policy(tmp_path: Path, name: str, params: dict):
    body = "\n".join(f'  {k}: [{{start: 2026-01-01, value: "{v}", source: "test doc art. 1"}}]' for k, v in params.items())
    (tmp_path / f"{name}.yaml").write_text(f"inherits: null\nparameters:\n{body}\n", encoding="utf-8")
    return load_policy(name, tmp_path)


# (name, as_of, input parameters, expected warned parameters)
CASES = [
    ("edge 1.5 ok", date(2026, 7, 1), {"edge.multiplier": "1.5"}, []),
    ("edge 2 ok", date(2026, 7, 1), {"edge.multiplier": "2"}, []),
    ("edge 1.8 ok (inside bounds)", date(2026, 7, 1), {"edge.multiplier": "1.8"}, []),
    ("edge 2.01 flagged", date(2026, 7, 1), {"edge.multiplier": "2.01"}, ["edge.multiplier"]),
    ("edge 1.4 flagged", date(2026, 7, 1), {"edge.multiplier": "1.4"}, ["edge.multiplier"]),
    ("graduation 6 ok, 7 flagged", date(2026, 7, 1), {"graduation.months.a": "6", "graduation.months.b": "7"},
     ["graduation.months.b"]),
    ("total 30 ok when county confirms", date(2026, 7, 1), {"workflow.total_wd": "30"}, []),
    ("total 31 flagged", date(2026, 7, 1), {"workflow.total_wd": "31"}, ["workflow.total_wd"]),
    ("total 21 flagged when delegated", date(2026, 7, 1), {"workflow.total_wd": "21", "workflow.delegated": "1"},
     ["workflow.total_wd"]),
    ("total 20 ok when delegated", date(2026, 7, 1), {"workflow.total_wd": "20", "workflow.delegated": "1"}, []),
    ("step limits", date(2026, 7, 1), {"workflow.investigation_start_wd": "4", "workflow.verification_start_wd": "3",
                                       "workflow.county_confirm_wd": "11", "workflow.special_total_wd": "45"},
     ["workflow.county_confirm_wd", "workflow.investigation_start_wd"]),
    ("publicity 5 days (seed) flagged, 7 ok", date(2026, 7, 1), {"workflow.publicity_days": "5"}, ["workflow.publicity_days"]),
    ("recheck 12/6 ok", date(2026, 7, 1), {"dibao.recheck_months.stable": "12", "dibao.recheck_months.unstable": "6"}, []),
    ("recheck 24 flagged", date(2026, 7, 1), {"dibao.recheck_months.stable": "24"}, ["dibao.recheck_months.stable"]),
    ("rigid look-back 6, validity 13", date(2026, 7, 1), {"rigid.lookback_months": "6", "rigid.validity_months": "13"},
     ["rigid.lookback_months", "rigid.validity_months"]),
    ("2 tiers flagged when tiered", date(2026, 7, 1), {"dibao.method": "tiered", "dibao.tiers.count": "2"}, ["dibao.tiers.count"]),
    ("2 tiers ignored when gap", date(2026, 7, 1), {"dibao.method": "gap", "dibao.tiers.count": "2"}, []),
]


@pytest.mark.parametrize("name, as_of, params, expected", CASES, ids=[c[0] for c in CASES])
def test_bound_warnings_table(tmp_path, name, as_of, params, expected):
    warnings = national_bound_warnings(policy(tmp_path, "p", params), as_of)
    assert sorted(w.parameter for w in warnings) == sorted(expected)
    for w in warnings:
        assert w.rule and w.message and w.source == "test doc art. 1"
        assert set(w.as_dict()) == {"parameter", "value", "bound", "rule", "message", "source"}


def test_reference_has_no_warnings():
    assert national_bound_warnings(load_policy("reference"), date(2026, 7, 1)) == []


def test_demo_county_flags_long_graduation_periods_only():
    # from 2026-12-01 the demo county's corrected tier table leaves no household below the standard
    warnings = national_bound_warnings(load_policy("330127000000"), date(2026, 12, 1))
    assert sorted(w.parameter for w in warnings) == [
        "graduation.months.difficult_employment", "graduation.months.disabled_employment",
        "graduation.months.graduate_employment"]


# --- issue 12 §3.1 分档 cliffs: post-benefit income below the standard (R-DB-01, R-DB-03) ---------------

def tiered(tmp_path, uppers, amounts, standard="1000", minimum="60"):
    params = {"dibao.method": "tiered", "dibao.tiers.count": str(len(uppers)), "dibao.standard.urban": standard,
              "dibao.standard.rural": standard, "dibao.per_capita_minimum": minimum}
    params.update(REFERENCE_TERMS)
    for i, (upper, amount) in enumerate(zip(uppers, amounts, strict=True), start=1):
        params[f"dibao.tiers.{i}.upper_ratio"] = upper
        params[f"dibao.tiers.{i}.amount_ratio"] = amount
    return policy(tmp_path, "tiers", params)


# every other parameter terms_for needs, as in the reference policy
REFERENCE_TERMS = {
    "income.employment_deduction_rate": "0.2", "income.employment_deduction_cap": "200", "assets.financial_months": "24",
    "assets.vehicle_value_limit": "50000", "assets.vehicle_count_limit": "1", "assets.residential_property_limit": "1",
    "assets.business_capital_limit": "100000", "dibao.special_addon_ratio": "0.3", "dibao.class_c_ratio": "0.5",
    "dibao.recheck_months.stable": "12", "dibao.recheck_months.unstable": "6", "edge.multiplier": "1.5",
    "classify.special.age_elderly": "70", "classify.special.age_minor": "18",
    "classify.special.disability_max_grade": "2", "classify.special.mental_max_grade": "3",
    "classify.special.serious_illness": "1", "classify.labour.age_elderly": "60", "classify.labour.age_child": "16",
    "classify.labour.mental_max_grade": "3", "classify.labour.physical_max_grade": "2",
    "classify.labour.visual_max_grade": "1", "classify.labour.serious_illness": "1",
    "single.disability_max_grade": "2", "single.mental_max_grade": "3", "single.serious_illness": "1",
    "tekun.basic_multiplier": "1.3", "tekun.minor_age": "18", "tekun.adl_partial_from": "1", "tekun.adl_full_from": "4",
    "tekun.care_ratio.self_care": "0.1", "tekun.care_ratio.partial": "0.4", "tekun.care_ratio.full": "1.0",
    "temporary.cap_multiple.emergency": "3", "temporary.cap_multiple.expenditure": "6",
    "temporary.township_limit_multiple": "1"}

# (name, as_of, input (uppers, amounts), expected (below-standard ranges (tier, from, to), worst shortfall,
#  cliffs per person at each upper edge)) — standard 1000, minimum 60
TIER_CASES = [
    ("issue 12 §3.1: the demo county's old table 0.3/0.6/1 → 0.9/0.6/0.3", date(2026, 7, 1),
     (("0.3", "0.6", "1"), ("0.9", "0.6", "0.3")),
     ([(1, "0.00", "100.00"), (2, "300.00", "400.00"), (3, "600.00", "700.00")], "100.00",
      ["300.00", "300.00", "300.00"])),
    ("amount = 1 − lower: none below, cliffs reported", date(2026, 7, 1),
     (("0.3", "0.6", "1"), ("1", "0.7", "0.4")), ([], None, ["300.00", "300.00", "400.00"])),
    ("one fen short in tier 2 only", date(2026, 7, 1),
     (("0.3", "0.6", "1"), ("1", "0.69999", "0.4")), ([(2, "300.00", "300.01")], "0.01", ["300.01", "299.99", "400.00"])),
    ("the per-capita minimum lifts a tiny last tier", date(2026, 7, 1),
     (("0.5", "0.95", "1"), ("1", "0.5", "0.01")), ([], None, ["500.00", "440.00", "60.00"])),
]


@pytest.mark.parametrize("name, as_of, given, expected", TIER_CASES, ids=[c[0] for c in TIER_CASES])
def test_tier_check_reports_below_standard_ranges_worst_case_and_cliffs(tmp_path, name, as_of, given, expected):
    # given a tiered policy
    uppers, amounts = given
    p = tiered(tmp_path, uppers, amounts)
    # when
    reports = {r.area_type: r.as_dict() for r in tier_reports(p, as_of)}
    warnings = [w for w in national_bound_warnings(p, as_of) if w.parameter.startswith("dibao.tiers.")]
    # then
    ranges, worst, cliffs = expected
    urban = reports["urban"]
    assert [(r["tier"], r["pci_from"], r["pci_to"]) for r in urban["below_standard"]] == ranges
    assert (urban["worst"]["shortfall"] if urban["worst"] else None) == worst
    assert [c["loss_per_person"] for c in urban["cliffs"]] == cliffs
    assert len(warnings) == 2 * len(ranges)  # urban and rural
    for w in warnings:
        assert w.rule == "R-DB-03" and "低于低保标准" in w.message and "最不利" in w.message


def test_tier_check_ignores_gap_policies():
    assert tier_reports(load_policy("reference"), date(2026, 7, 1)) == []


def test_issue12_demo_county_old_tiers_leave_households_below_the_standard():
    # given the demo county's tier table in force on 2026-07-01 (standard 1301)
    reports = tier_reports(load_policy("330127000000"), date(2026, 7, 1))
    # then 0.6×–0.7× of the standard stays below it after dibao, and 389 → 391 crosses a 390.30 cliff per person
    urban = reports[0].as_dict()
    assert {"tier": 3, "pci_from": "780.60", "pci_to": "910.70"}.items() <= urban["below_standard"][2].items()
    assert urban["worst"]["worst_post_income"] == "1170.90"
    assert (urban["cliffs"][0]["at_pci"], urban["cliffs"][0]["loss_per_person"]) == ("390.30", "390.30")


@pytest.mark.parametrize("as_of", [date(2026, 12, 1), date(2027, 6, 30)])
def test_issue12_demo_county_tiers_leave_nobody_below_the_standard(as_of):
    # given the demo county's corrected tier table (a new dated value from 2026-12-01)
    p = load_policy("330127000000")
    # when
    reports = tier_reports(p, as_of)
    # then no below-standard range, and each cliff is reported (5 tiers: 0.2 × 1301 per person)
    assert reports and all(r.ranges == () for r in reports)
    assert [c.loss_per_person for c in reports[0].cliffs] == [Decimal("260.2")] * 5
    assert not [w for w in national_bound_warnings(p, as_of) if w.parameter.startswith("dibao.tiers.")]
    # the tier boundaries and amounts stay dated parameters with a 待核实 source
    assert p.entry("dibao.tiers.1.amount_ratio", as_of).unverified


def test_issue12_rules_check_command_reports_tiers_and_cliffs():
    import json
    import os
    import subprocess
    import sys

    # given the console script, no database
    jiuzhu = Path(sys.executable).with_name("jiuzhu")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiuzhu.settings.production",
           "JIUZHU_DATABASE_URL": "sqlite:////nonexistent/absent.sqlite3"}

    def check(day):
        proc = subprocess.run([str(jiuzhu), "rules", "check", "--policy", "330127000000", "--date", day],
                              capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    # when / then: the old table is reported with its worst case, the corrected one has none; cliffs both times
    old, new = check("2026-07-01"), check("2026-12-01")
    assert old["tiers"][0]["worst"]["shortfall"] == "130.10"
    assert any(w["parameter"] == "dibao.tiers.3.amount_ratio" for w in old["warnings"])
    assert new["tiers"][0]["below_standard"] == [] and new["tiers"][0]["worst"] is None
    assert [c["loss_per_person"] for c in new["tiers"][0]["cliffs"]] == ["260.20"] * 5
    assert not any(w["parameter"].startswith("dibao.tiers.") for w in new["warnings"])
