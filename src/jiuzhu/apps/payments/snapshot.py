"""Moving payroll data between the database and Arrow in bulk, on the caller's connection and
transaction: PostgreSQL with ``COPY … TO STDOUT`` / ``COPY … FROM STDIN`` (CSV), SQLite with one
cursor fetch or ``executemany``. No model instances, no per-row ORM work.

Money leaves the database as integer fen (exact: NUMERIC × 100 on PostgreSQL; SQLite stores decimals
with numeric affinity, and ``ROUND(x * 100)`` recovers the fen of any amount below 2⁵³ fen).
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection

from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange
from jiuzhu.apps.registry.models import Household, Person
from jiuzhu.batch.payroll import (
    CARRY_SCHEMA,
    CHANGES_SCHEMA,
    ENROLLMENT_SCHEMA,
    TAKEN_SCHEMA,
)

from .models import PaymentLine

LINE = PaymentLine._meta.db_table
ENR = Enrollment._meta.db_table
CHG = EnrollmentChange._meta.db_table
HH = Household._meta.db_table
PERSON = Person._meta.db_table
COPY_CHUNK = 1 << 20
HAS_ACCOUNT = "h.bank_account_enc <> ''"

BANK_ROWS_SCHEMA = pa.schema([
    ("line_id", pa.int64()), ("amount_fen", pa.int64()), ("region", pa.string()), ("month", pa.date32()),
    ("program", pa.string()), ("carried", pa.bool_()), ("payee", pa.string()), ("account_enc", pa.string()),
    ("account_masked", pa.string()), ("bank_name", pa.string()),
])


def _pg() -> bool:  # COPY goes through the raw psycopg cursor: errors are wrapped into Django's by hand
    return connection.vendor == "postgresql"


def _fen(column: str) -> str:
    return f"({column} * 100)::bigint" if _pg() else f"CAST(ROUND({column} * 100) AS INTEGER)"


def _flag(condition: str) -> str:
    return f"({condition})" if _pg() else f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def read_table(sql: str, params: tuple, schema: pa.Schema) -> pa.Table:
    """Run ``sql`` (columns in ``schema`` order) and return its rows as an Arrow table."""
    with connection.cursor() as cur:
        if _pg():
            buf = io.BytesIO()
            statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
            with connection.wrap_database_errors, cur.cursor.copy(statement, params) as copy:
                for chunk in copy:
                    buf.write(chunk)
            if not buf.tell():
                return schema.empty_table()
            buf.seek(0)
            return pacsv.read_csv(
                buf, read_options=pacsv.ReadOptions(column_names=schema.names, block_size=1 << 24),
                convert_options=pacsv.ConvertOptions(column_types=schema, true_values=["t"], false_values=["f"]))
        cur.execute(sql, params)
        rows = cur.fetchall()
    columns = list(zip(*rows)) if rows else [[] for _ in schema]
    arrays = []
    for field, values in zip(schema, columns):
        if pa.types.is_date32(field.type):
            arrays.append(pa.array(values, pa.string()).cast(pa.date32()) if values and isinstance(
                next((v for v in values if v is not None), None), str) else pa.array(values, pa.date32()))
        elif pa.types.is_boolean(field.type):
            arrays.append(pa.array(values, pa.int8()).cast(pa.bool_()))
        else:
            arrays.append(pa.array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def read_enrollments(low: str, high: str, month: date | None = None) -> pa.Table:
    """Enrollments whose region is in [low, high], as ENROLLMENT_SCHEMA: the payable ones (active or
    graduating) and, with ``month``, any other that has a change effective after ``month`` (a May
    payroll still pays an enrollment stopped or suspended from June)."""
    sql = (f"SELECT e.id, e.program, e.household_id, e.region_id, e.klass, {_fen('e.amount')}, e.persons, "
           f"e.start_month, e.status, e.graduating_until, e.stopped_month, {_flag(HAS_ACCOUNT)} "
           f"FROM {ENR} e JOIN {HH} h ON h.id = e.household_id "
           "WHERE e.region_id >= %s AND e.region_id <= %s AND (e.status IN ('active', 'graduating')")
    params: tuple = (low, high)
    if month is not None:
        sql += f" OR e.id IN (SELECT c.enrollment_id FROM {CHG} c WHERE c.effective_month > %s)"
        params += (month,)
    return read_table(sql + ")", params, ENROLLMENT_SCHEMA)


def read_changes(low: str, high: str, month: date) -> pa.Table:
    """The changes effective after ``month`` of the enrollments whose region is in [low, high], as
    CHANGES_SCHEMA: their old values are the terms in force in ``month`` (batch.payroll.in_force)."""
    sql = (f"SELECT c.enrollment_id, c.id, c.effective_month, c.old_status, {_fen('c.old_amount')}, c.old_class "
           f"FROM {CHG} c JOIN {ENR} e ON e.id = c.enrollment_id "
           "WHERE c.effective_month > %s AND e.region_id >= %s AND e.region_id <= %s")
    return read_table(sql, (month, low, high), CHANGES_SCHEMA)


def read_taken(low: str, high: str, month: date) -> pa.Table:
    """Enrollments of the region (by their current region) that have a line for ``month``, any status."""
    sql = (f"SELECT DISTINCT l.enrollment_id FROM {LINE} l JOIN {ENR} e ON e.id = l.enrollment_id "
           "WHERE l.status IN ('pending', 'paid', 'failed') AND l.month = %s "
           "AND e.region_id >= %s AND e.region_id <= %s")
    return read_table(sql, (month, low, high), TAKEN_SCHEMA)


def read_carry(low: str, high: str, month: date) -> pa.Table:
    """Failed lines up to ``month`` of the region's enrollments, not carried yet, whose month holds no
    other live line: the lines to carry into the next batch."""
    sql = (f"SELECT l.id, l.enrollment_id, l.household_id, e.region_id, l.month, l.program, l.klass, l.persons, "
           f"{_fen('l.amount')}, {_flag(HAS_ACCOUNT)} "
           f"FROM {LINE} l JOIN {ENR} e ON e.id = l.enrollment_id JOIN {HH} h ON h.id = l.household_id "
           "WHERE l.status = 'failed' AND l.month <= %s AND e.region_id >= %s AND e.region_id <= %s "
           f"AND NOT EXISTS (SELECT 1 FROM {LINE} c WHERE c.carried_from_id = l.id) "
           f"AND NOT EXISTS (SELECT 1 FROM {LINE} o WHERE o.enrollment_id = l.enrollment_id "
           "AND o.month = l.month AND o.status <> 'failed')")
    return read_table(sql, (month, low, high), CARRY_SCHEMA)


def read_bank_rows(batch_id: int) -> pa.Table:
    """The batch's lines in line-id order with what the bank file needs (account still encrypted).
    The payee is the person of a single-person enrollment, otherwise the household head; the few
    single-person payees are read apart and patched in, sparing the big query two joins."""
    sql = (f"SELECT l.id, {_fen('l.amount')}, l.region_id, l.month, l.program, "
           f"{_flag('l.carried_from_id IS NOT NULL')}, h.head_name, h.bank_account_enc, h.bank_account_masked, "
           f"h.bank_name, l.enrollment_id FROM {LINE} l JOIN {HH} h ON h.id = l.household_id "
           "WHERE l.batch_id = %s")
    rows = read_table(sql, (batch_id,), BANK_ROWS_SCHEMA.append(pa.field("enrollment_id", pa.int64())))
    # sorted here, not by the database: a million wide rows would be sorted on disk at the default work_mem
    rows = rows.take(pc.sort_indices(rows.column("line_id")))
    persons = read_table(
        f"SELECT e.id, p.name FROM {LINE} l JOIN {ENR} e ON e.id = l.enrollment_id "
        f"JOIN {PERSON} p ON p.id = e.person_id WHERE l.batch_id = %s AND e.person_id IS NOT NULL",
        (batch_id,), pa.schema([("enrollment_id", pa.int64()), ("name", pa.string())]))
    payee = rows.column("payee")
    if persons.num_rows:
        at = pc.index_in(rows.column("enrollment_id"), value_set=persons.column("enrollment_id"))
        payee = pc.coalesce(pc.take(persons.column("name"), at), payee)
    return rows.set_column(rows.schema.get_field_index("payee"), "payee", payee).select(BANK_ROWS_SCHEMA.names)


def fen_to_decimal_array(fen) -> pa.Array:
    """Integer fen → decimal128(18, 2) yuan, exactly (the fen are the decimal's unscaled value)."""
    values = np.asarray(fen, dtype=np.int64)
    high = np.where(values < 0, -1, 0).astype(np.int64)
    buf = np.column_stack([values, high]).ravel()
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(values), [None, pa.py_buffer(buf.tobytes())])


LINE_COLUMNS = ("batch_id", "enrollment_id", "household_id", "region_id", "month", "program", "klass", "persons",
                "amount", "status", "result_code", "result_message", "carried_from_id", "case_id", "reference")


def write_lines(batch_id: int, lines: pa.Table, progress=None) -> int:
    """Insert the lines (batch.payroll.LINES_SCHEMA, optionally with ``case_id`` and ``reference``) as pending lines of ``batch_id``. Returns the count."""
    n = lines.num_rows
    if not n:
        return 0
    amount = fen_to_decimal_array(lines.column("amount_fen").to_numpy())
    table = pa.table({
        "batch_id": pa.array(np.full(n, batch_id, dtype=np.int64)),
        "enrollment_id": lines.column("enrollment_id"), "household_id": lines.column("household_id"),
        "region_id": lines.column("region"), "month": lines.column("month"), "program": lines.column("program"),
        "klass": lines.column("klass"), "persons": lines.column("persons"), "amount": amount,
        "status": pa.repeat("pending", n),
        "result_code": pa.repeat("", n), "result_message": pa.repeat("", n),
        "carried_from_id": lines.column("carried_from"),
        # a case's payment (case_lines.py); an enrollment's line has neither
        "case_id": lines.column("case_id") if "case_id" in lines.column_names else pa.nulls(n, pa.int64()),
        "reference": lines.column("reference") if "reference" in lines.column_names else pa.repeat("", n),
    })
    columns = ", ".join(LINE_COLUMNS)
    with connection.cursor() as cur:
        if _pg():
            buf = io.BytesIO()
            pacsv.write_csv(table, buf, write_options=pacsv.WriteOptions(include_header=False, batch_size=65536))
            data = buf.getbuffer()
            statement = f"COPY {LINE} ({columns}) FROM STDIN (FORMAT csv)"
            with connection.wrap_database_errors, cur.cursor.copy(statement) as copy:
                for start in range(0, len(data), COPY_CHUNK):
                    copy.write(data[start:start + COPY_CHUNK])
                    if progress:
                        progress(min(len(data), start + COPY_CHUNK) * n // len(data))
            return n
        rows = _sqlite_rows(table)
        step = 20000
        sql = f"INSERT INTO {LINE} ({columns}) VALUES ({', '.join(['%s'] * len(LINE_COLUMNS))})"
        for start in range(0, n, step):
            cur.executemany(sql, rows[start:start + step])
            if progress:
                progress(min(n, start + step))
    return n


def _sqlite_rows(table: pa.Table) -> list[tuple]:
    cols = []
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_decimal(col.type):
            cols.append([str(v) for v in col.to_pylist()])
        elif pa.types.is_date32(col.type):
            cols.append([v.isoformat() for v in col.to_pylist()])
        else:
            cols.append(col.to_pylist())
    return list(zip(*cols))


def mark_results(batch_id: int, failed: list[tuple[int, str, str]]) -> tuple[int, int]:
    """Apply a checked result file: the listed lines become failed (with the bank's code and message),
    every other pending line of the batch paid. Returns (paid, failed)."""
    with connection.cursor() as cur:
        if failed and _pg():
            cur.execute("CREATE TEMP TABLE jz_failed_lines (id bigint PRIMARY KEY, code text, message text) "
                        "ON COMMIT DROP")
            statement = "COPY jz_failed_lines (id, code, message) FROM STDIN"
            with connection.wrap_database_errors, cur.cursor.copy(statement) as copy:
                for row in failed:
                    copy.write_row(row)
            cur.execute(f"UPDATE {LINE} l SET status = 'failed', result_code = f.code, result_message = f.message "
                        "FROM jz_failed_lines f WHERE l.id = f.id AND l.batch_id = %s AND l.status = 'pending'",
                        (batch_id,))
            n_failed = cur.rowcount
            cur.execute("DROP TABLE jz_failed_lines")
        elif failed:
            cur.executemany(f"UPDATE {LINE} SET status = 'failed', result_code = %s, result_message = %s "
                            "WHERE id = %s AND batch_id = %s AND status = 'pending'",
                            [(code, message, line_id, batch_id) for line_id, code, message in failed])
            n_failed = len(failed)
        else:
            n_failed = 0
        cur.execute(f"UPDATE {LINE} SET status = 'paid' WHERE batch_id = %s AND status = 'pending'", (batch_id,))
        return cur.rowcount, n_failed
