"""The simulation's pair evaluation equals two full evaluations household by household: a standard
change (member totals shared) under 补差 and 分档, and a disregard change (member terms differ, so both
evaluations run in full)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.batch.dibao import evaluate_dibao_pair, evaluate_dibao_table
from jiuzhu.batch.synthetic import generate
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.params.overlay import with_dated_values

START = date(2027, 1, 1)


def _changed(policy, key: str, factor: str):
    value = Decimal(policy.lookup(key, START)) * Decimal(factor)
    return with_dated_values(policy, {key: [(START, value.quantize(Decimal("0.01")), "test")]})


@pytest.mark.parametrize("name, key, factor", [
    ("reference", "dibao.standard.urban", "1.05"),
    ("330127000000", "dibao.standard.rural", "1.10"),  # 分档
    ("reference", "income.employment_deduction_rate", "1.5"),  # member terms differ: no sharing
])
def test_pair_equals_two_evaluations(name, key, factor):
    persons, households = generate(2_000, as_of=START, policy=name, seed=3)
    before = load_policy(name)
    after = _changed(before, key, factor)
    old, new = evaluate_dibao_pair(persons, households, before=before, after=after, as_of=START)
    for got, policy in ((old, before), (new, after)):
        want = evaluate_dibao_table(persons, households, policy=policy, as_of=START, single_person=False)
        assert got.households.equals(want.households)
        assert got.single_person.num_rows == 0
    assert not old.households.equals(new.households)  # the change moved someone


def test_pair_refuses_households_without_persons():
    persons, households = generate(50, as_of=START, policy="reference", seed=1)
    before = load_policy("reference")
    with pytest.raises(ValueError, match="no persons"):
        evaluate_dibao_pair(persons.slice(0, 10), households, before=before,
                            after=_changed(before, "dibao.standard.urban", "1.05"), as_of=START)
