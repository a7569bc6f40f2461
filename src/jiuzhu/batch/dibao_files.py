"""Columnar dibao straight from the Parquet files of spec/interfaces.md "Columnar rules input".

DuckDB reads the two files itself (only the columns used, decoded in parallel, never handed over
as Arrow tables) and runs the same compiled queries as :func:`.dibao.evaluate_dibao_table`, so the
results are identical; the outputs can go straight to Parquet files.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pyarrow.parquet as pq

from jiuzhu.rules.params import Policy

from .dibao import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, DibaoTables, run_compiled
from .engines import duckdb_connection

_VIEWS = (("jz_persons", PERSON_COLUMNS), ("jz_households", HOUSEHOLD_COLUMNS))


def check_columns(persons_path: str, households_path: str) -> int:
    """The number of households; ValueError naming the file and the columns it lacks."""
    for path, columns in ((persons_path, PERSON_COLUMNS), (households_path, HOUSEHOLD_COLUMNS)):
        missing = [c for c in columns if c not in pq.read_schema(path).names]
        if missing:
            raise ValueError(f"{path} lacks columns: {', '.join(missing)}")
    return pq.ParquetFile(households_path).metadata.num_rows


def evaluate_dibao_files(persons_path: str, households_path: str, *, policy: str | Policy, as_of: date,
                         out: str | None = None, out_single: str | None = None, con=None) -> DibaoTables:
    """:func:`.dibao.evaluate_dibao_table` over two Parquet files; writes the household decisions to
    ``out`` and the single-person enrollments to ``out_single`` when given. Same errors."""
    households = check_columns(persons_path, households_path)
    raw = (con if con is not None else duckdb_connection()).con
    for (name, columns), path in zip(_VIEWS, (persons_path, households_path), strict=True):
        raw.read_parquet(str(path)).select(*columns).create_view(name, replace=True)
    # the household decisions are written on another thread while DuckDB computes the enrollments
    # (pyarrow's writer and DuckDB both release the GIL)
    with ThreadPoolExecutor(max_workers=1) as writer:
        written = []
        try:
            tables = run_compiled(raw, policy=policy, as_of=as_of, households=households,
                                  on_households=(lambda t: written.append(writer.submit(pq.write_table, t, out)))
                                  if out else None)
        finally:
            for name, _ in _VIEWS:
                raw.execute(f"DROP VIEW IF EXISTS {name}")
        for future in written:
            future.result()
    if out_single:
        pq.write_table(tables.single_person, out_single)
    return tables


__all__ = ["check_columns", "evaluate_dibao_files"]
