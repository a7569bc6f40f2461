"""A small synthetic monitoring batch: a population, its seven snapshots (validated like ingestion; the
blind index is the ID itself) and the demo county's terms; event dates spread so every rule fires."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from jiuzhu.batch import ingest
from jiuzhu.batch import monitoring as m
from jiuzhu.batch.datasets import DATASETS
from jiuzhu.batch.synthetic_departments import department_file
from jiuzhu.batch.synthetic_population import synthetic_population
from jiuzhu.rules.monitoring import CATEGORIES, monitor_terms
from jiuzhu.rules.params import load_policy

AS_OF = date(2026, 11, 30)
POLICY = "330127000000"


def small_scan(tmp_path, persons: int = 3000, seed: int = 11):
    pop = synthetic_population(persons, as_of=AS_OF, seed=seed)
    snapshots = {}
    for code in sorted(m.USED):
        ds = DATASETS[code]
        good, _ = ingest.validate(ds, department_file(code, pop, as_of=AS_OF, seed=seed), AS_OF)
        path = tmp_path / f"{code}.parquet"
        ingest.write_parquet(ingest.snapshot_table(ds, good, list), path)
        snapshots[code] = path
    ids = pop.id_number.to_pylist()
    cats = list(CATEGORIES)
    rows = [{"person_id": i + 1, "household_id": i // 3 + 1, "region": f"330127{100 + i % 2:03d}201",
             "bidx": None if i % 41 == 0 else ids[i], "category": cats[(i // 3) % len(cats)], "is_head": i % 3 == 0,
             "earning": (i % 4) * 150_000 if i % 7 else 0, "policy": POLICY} for i in range(persons)]
    population = pa.Table.from_pylist(rows, schema=m.POPULATION_SCHEMA)
    terms = m.terms_table([monitor_terms(load_policy(POLICY), AS_OF, POLICY)])
    return population, snapshots, terms
