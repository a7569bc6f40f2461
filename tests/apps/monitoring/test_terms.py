"""Scan terms from the region parameters (pure rules: no database)."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.rules.monitoring import SCHOOL_STAGES_NONCOMPULSORY, monitor_terms, suggested_disposition
from jiuzhu.rules.params import load_policy


@pytest.mark.parametrize("policy, as_of, threshold, event_since, left_since", [
    ("330127000000", date(2026, 11, 20), 2_000_000, date(2026, 8, 23), date(2024, 12, 1)),
    (None, date(2026, 1, 31), 2_000_000, date(2025, 11, 3), date(2024, 2, 1)),  # defaults
    ("reference", date(2026, 11, 30), 2_000_000, date(2026, 9, 2), date(2024, 12, 1)),  # not set: defaults
])
def test_terms(policy, as_of, threshold, event_since, left_since):
    t = monitor_terms(load_policy(policy) if policy else None, as_of)
    assert (t.medical_threshold_fen, t.event_since, t.left_since) == (threshold, event_since, left_since)
    assert t.school_stages == SCHOOL_STAGES_NONCOMPULSORY and t.asset_alerts and t.due_working_days == 10
    assert t.medical_since == date(as_of.year - 1, as_of.month + 1, 1)  # 12 calendar months to as_of


def test_unverified_values_say_so():
    t = monitor_terms(load_policy("330127000000"), date(2026, 11, 20))
    assert all("待核实" in v["source"] for v in t.sources.values())


@pytest.mark.parametrize("kind, category, expected", [
    ("medical_expense", "dibao", "implement"), ("medical_expense", "edge", "refer"), ("death", "tekun", "verify_close"),
    ("death", "left", "refer"), ("new_vehicle", "dibao", "verify_close"), ("school_entry", "temporary", "refer"),
])
def test_suggested_disposition(kind, category, expected):
    assert suggested_disposition(kind, category) == expected
