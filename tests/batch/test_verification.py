"""The columnar verification pieces without the database: ID validation, periods, bulk blind index,
synthetic volumes, determinism and the asset test against the single-case rules engine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from jiuzhu.batch import ingest
from jiuzhu.batch import verification as v
from jiuzhu.batch.datasets import DATASETS, check_columns, period_window
from jiuzhu.batch.synthetic_departments import department_file
from jiuzhu.batch.synthetic_population import synthetic_population
from jiuzhu.rules import idcard
from jiuzhu.rules.assets import asset_failures
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.model import Assets, Vehicle
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.terms import terms_for

from .verification_data import AS_OF, small_batch


def test_columnar_id_check_agrees_with_idcard_parse():
    rng = np.random.default_rng(1)
    valid = synthetic_population(400, as_of=AS_OF, seed=2).id_number.to_pylist()
    samples = []
    for number in valid:
        kind = rng.integers(0, 6)
        if kind == 1:
            number = number[:17] + ("0" if number[17] != "0" else "1")
        elif kind == 2:
            number = "99" + number[2:]
        elif kind == 3:
            number = number[:10] + "1399" + number[14:]
        elif kind == 4:
            number = number[:5]
        samples.append(number)
    samples += ["", "11010119900307451X", "110101203001010011"]
    problems = ingest.id_problems(ingest.normalize_ids(pa.array(samples)), AS_OF).to_pylist()
    for number, problem in zip(samples, problems):
        try:
            idcard.parse(number, as_of=AS_OF)
            expected = None
        except ValidationFailed:
            expected = "invalid"
        assert (problem is None) == (expected is None), (number, problem)


def test_period_window():
    assert period_window(date(2026, 11, 30), 12) == (date(2025, 12, 1), date(2026, 11, 30))
    assert period_window(date(2026, 1, 15), 1) == (date(2026, 1, 1), date(2026, 1, 15))
    assert period_window(date(2026, 3, 1), 6) == (date(2025, 10, 1), date(2026, 3, 1))


@pytest.mark.django_db
def test_bulk_blind_index_equals_single():
    from jiuzhu.core.crypto import keyring

    values = ["110101199003074514", "11010119900307451X", "x"]
    assert keyring().blind_index_many(values, purpose="id_number") == [
        keyring().blind_index(x, purpose="id_number") for x in values]


def test_header_names_or_chinese_labels_case_insensitive():
    ds = DATASETS["vehicle"]
    check = check_columns(ds, [" ID_NUMBER ", "姓名", "号牌号码", "vehicle_type", "登记日期", "评估价值"])
    assert check.ok and check.mapping[" ID_NUMBER "] == "id_number"


def test_synthetic_volumes_and_bad_rows():
    pop = synthetic_population(3000, as_of=AS_OF, seed=3)
    total = 0
    for code, ds in DATASETS.items():
        table = department_file(code, pop, as_of=AS_OF, seed=3, bad_share=0.02, invalid_id_share=0.01)
        good, rejects = ingest.validate(ds, table, AS_OF)
        total += table.num_rows
        assert good.num_rows + rejects.num_rows == table.num_rows
        assert table.num_rows / len(pop) == pytest.approx(ds.rows_per_person, rel=0.4), code
        if table.num_rows > 2000:
            assert 0.015 < rejects.num_rows / table.num_rows < 0.05, code
    assert 12 < total / len(pop) < 20


def test_same_inputs_same_tables_whatever_the_row_order(tmp_path):
    persons, households, snapshots, terms = small_batch(tmp_path)
    first = v.run(persons, households, snapshots, as_of=AS_OF, terms=terms)
    order = np.random.default_rng(0).permutation(persons.num_rows)
    shuffled = households.take(pa.array(np.random.default_rng(1).permutation(households.num_rows)))
    second = v.run(persons.take(pa.array(order)), shuffled, snapshots, as_of=AS_OF, terms=terms)
    for name in ("items", "persons", "households"):
        assert getattr(first, name).equals(getattr(second, name)), name
    assert first.items.num_rows > 200
    # persons without a blind index are listed as not verifiable, never dropped
    p = first.persons.to_pylist()
    assert len(p) == persons.num_rows and sum(not r["verifiable"] for r in p) == persons.column("bidx").null_count


def test_asset_flags_equal_rules_engine(tmp_path):
    persons, households, snapshots, terms = small_batch(tmp_path, households=80, seed=9)
    result = v.run(persons, households, snapshots, as_of=AS_OF, terms=terms)
    vehicles = {}
    for r in result.items.to_pylist():
        if r["role"] == "member" and r["item"] == "vehicle" and r["counted"]:
            vehicles.setdefault(r["case_id"], []).append(r["amount_fen"])
    policy = load_policy("reference")
    failing = 0
    for h in result.households.to_pylist():
        assets = Assets(financial=Decimal(h["v_financial"]) / 100,
                        vehicles=tuple(Vehicle("car", Decimal(x) / 100) for x in vehicles.get(h["case_id"], [])),
                        residential_properties=h["v_residential"],
                        business_registered_capital=Decimal(h["v_business_capital"]) / 100)
        codes = asset_failures(assets, h["size"], terms_for(policy, AS_OF, h["area_type"]))
        flags = {"AST_FINANCIAL": h["ast_financial"], "AST_VEHICLE": h["ast_vehicle"],
                 "AST_PROPERTY": h["ast_property"], "AST_BUSINESS": h["ast_business"]}
        assert sorted(c for c, on in flags.items() if on) == sorted(codes), h["case_id"]
        failing += bool(codes)
    assert 0 < failing < len(result.households)
