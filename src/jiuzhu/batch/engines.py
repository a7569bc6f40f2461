"""Ibis backends for the columnar batch path (DuckDB in-process by default)."""

from __future__ import annotations

import ibis


def duckdb_connection(*, memory_limit: str | None = None, temp_directory: str | None = None,
                      threads: int | None = None, **kwargs):
    """A fresh in-process DuckDB connection (in-memory unless ``database=`` is given).

    DuckDB's progress bar is switched off: it would write to the terminal and mix with CLI output.
    ``memory_limit`` (e.g. ``"12GB"``) caps DuckDB's buffer pool; joins, aggregates and sorts larger than
    it spill to ``temp_directory`` — the out-of-core mode of the provincial-scale jobs (docs/scaling.md).
    Insertion order is then not kept unless a query sorts: it lets large writes stream."""
    con = ibis.duckdb.connect(**kwargs)
    con.raw_sql("SET enable_progress_bar = false")
    if memory_limit:
        con.raw_sql(f"SET memory_limit = '{_checked(memory_limit)}'")
        con.raw_sql("SET preserve_insertion_order = false")
    if temp_directory:
        con.raw_sql(f"SET temp_directory = '{_checked(temp_directory)}'")
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


def _checked(value: str) -> str:
    if "'" in value:
        raise ValueError(f"invalid DuckDB setting {value!r}")
    return value


ENGINES = ("duckdb", "pyspark")


def pyspark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def pyspark_connection(**conf):
    """Ibis over a local-mode Spark session (``pip install .[spark]``; Java 17 on the machine).

    Two cores, small shuffles: the batch jobs hand Spark tens of thousands of households, not a
    cluster's worth, so the default 200 shuffle partitions would only add scheduling overhead.
    A province's cluster is named by the environment (docs/scaling.md): ``JIUZHU_SPARK_MASTER``
    (e.g. ``spark://host:7077``), ``JIUZHU_SPARK_DRIVER_MEMORY``, ``JIUZHU_SPARK_SHUFFLE_PARTITIONS``;
    arguments given here take precedence."""
    import os

    from pyspark.sql import SparkSession

    env = os.environ.get
    builder = (SparkSession.builder.master(conf.pop("master", env("JIUZHU_SPARK_MASTER") or "local[2]"))
               .appName("jiuzhu")
               .config("spark.sql.shuffle.partitions",
                       str(conf.pop("partitions", env("JIUZHU_SPARK_SHUFFLE_PARTITIONS") or 4)))
               .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", conf.pop("memory", env("JIUZHU_SPARK_DRIVER_MEMORY") or "2g")))
    for key, value in conf.items():
        builder = builder.config(key, value)
    return ibis.pyspark.connect(builder.getOrCreate())


def connect(engine: str = "duckdb", **settings):
    """An Ibis backend by name: ``duckdb`` (default, in-process) or ``pyspark`` (local mode), with the
    engine's settings (DuckDB: ``memory_limit``, ``temp_directory``, ``threads``; Spark: see
    :func:`pyspark_connection`)."""
    if engine == "duckdb":
        return duckdb_connection(**settings)
    if engine == "pyspark":
        if not pyspark_available():
            raise RuntimeError("PySpark 未安装：请运行 pip install .[spark]")
        return pyspark_connection(**settings)
    raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
