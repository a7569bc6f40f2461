"""Columnar batch jobs: pure frame transforms (Ibis over DuckDB), integer fen money."""
