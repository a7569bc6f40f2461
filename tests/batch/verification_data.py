"""A small synthetic batch for the verification job: a population, its department snapshots
(validated like ingestion; the blind index is the ID itself, no keys needed) and cases."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from jiuzhu.batch import ingest
from jiuzhu.batch import verification as v
from jiuzhu.batch.datasets import DATASETS
from jiuzhu.batch.synthetic_departments import department_file
from jiuzhu.batch.synthetic_population import synthetic_population
from jiuzhu.rules.params import load_policy

AS_OF = date(2026, 11, 30)


def identity(values):
    return list(values)


def small_batch(tmp_path, households: int = 60, seed: int = 5):
    pop = synthetic_population(households * 6, as_of=AS_OF, seed=seed)
    snapshots = {}
    for code, ds in DATASETS.items():
        good, _ = ingest.validate(ds, department_file(code, pop, as_of=AS_OF, seed=seed), AS_OF)
        path = tmp_path / f"{code}.parquet"
        ingest.write_parquet(ingest.snapshot_table(ds, good, identity), path)
        snapshots[code] = path
    ids = pop.id_number.to_pylist()
    persons, hh = [], []
    for h in range(households):
        size = 1 + h % 3
        for k in range(size + 1):
            i = h * 4 + k
            role = "member" if k < size else "obligor"
            persons.append({"case_id": 1000 + h, "household_id": h + 1, "role": role, "ref_id": i + 1,
                            "bidx": None if i % 37 == 0 else ids[i], "wage": (h % 5) * 50_000, "business": 0,
                            "property": 0, "transfer": 0})
        hh.append({"case_id": 1000 + h, "household_id": h + 1, "area_type": ("urban", "rural")[h % 2],
                   "policy": "reference", "size": size, "financial": (h % 4) * 1_000_000, "vehicle_count": h % 2,
                   "max_vehicle_value": (h % 2) * 3_000_000, "residential_properties": 1, "business_capital": 0})
    terms = v.asset_terms({"reference": load_policy("reference")}, AS_OF)
    return (pa.Table.from_pylist(persons, schema=v.PERSONS_SCHEMA), pa.Table.from_pylist(hh, schema=v.HOUSEHOLDS_SCHEMA),
            snapshots, terms)
