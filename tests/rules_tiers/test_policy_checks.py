"""§20 checks: region parameters that differ from national bounds are listed as warnings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jiuzhu.rules.params import load_policy
from jiuzhu.rules.policy_checks import national_bound_warnings



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
    warnings = national_bound_warnings(load_policy("330127000000"), date(2026, 7, 1))
    assert sorted(w.parameter for w in warnings) == [
        "graduation.months.difficult_employment", "graduation.months.disabled_employment",
        "graduation.months.graduate_employment"]
