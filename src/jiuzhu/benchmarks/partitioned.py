"""Partitioned synthetic data for the provincial-scale benches (``verify``, ``monitor``; issue 19).

The population is cut into parts of a fixed number of persons. Part ``i`` holds persons
``i·chunk … (i+1)·chunk − 1`` (unique ID numbers through the population's offset), their blind indexes,
one Parquet file per department dataset (``<dataset>/part-iiiii.parquet``) and whatever case tables the
bench adds for the same persons (``<table>/part-iiiii.parquet``). Parts are written one at a time by a
pool of worker processes, each file first under a temporary name: the whole population (35 million
persons, 530 million rows) never sits in memory, and an interrupted generation resumes where it stopped.

A size of ``k`` parts is the first ``k`` parts of the same files, so one generation serves every point
of a curve (10 000 households = 1 part of the verification data, 1 000 000 = 100 parts).
"""

from __future__ import annotations

import json
import multiprocessing
import time
from datetime import date
from pathlib import Path

import numpy as np


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def blind_index(numbers, key: bytes):
    import pyarrow as pa

    from jiuzhu.core.crypto import KeyRing

    ring = KeyRing("b", {"b": bytes(16)}, key)
    return pa.array(ring.blind_index_many(numbers.to_pylist(), purpose="id_number"), pa.string())


def population_part(index: int, chunk: int, *, as_of: date, seed: int, key: bytes):
    """Part ``index`` of the population with its blind indexes (raw ID numbers and names dropped)."""
    from jiuzhu.batch.synthetic_population import synthetic_population

    pop = synthetic_population(chunk, as_of=as_of, seed=seed * 1_000_003 + index, offset=index * chunk)
    pop.bidx = blind_index(pop.id_number, key)
    pop.id_number = pop.name = None
    return pop


def write_table(table, path: Path) -> None:
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=1 << 20)
    tmp.replace(path)


def write_snapshot_parts(codes, pop, folder: Path, index: int, *, as_of: date, seed: int) -> int:
    """One Parquet file per dataset for this part's persons; row numbers unique over all parts
    (part index × 10⁹ + row in part). Returns the rows written."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from jiuzhu.batch.datasets import DATASETS
    from jiuzhu.batch.ingest import snapshot_schema
    from jiuzhu.batch.synthetic_departments import typed_rows

    rows = 0
    for code in sorted(codes):
        ds, schema = DATASETS[code], snapshot_schema(DATASETS[code])
        person, cols = typed_rows(code, pop, as_of=as_of, seed=seed * 100_003 + index)
        n = len(person)
        arrays = [pop.bidx.take(pa.array(person)),
                  pa.array(np.arange(index * 10**9 + 1, index * 10**9 + n + 1, dtype=np.int64))]
        arrays += [pc.cast(cols[c.name], f.type) for c, f in zip(ds.value_columns, list(schema)[2:])]
        write_table(pa.Table.from_arrays(arrays, schema=schema), folder / code / part_name(index))
        rows += n
    return rows


def _one(job):
    """Worker: write part ``index`` with ``builder(index, folder)`` unless its meta file exists."""
    builder, index, folder = job
    done = Path(folder) / "parts" / f"{index:05d}.json"
    if done.exists():
        return json.loads(done.read_text())
    started = time.process_time()
    meta = builder(index, Path(folder))
    meta["cpu_seconds"] = round(time.process_time() - started, 2)
    done.parent.mkdir(parents=True, exist_ok=True)
    done.write_text(json.dumps(meta))
    return meta


def generate(builder, parts: int, folder: Path, *, workers: int = 1) -> dict:
    """Write parts ``0 … parts−1`` with ``builder(index, folder) → dict of counts`` (a module-level
    function, run in ``workers`` spawned processes); returns the counts summed over the parts."""
    started = time.perf_counter()
    jobs = [(builder, i, str(folder)) for i in range(parts)]
    if workers <= 1:
        metas = [_one(job) for job in jobs]
    else:
        with multiprocessing.get_context("spawn").Pool(workers, maxtasksperchild=4) as pool:
            metas = pool.map(_one, jobs, chunksize=1)
    total: dict = {}
    for meta in metas:
        for key, value in meta.items():
            total[key] = round(total.get(key, 0) + value, 2)
    total["wall_seconds"] = round(time.perf_counter() - started, 1)
    return total


def part_files(folder: Path, table: str, parts: int) -> list[str]:
    return [str(folder / table / part_name(i)) for i in range(parts)]


def parts_done(folder: Path) -> int:
    """How many consecutive parts from 0 are complete."""
    i = 0
    while (folder / "parts" / f"{i:05d}.json").exists():
        i += 1
    return i


def summed(folder: Path, parts: int) -> dict:
    total: dict = {}
    for i in range(parts):
        for key, value in json.loads((folder / "parts" / f"{i:05d}.json").read_text()).items():
            total[key] = round(total.get(key, 0) + value, 2)
    return total
