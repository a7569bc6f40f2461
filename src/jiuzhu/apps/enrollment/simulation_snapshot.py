"""The columnar input of a policy simulation: every registry household under a region (enrolled or not)
with its open co-resident members and what it is enrolled in, as Arrow — one SQL statement per table
(COPY on PostgreSQL, a cursor on SQLite; :mod:`.standard_snapshot`), no ORM objects per row."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.batch.simulation import ENROLLED_DIBAO, ENROLLED_OTHER, META_SCHEMA

from .models import Enrollment
from .standard_snapshot import _fen, _read, rules_persons

_HOUSEHOLDS = [("household_id", pa.int64()), ("village", pa.string()), ("area_type", pa.string()),
               ("head_name", pa.string()), ("financial", pa.int64()), ("vehicle_count", pa.int32()),
               ("max_vehicle_value", pa.int64()), ("residential_properties", pa.int32()),
               ("business_registered_capital", pa.int64())]
_ENROLLMENTS = [("household_id", pa.int64()), ("program", pa.string()), ("single", pa.int32()),
                ("status", pa.string()), ("klass", pa.string()), ("amount_fen", pa.int64())]
_PERSONS = [("person_id", pa.int64()), ("household_id", pa.int64()), ("birth_date", pa.date32()),
            ("wage", pa.int64()), ("business", pa.int64()), ("property", pa.int64()), ("transfer", pa.int64()),
            ("disability_kind", pa.string()), ("disability_grade", pa.int32()), ("health", pa.string())]


def _sql() -> dict[str, str]:
    e, h = Enrollment._meta.db_table, Household._meta.db_table
    m, p = Membership._meta.db_table, Person._meta.db_table
    live = ", ".join(f"'{s}'" for s in Enrollment.LIVE)
    return {
        "households": (
            f"SELECT h.id, h.region_id, h.area_type, h.head_name, {_fen('h.financial_assets')}, h.vehicle_count, "
            f"{_fen('h.max_vehicle_value')}, h.residential_properties, {_fen('h.business_capital')} FROM {h} h "
            "WHERE h.region_id BETWEEN %s AND %s AND NOT h.minimal ORDER BY h.id"),
        "enrollments": (
            "SELECT e.household_id, e.program, CASE WHEN e.person_id IS NULL THEN 0 ELSE 1 END, e.status, e.klass, "
            f"{_fen('e.amount')} FROM {e} e JOIN {h} h ON h.id = e.household_id WHERE h.region_id BETWEEN %s AND %s "
            f"AND e.status IN ({live}) AND e.program IN ('dibao', 'tekun') ORDER BY e.id"),
        "persons": (
            f"SELECT p.id, m.household_id, p.birth_date, {_fen('p.wage')}, {_fen('p.business')}, "
            f"{_fen('p.property_income')}, {_fen('p.transfer')}, p.disability_kind, p.disability_grade, p.health "
            f"FROM {m} m JOIN {p} p ON p.id = m.person_id JOIN {h} h ON h.id = m.household_id "
            "WHERE m.end_date IS NULL AND m.co_resident = %s AND h.region_id BETWEEN %s AND %s AND NOT h.minimal "
            "ORDER BY m.household_id, m.id"),
    }


_TEKUN = [("enrollment_id", pa.int64()), ("village", pa.string()), ("area_type", pa.string()), ("status", pa.string()),
          ("amount_fen", pa.int64())]


def tekun_snapshot(region_code: str) -> pa.Table:
    """The live 特困 enrollments under ``region_code``: id, village, area type, status, amount (fen)."""
    low, high = subtree_range(region_code)
    e, h = Enrollment._meta.db_table, Household._meta.db_table
    live = ", ".join(f"'{s}'" for s in Enrollment.LIVE)
    sql = (f"SELECT e.id, h.region_id, h.area_type, e.status, {_fen('e.amount')} FROM {e} e JOIN {h} h "
           f"ON h.id = e.household_id WHERE h.region_id BETWEEN %s AND %s AND e.status IN ({live}) "
           "AND e.program = 'tekun' ORDER BY e.id")
    return _read("sim_tekun", sql, [low, high], _TEKUN)


def _enrolment_columns(households: pa.Table, enrollments: pa.Table) -> dict[str, list]:
    """Per household: ``dibao`` (a live dibao household enrollment, with its status, class and amount),
    ``other`` (单人户施保 or 特困 only) or ``""``."""
    info: dict[int, tuple] = {}
    for r in enrollments.to_pylist():
        hid = r["household_id"]
        if r["program"] == "dibao" and not r["single"]:
            info[hid] = (ENROLLED_DIBAO, r["status"], r["klass"] or "", r["amount_fen"])
        elif hid not in info:
            info[hid] = (ENROLLED_OTHER, r["status"], "", 0)
    out: dict[str, list] = {"enrolled": [], "enrollment_status": [], "current_class": [], "current_fen": []}
    for hid in households["household_id"].to_pylist():
        kind, status, klass, fen = info.get(hid, ("", "", "", 0))
        for name, value in zip(out, (kind, status, klass, fen)):
            out[name].append(value)
    return out


def simulation_snapshot(region_code: str, as_of: date) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(meta, households, persons): ``meta`` follows :data:`jiuzhu.batch.simulation.META_SCHEMA`;
    ``households`` and ``persons`` are the columnar rules input (ages on ``as_of``) of every registry
    household under ``region_code`` that has co-resident members."""
    low, high = subtree_range(region_code)
    sql = _sql()
    households = _read("sim_households", sql["households"], [low, high], _HOUSEHOLDS)
    enrollments = _read("sim_enrollments", sql["enrollments"], [low, high], _ENROLLMENTS)
    persons = rules_persons(_read("sim_persons", sql["persons"], [True, low, high], _PERSONS), as_of)
    households = households.filter(pc.is_in(households["household_id"], value_set=pc.unique(persons["household_id"])))
    sizes = pc.value_counts(persons["household_id"])
    size_of = dict(zip(sizes.field("values").to_pylist(), sizes.field("counts").to_pylist()))
    village = households["village"]
    meta = {
        "household_id": households["household_id"], "village": village,
        "township": pc.binary_join_element_wise(pc.utf8_slice_codeunits(village, 0, 9), "000", ""),
        "area_type": households["area_type"], "head_name": pc.fill_null(households["head_name"], ""),
        "persons": pa.array([size_of[h] for h in households["household_id"].to_pylist()], pa.int64()),
        **_enrolment_columns(households, enrollments),
    }
    return pa.table(meta).cast(META_SCHEMA), households.drop_columns(["village", "head_name"]), persons
