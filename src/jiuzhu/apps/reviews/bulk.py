"""Bulk database I/O for recheck generation: read snapshots as Arrow, write Arrow tables back.

PostgreSQL: ``COPY (SELECT …) TO STDOUT`` into Arrow and ``COPY … FROM STDIN`` out of it (psycopg);
SQLite: one SELECT and one ``executemany`` per table. No per-row ORM work: the number of queries
does not grow with the number of rows.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection

from jiuzhu.apps.cases.config import region_configs, settings_snapshot
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.registry.models import Household, Membership
from jiuzhu.batch.review import COVERED_SCHEMA, SETTINGS_SCHEMA, SNAPSHOT_SCHEMA

CHUNK = 20_000  # rows per COPY write (progress is reported per chunk)
LIVE = tuple(Enrollment.LIVE)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _read(sql: str, params: list, schema: pa.Schema) -> pa.Table:
    """Run a SELECT whose columns are ``schema``'s, into Arrow."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor: COPY is not part of the DB-API
            with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)", params) as copy:
                data = b"".join(bytes(chunk) for chunk in copy)
        options = pacsv.ConvertOptions(column_types={f.name: f.type for f in schema}, strings_can_be_null=False,
                                       quoted_strings_can_be_null=False)
        return pacsv.read_csv(io.BytesIO(data), convert_options=options).select(schema.names).cast(schema)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    columns = list(zip(*rows)) if rows else [[] for _ in schema]
    arrays = []
    for field, values in zip(schema, columns):
        if pa.types.is_date(field.type) and any(isinstance(v, str) for v in values):
            arrays.append(pa.array(values, pa.string()).cast(field.type))  # a date column read as text
        else:
            arrays.append(pa.array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def live_enrollments(region_code: str) -> pa.Table:
    """Live enrollments in the region's subtree with whom a recheck names as applicant: the enrolled
    person (tekun, single-person dibao), else the household head, else the first current member."""
    e, h, m = Enrollment._meta.db_table, Household._meta.db_table, Membership._meta.db_table
    low, high = subtree_range(region_code)
    sql = (f"SELECT e.id AS enrollment_id, e.program, e.household_id, "
           f"COALESCE(e.person_id, h.head_id, (SELECT MIN(m.person_id) FROM {_q(m)} m "
           f"WHERE m.household_id = e.household_id AND m.end_date IS NULL)) AS applicant_id, "
           f"e.region_id, e.next_recheck FROM {_q(e)} e JOIN {_q(h)} h ON h.id = e.household_id "
           f"WHERE e.status IN ({', '.join(['%s'] * len(LIVE))}) AND e.region_id BETWEEN %s AND %s")
    return _read(sql, [*LIVE, low, high], SNAPSHOT_SCHEMA)


def covered_enrollments(region_code: str, campaign_id: int | None) -> pa.Table:
    """Enrollments that already have a recheck: an open one, or any in this campaign."""
    c = Case._meta.db_table
    low, high = subtree_range(region_code)
    where, params = "is_open = %s", [True]
    if campaign_id is not None:
        where, params = "(is_open = %s OR campaign_id = %s)", [True, campaign_id]
    sql = (f"SELECT DISTINCT enrollment_id FROM {_q(c)} WHERE kind = %s AND enrollment_id IS NOT NULL "
           f"AND {where} AND region_id BETWEEN %s AND %s")
    return _read(sql, ["recheck", *params, low, high], COVERED_SCHEMA)


def village_settings(region_codes) -> pa.Table:
    """Each village's workflow settings snapshot (JSON), as the single-case path stores it on a case."""
    configs = region_configs(region_codes)
    codes = sorted(configs)
    return pa.table({"region_id": codes,
                     "settings": [json.dumps(settings_snapshot(configs[c].settings)) for c in codes]},
                    schema=SETTINGS_SCHEMA)


def reserve_case_ids(n: int) -> list[int]:
    """``n`` new case ids, in ascending order (inside the writing transaction)."""
    if n == 0:
        return []
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return sorted(r[0] for r in cursor.fetchall())
        # SQLite: the caller's transaction already holds the write lock, so nobody takes these meanwhile.
        cursor.execute(f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                       f"COALESCE((SELECT MAX(id) FROM {_q(table)}), 0))", [table])
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + n))


def write(model, table: pa.Table, progress: Callable[[int], None] | None = None) -> int:
    """Insert every row of ``table`` (columns named as the model's database columns)."""
    if table.num_rows == 0:
        return 0
    columns = ", ".join(_q(name) for name in table.column_names)
    target = _q(model._meta.db_table)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                for start in range(0, table.num_rows, CHUNK):
                    part = table.slice(start, CHUNK)
                    buffer = io.BytesIO()
                    pacsv.write_csv(part, buffer, pacsv.WriteOptions(include_header=False))
                    copy.write(buffer.getvalue())
                    if progress:
                        progress(part.num_rows)
        return table.num_rows
    placeholders = ", ".join(["%s"] * table.num_columns)
    with connection.cursor() as cursor:
        for start in range(0, table.num_rows, CHUNK):
            part = table.slice(start, CHUNK)
            cursor.executemany(f"INSERT INTO {target} ({columns}) VALUES ({placeholders})",
                               list(zip(*(part.column(i).to_pylist() for i in range(part.num_columns)))))
            if progress:
                progress(part.num_rows)
    return table.num_rows


def db_time(value) -> str:
    """A timezone-aware datetime as the text each database stores for a DateTimeField."""
    if connection.vendor == "postgresql":
        return value.isoformat()
    return str(connection.ops.adapt_datetimefield_value(value))
