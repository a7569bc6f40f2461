"""Ibis backends for the columnar batch path (DuckDB in-process by default)."""

from __future__ import annotations

import ibis


def duckdb_connection(**kwargs):
    """A fresh in-process DuckDB connection (in-memory unless ``database=`` is given).

    DuckDB's progress bar is switched off: it would write to the terminal and mix with CLI output."""
    con = ibis.duckdb.connect(**kwargs)
    con.raw_sql("SET enable_progress_bar = false")
    return con
