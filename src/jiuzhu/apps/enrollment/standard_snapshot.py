"""A columnar snapshot of the live enrollments of a region and their household facts, as Arrow tables.

No ORM objects per row: one SQL statement per table, read with COPY on PostgreSQL (CSV stream parsed
by pyarrow) and with a cursor on SQLite; ages, fen amounts and flags are derived with Arrow compute.
The facts are the registry's (declared incomes, household assets, open co-resident memberships), the
same the case proposal starts from (apps/programs/proposal.rules_request).
"""

from __future__ import annotations

import io
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection

from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.batch.standard import ENROLLMENT_SCHEMA

from .models import Enrollment

LIVE = Enrollment.LIVE
PROGRAMS = ("dibao", "tekun")


def _fen(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def _sql() -> dict[str, str]:
    e, h = Enrollment._meta.db_table, Household._meta.db_table
    m, p = Membership._meta.db_table, Person._meta.db_table
    live = ", ".join(f"'{s}'" for s in LIVE)
    programs = ", ".join(f"'{s}'" for s in PROGRAMS)
    where = f"e.region_id BETWEEN %s AND %s AND e.status IN ({live}) AND e.program IN ({programs})"
    return {
        "enrollments": (
            f"SELECT e.id, e.version, e.program, e.household_id, e.person_id, e.region_id, h.area_type, e.status, "
            f"e.klass, {_fen('e.amount')}, e.persons, h.head_name FROM {e} e JOIN {h} h ON h.id = e.household_id "
            f"WHERE {where} ORDER BY e.id"),
        "households": (
            f"SELECT h.id, h.area_type, {_fen('h.financial_assets')}, h.vehicle_count, {_fen('h.max_vehicle_value')}, "
            f"h.residential_properties, {_fen('h.business_capital')} FROM {h} h WHERE h.id IN "
            f"(SELECT e.household_id FROM {e} e WHERE {where} AND e.program = 'dibao') ORDER BY h.id"),
        "persons": (
            f"SELECT p.id, m.household_id, p.birth_date, {_fen('p.wage')}, {_fen('p.business')}, "
            f"{_fen('p.property_income')}, {_fen('p.transfer')}, p.disability_kind, p.disability_grade, p.health "
            f"FROM {m} m JOIN {p} p ON p.id = m.person_id WHERE m.end_date IS NULL AND m.co_resident = %s AND "
            f"m.household_id IN (SELECT e.household_id FROM {e} e WHERE {where} AND e.program = 'dibao') "
            f"ORDER BY m.household_id, m.id"),
    }


_RAW = {
    "current": [("enrollment_id", pa.int64()), ("version", pa.int64()), ("status", pa.string()),
                ("amount_fen", pa.int64())],
    "enrollments": [("enrollment_id", pa.int64()), ("version", pa.int64()), ("program", pa.string()),
                    ("household_id", pa.int64()), ("person_id", pa.int64()), ("village", pa.string()),
                    ("area_type", pa.string()), ("status", pa.string()), ("klass", pa.string()),
                    ("amount_fen", pa.int64()), ("persons", pa.int64()), ("head_name", pa.string())],
    "households": [("household_id", pa.int64()), ("area_type", pa.string()), ("financial", pa.int64()),
                   ("vehicle_count", pa.int32()), ("max_vehicle_value", pa.int64()),
                   ("residential_properties", pa.int32()), ("business_registered_capital", pa.int64())],
    "persons": [("person_id", pa.int64()), ("household_id", pa.int64()), ("birth_date", pa.date32()),
                ("wage", pa.int64()), ("business", pa.int64()), ("property", pa.int64()), ("transfer", pa.int64()),
                ("disability_kind", pa.string()), ("disability_grade", pa.int32()), ("health", pa.string())],
}


def _read(name: str, sql: str, params: list, fields: list | None = None) -> pa.Table:
    fields = fields or _RAW[name]
    schema = pa.schema(fields)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            query = cur.cursor.mogrify(sql, params)
            buf = io.BytesIO()
            with cur.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                for chunk in copy:
                    buf.write(chunk)
        buf.seek(0)
        if not buf.getbuffer().nbytes:
            return schema.empty_table()
        opts = pacsv.ConvertOptions(column_types=schema, strings_can_be_null=False,
                                    null_values=[""], quoted_strings_can_be_null=False)
        return pacsv.read_csv(buf, read_options=pacsv.ReadOptions(column_names=schema.names),
                              convert_options=opts)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    columns = list(zip(*rows)) if rows else [[] for _ in schema]
    arrays = []
    for (_field, typ), values in zip(fields, columns):
        if typ == pa.date32():
            arrays.append(pc.strptime(pa.array(values, pa.string()), "%Y-%m-%d", "s").cast(pa.date32())
                          if values and isinstance(values[0], str) else pa.array(values, typ))
        else:
            arrays.append(pa.array(values, typ))
    return pa.Table.from_arrays(arrays, schema=schema)


def _ages(birth: pa.ChunkedArray, as_of: date) -> pa.Array:
    """Whole years on ``as_of`` (周岁; the birthday counts), as jiuzhu.rules.classify.age_on."""
    years = pc.subtract(pa.scalar(as_of.year, pa.int64()), pc.year(birth))
    month_day = pc.add(pc.multiply(pc.month(birth), 100), pc.day(birth))
    before = pc.greater(month_day, pa.scalar(as_of.month * 100 + as_of.day, pa.int64()))
    return pc.subtract(years, pc.cast(before, pa.int64())).cast(pa.int32())


def live_state(region_code: str) -> pa.Table:
    """(enrollment_id, version, status, amount_fen) of the live dibao and tekun enrollments under
    ``region_code``, by id: what a kept preview is checked against before it is applied."""
    low, high = subtree_range(region_code)
    e = Enrollment._meta.db_table
    live = ", ".join(f"'{s}'" for s in LIVE)
    programs = ", ".join(f"'{s}'" for s in PROGRAMS)
    sql = (f"SELECT e.id, e.version, e.status, {_fen('e.amount')} FROM {e} e WHERE e.region_id BETWEEN %s AND %s "
           f"AND e.status IN ({live}) AND e.program IN ({programs}) ORDER BY e.id")
    return _read("current", sql, [low, high])


def with_ages(persons: pa.Table, as_of: date) -> pa.Table:
    """``persons`` (with ``birth_date``) with ``age`` recomputed for another day."""
    return persons.set_column(persons.schema.get_field_index("age"), "age", _ages(persons["birth_date"], as_of))


def snapshot(region_code: str, as_of: date) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(enrollments, households, persons) of the live dibao and tekun enrollments under ``region_code``.

    ``enrollments`` follows :data:`jiuzhu.batch.standard.ENROLLMENT_SCHEMA`; ``households`` and
    ``persons`` the columnar rules input of :func:`jiuzhu.batch.dibao.evaluate_dibao_table` for the
    households of dibao enrollments (persons' ages on ``as_of``; households without co-resident
    members are left out, so their enrollments come back for review)."""
    low, high = subtree_range(region_code)
    sql = _sql()
    enrollments = _read("enrollments", sql["enrollments"], [low, high])
    households = _read("households", sql["households"], [low, high])
    persons = _read("persons", sql["persons"], [True, low, high])
    village = enrollments["village"]
    township = pc.binary_join_element_wise(pc.utf8_slice_codeunits(village, 0, 9), "000", "")
    enrollments = enrollments.append_column("township", township)
    enrollments = enrollments.set_column(enrollments.schema.get_field_index("klass"), "klass",
                                         pc.fill_null(enrollments["klass"], ""))
    enrollments = enrollments.set_column(enrollments.schema.get_field_index("head_name"), "head_name",
                                         pc.fill_null(enrollments["head_name"], ""))
    enrollments = enrollments.select(ENROLLMENT_SCHEMA.names).cast(ENROLLMENT_SCHEMA)
    persons = rules_persons(persons, as_of)
    with_members = pc.is_in(households["household_id"], value_set=pc.unique(persons["household_id"]))
    return enrollments, households.filter(with_members), persons


def rules_persons(persons: pa.Table, as_of: date) -> pa.Table:
    """The raw persons rows (``_RAW["persons"]``) as the columnar rules input, ages on ``as_of``."""
    kind = persons["disability_kind"]
    grade = pc.if_else(pc.equal(kind, "none"), pa.scalar(0, pa.int32()), persons["disability_grade"])
    zeros = pa.array([0] * persons.num_rows, pa.int64())
    return pa.table({
        "person_id": persons["person_id"], "household_id": persons["household_id"],
        "age": _ages(persons["birth_date"], as_of),
        "wage": persons["wage"], "business": persons["business"], "property": persons["property"],
        "transfer": persons["transfer"], "social_insurance": zeros, "income_tax": zeros, "medical_extra": zeros,
        "disability_kind": kind, "disability_grade": grade,
        "serious_illness": pc.equal(persons["health"], "serious"), "birth_date": persons["birth_date"],
    })
