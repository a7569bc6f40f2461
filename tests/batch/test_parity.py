"""Parity: the columnar dibao path equals the single-case engine household by household, including the
single-person enrollments (单人户施保) of edge households, under the reference policy (补差, 元) and a
region policy (分档, 角)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from jiuzhu.batch.dibao import OUTPUT_SCHEMA, SINGLE_PERSON_SCHEMA, evaluate_dibao_table
from jiuzhu.batch.synthetic import birth_date_for, generate, single_case_requests
from jiuzhu.rules.classify import age_on
from jiuzhu.rules.evaluate import evaluate

N = 10_000
CLASSES = {"A", "B", "C", "D"}
STATUSES = {"dibao", "edge", "ineligible"}


def fen(text: str) -> int:
    return int(Decimal(text) * 100)


def compare(persons, households, policy: str, as_of: date):
    """(mismatches, status counts, class counts, number of single-person enrollments) of batch vs single case."""
    batch = evaluate_dibao_table(persons, households, policy=policy, as_of=as_of)
    assert batch.households.schema == OUTPUT_SCHEMA and batch.single_person.schema == SINGLE_PERSON_SCHEMA
    assert batch.households.num_rows == households.num_rows
    got = {row["household_id"]: row for row in batch.households.to_pylist()}
    singles: dict[int, list] = {}
    for row in batch.single_person.to_pylist():
        singles.setdefault(row["household_id"], []).append((row["person_id"], row["monthly_amount_fen"]))

    mismatches, statuses, classes, enrolled = [], Counter(), Counter(), 0
    for household_id, request in single_case_requests(persons, households, as_of=as_of).items():
        out = evaluate(request, policy)
        expected = (out["status"], out["class"], fen(out["monthly_amount"]),
                    [(int(e["member"][1:]), fen(e["monthly_amount"])) for e in out["single_person_enrollments"]])
        row = got[household_id]
        actual = (row["status"], row["class"], row["monthly_amount_fen"], singles.pop(household_id, []))
        statuses[expected[0]] += 1
        classes[expected[1]] += 1
        enrolled += len(expected[3])
        if expected != actual:
            mismatches.append(f"household {household_id}: single-case {expected} != batch {actual}; "
                              f"pci {out['per_capita_income']}, request {request}")
    assert not singles, f"batch enrolled persons of households the engine did not: {list(singles)[:5]}"
    return mismatches, statuses, classes, enrolled


@pytest.mark.parametrize("policy, as_of", [
    ("reference", date(2026, 6, 30)),
    ("reference", date(2026, 7, 1)),
    ("330127000000", date(2026, 7, 1)),  # 分档 (3 tiers), rounding to 角, edge multiplier 2, standard 1301
    # issue 12 §3.1/§3.2: 5 tiers without a below-standard range; class A (常补) gets the full standard
    ("330127000000", date(2026, 12, 1)),
])
def test_batch_equals_single_case(policy, as_of):
    # given a synthetic population drawn around the policy's limits
    persons, households = generate(N, as_of=as_of, policy=policy, seed=20260630 + as_of.day)
    # when
    mismatches, statuses, classes, enrolled = compare(persons, households, policy, as_of)
    # then
    assert not mismatches, f"{len(mismatches)} of {N} differ; first:\n" + "\n".join(mismatches[:5])
    assert set(statuses) == STATUSES, statuses
    assert CLASSES <= set(classes), classes
    assert min(statuses.values()) > 100 and min(classes[c] for c in CLASSES) > 100, (statuses, classes)
    assert enrolled > 100, f"only {enrolled} single-person enrollments: the test would not exercise them"


def test_single_person_amounts_by_hand():
    # given one edge household (reference, 2026-07-01, standard 1040, edge line 1560): an adult with wage
    # 2500 (counted 2300 after the 200 deduction) and a hearing-disabled member (grade 2) with transfer 100
    persons = pa.table({
        "person_id": pa.array([1, 2], pa.int64()), "household_id": pa.array([10, 10], pa.int64()),
        "role": pa.array([0, 1], pa.int32()), "age": pa.array([40, 45], pa.int32()),
        "wage": pa.array([250_000, 0], pa.int32()), "business": pa.array([0, 0], pa.int32()),
        "property": pa.array([0, 0], pa.int32()), "transfer": pa.array([0, 10_000], pa.int32()),
        "social_insurance": pa.array([0, 0], pa.int32()), "income_tax": pa.array([0, 0], pa.int32()),
        "medical_extra": pa.array([0, 0], pa.int32()), "disability_kind": pa.array(["none", "hearing"]),
        "disability_grade": pa.array([0, 2], pa.int32()), "serious_illness": pa.array([False, False]),
    })
    households = pa.table({
        "household_id": pa.array([10], pa.int64()), "area_type": pa.array(["urban"]),
        "financial": pa.array([0], pa.int32()), "vehicle_count": pa.array([0], pa.int32()),
        "max_vehicle_value": pa.array([0], pa.int32()), "residential_properties": pa.array([1], pa.int32()),
        "business_registered_capital": pa.array([0], pa.int32()),
    })
    # when: pci = (2300 + 100) / 2 = 1200
    out = evaluate_dibao_table(persons, households, policy="reference", as_of=date(2026, 7, 1))
    # then: edge; the disabled member alone: max(1040 − 100, 60) + 0.3 × 1040 = 1252
    assert out.households.to_pylist() == [{"household_id": 10, "status": "edge", "class": None,
                                           "monthly_amount_fen": 0}]
    assert out.single_person.to_pylist() == [{"household_id": 10, "person_id": 2, "monthly_amount_fen": 125_200}]


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


def test_dictionary_encoded_strings_give_the_same_result():
    # given the same population with area_type and disability_kind dictionary-encoded (as read from Parquet)
    as_of = date(2026, 7, 1)
    persons, households = generate(2_000, as_of=as_of, seed=5)
    encoded_p = persons.set_column(persons.schema.get_field_index("disability_kind"), "disability_kind",
                                   persons["disability_kind"].dictionary_encode())
    encoded_h = households.set_column(1, "area_type", households["area_type"].dictionary_encode())
    # when / then
    plain = evaluate_dibao_table(persons, households, policy="reference", as_of=as_of)
    encoded = evaluate_dibao_table(encoded_p, encoded_h, policy="reference", as_of=as_of)
    assert plain.households.equals(encoded.households) and plain.single_person.equals(encoded.single_person)
