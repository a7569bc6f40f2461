"""Parity: the columnar dibao path equals the single-case engine household by household."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from jiuzhu.batch.dibao import OUTPUT_SCHEMA, evaluate_dibao_table
from jiuzhu.batch.synthetic import birth_date_for, generate, single_case_requests
from jiuzhu.rules.classify import age_on
from jiuzhu.rules.evaluate import evaluate

N = 10_000
CLASSES = {"A", "B", "C", "D"}
STATUSES = {"dibao", "edge", "ineligible"}


@pytest.mark.parametrize("as_of", [date(2026, 6, 30), date(2026, 7, 1)])
def test_batch_equals_single_case(as_of):
    persons, households = generate(N, as_of=as_of, seed=20260630 + as_of.day)
    batch = evaluate_dibao_table(persons, households, policy="reference", as_of=as_of)
    assert batch.schema == OUTPUT_SCHEMA
    assert batch.num_rows == N
    got = {row["household_id"]: row for row in batch.to_pylist()}

    mismatches = []
    statuses, classes = Counter(), Counter()
    for household_id, request in single_case_requests(persons, households, as_of=as_of).items():
        out = evaluate(request, "reference")
        expected = (out["status"], out["class"], int(Decimal(out["monthly_amount"]) * 100))
        row = got[household_id]
        actual = (row["status"], row["class"], row["monthly_amount_fen"])
        statuses[expected[0]] += 1
        classes[expected[1]] += 1
        if expected != actual:
            mismatches.append(f"household {household_id}: single-case {expected} != batch {actual}; "
                              f"pci {out['per_capita_income']}, request {request}")
    assert not mismatches, f"{len(mismatches)} of {N} differ; first:\n" + "\n".join(mismatches[:5])
    assert set(statuses) == STATUSES, statuses
    assert CLASSES <= set(classes), classes
    assert min(statuses.values()) > 100 and min(classes[c] for c in CLASSES) > 100, (statuses, classes)


def test_birth_dates_reproduce_ages():
    as_of = date(2026, 7, 1)
    for age in range(0, 96):
        for offset in (0, 1, 150, 299):
            assert age_on(birth_date_for(age, as_of, offset), as_of) == age


def test_household_without_persons_is_rejected():
    persons, households = generate(5, as_of=date(2026, 7, 1), seed=1)
    persons = persons.filter(pa.compute.not_equal(persons["household_id"], households["household_id"][0]))
    with pytest.raises(ValueError, match="no persons"):
        evaluate_dibao_table(persons, households, policy="reference", as_of=date(2026, 7, 1))


def test_unknown_area_type_is_rejected():
    persons, households = generate(3, as_of=date(2026, 7, 1), seed=2)
    households = households.set_column(1, "area_type", pa.array(["urban", "town", "rural"]))
    with pytest.raises(ValueError, match="area_type"):
        evaluate_dibao_table(persons, households, policy="reference", as_of=date(2026, 7, 1))
