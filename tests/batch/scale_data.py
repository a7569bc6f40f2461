"""Tiny partitioned data of the provincial-scale benches (jiuzhu.benchmarks.partitioned)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from jiuzhu.batch import verification as v
from jiuzhu.benchmarks import monitor, verify
from jiuzhu.benchmarks.partitioned import part_files
from jiuzhu.rules.params import load_policy

PARTS = 2


def verify_parts(folder: Path, households: int = 6) -> tuple[list[str], list[str], dict]:
    for i in range(PARTS):
        verify.build_part(i, folder, households=households, per_household=35, seed=5)
    return verify._sources(folder, PARTS)


def verify_terms():
    return v.asset_terms({"reference": load_policy("reference")}, verify.AS_OF)


def monitor_parts(folder: Path, persons: int = 400) -> tuple[list[str], dict, object]:
    from jiuzhu.batch import monitoring as m

    for i in range(PARTS):
        monitor.build_part(i, folder, persons=persons, seed=5)
    snapshots = {code: part_files(folder / "snapshots", code, PARTS) for code in m.USED}
    known = pq.ParquetDataset(part_files(folder, "known", PARTS)).read()
    return part_files(folder, "population", PARTS), snapshots, known
