"""The monitoring scan (低收入人口动态监测预警, R-SYS-04..06): monitored persons × department snapshots →
de-duplicated alerts. One definition in Ibis, run on DuckDB (default, in-process) or PySpark.

Inputs:

* ``population`` (:data:`POPULATION_SCHEMA`): one row per monitored person (blind index of the ID
  number; null when the person has no valid ID — not matchable), the household's category
  (jiuzhu.rules.monitoring.CATEGORIES), whether the person heads the household, the declared monthly
  earnings in fen (to tell the breadwinner) and the region's policy name — an Arrow table, or Parquet
  read by the engine itself (a file, a folder or a list of part files: the provincial-scale path);
* ``snapshots``: dataset code → Parquet path (or Arrow table) of the snapshot used; the rules read
  ``medical_expense``, ``disability``, ``hukou_death``, ``unemployment``, ``student``, ``vehicle`` and
  ``real_estate`` (any of them may be missing: its rule is skipped);
* ``terms`` (:data:`TERMS_SCHEMA`): one row per policy (:func:`terms_table`);
* ``known`` (optional): dedup keys already stored; an alert whose key is known is not produced again.

Output (:data:`ALERTS_SCHEMA`) sorted by ``dedup_key``, unique on it. The key identifies the event, not
the scan, so a re-scan of the same or newer snapshots never repeats an alert:
``medical_expense:<person>:<year of as_of>`` (at most one per person and calendar year),
``severe_disability:<person>:<certified_on>``, ``death:<person>``, ``unemployment:<person>:<registered_on>``,
``school_entry:<person>:<stage>:<enrolled_on>``, ``new_vehicle:<person>:<registered_on>``,
``new_property:<person>:<registered_on>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import pyarrow as pa

from jiuzhu.rules.monitoring import (
    ALERT_TYPES,
    RECIPIENTS,
    SCHOOL_CATEGORIES,
    SCHOOL_STAGES_ALL,
    SCHOOL_STAGES_NONCOMPULSORY,
    MonitorTerms,
)

from .engines import connect
from .verification import _materialize, _register, read_source

POPULATION_SCHEMA = pa.schema([
    ("person_id", pa.int64()), ("household_id", pa.int64()), ("region", pa.string()), ("bidx", pa.string()),
    ("category", pa.string()), ("is_head", pa.bool_()), ("earning", pa.int64()), ("policy", pa.string()),
])
TERMS_SCHEMA = pa.schema([
    ("policy", pa.string()), ("medical_threshold_fen", pa.int64()), ("medical_since", pa.date32()),
    ("severe_max_grade", pa.int64()), ("event_since", pa.date32()), ("school_compulsory", pa.bool_()),
    ("asset_alerts", pa.bool_()),
])
ALERTS_SCHEMA = pa.schema([
    ("dedup_key", pa.string()), ("type", pa.string()), ("source", pa.string()), ("person_id", pa.int64()),
    ("household_id", pa.int64()), ("region", pa.string()), ("category", pa.string()), ("policy", pa.string()),
    ("event_date", pa.date32()), ("amount_fen", pa.int64()), ("detail", pa.string()), ("breadwinner", pa.bool_()),
])
KNOWN_SCHEMA = pa.schema([("dedup_key", pa.string())])
PERSON = ["person_id", "household_id", "region", "category", "policy", "breadwinner"]
USED = {"medical_expense": ("settled_on", "self_paid"), "disability": ("kind", "grade", "certified_on"),
        "hukou_death": ("status", "event_date"), "unemployment": ("registered_on", "ended_on", "benefit"),
        "student": ("stage", "school_type", "tuition", "enrolled_on", "left_on"),
        "vehicle": ("vehicle_type", "registered_on", "value"), "real_estate": ("usage", "registered_on", "price")}


@dataclass(frozen=True)
class ScanResult:
    alerts: pa.Table  # ALERTS_SCHEMA, new alerts only (known keys removed)
    matched: int  # monitored persons with a blind index
    candidates: int  # alerts before removing the known keys


def terms_table(terms: list[MonitorTerms]) -> pa.Table:
    rows = [{"policy": t.policy, "medical_threshold_fen": t.medical_threshold_fen, "medical_since": t.medical_since,
             "severe_max_grade": t.severe_max_grade, "event_since": t.event_since,
             "school_compulsory": t.school_stages == SCHOOL_STAGES_ALL, "asset_alerts": t.asset_alerts}
            for t in terms]
    return pa.Table.from_pylist(rows, schema=TERMS_SCHEMA)


def _key(prefix: str, *parts):
    out = ibis.literal(prefix + ":")
    for i, part in enumerate(parts):
        out = out + (ibis.literal(":") if i else ibis.literal("")) + part.cast("string")
    return out


def _alerts(t, type_code: str, *, key, event_date, amount, detail):
    return t.select(dedup_key=key, type=ibis.literal(type_code), source=ibis.literal(ALERT_TYPES[type_code].dataset),
                    person_id=t.person_id, household_id=t.household_id, region=t.region, category=t.category,
                    policy=t.policy, event_date=event_date.cast("date"), amount_fen=amount.cast("int64"),
                    detail=detail.cast("string"), breadwinner=t.breadwinner)


def _match(snap, pop, columns):
    snap = snap.select("bidx", *columns)
    return snap.join(pop, snap.bidx == pop.bidx).select(*PERSON, *columns, *TERMS_SCHEMA.names[1:])


def _medical(m, as_of: date):
    m = m.filter(m.settled_on >= m.medical_since, m.settled_on <= ibis.literal(as_of))
    g = m.group_by(PERSON + ["medical_threshold_fen"]).aggregate(
        total=m.self_paid.fill_null(0).cast("int64").sum(), last=m.settled_on.max(), bills=m.count())
    g = g.filter(g.total > g.medical_threshold_fen)
    return _alerts(g, "medical_expense", key=_key("medical_expense", g.person_id, ibis.literal(str(as_of.year))),
                   event_date=g.last, amount=g.total, detail=g.bills.cast("string") + ibis.literal("笔结算"))


def _disability(m, as_of: date):
    m = m.filter(m.grade <= m.severe_max_grade, m.certified_on >= m.event_since,
                 m.certified_on <= ibis.literal(as_of))
    g = m.group_by(PERSON + ["certified_on"]).aggregate(grade=m.grade.min(), kind=m.kind.min())
    return _alerts(g, "severe_disability", key=_key("severe_disability", g.person_id, g.certified_on),
                   event_date=g.certified_on, amount=ibis.literal(0, type="int64"),
                   detail=g.kind + ibis.literal("|") + g.grade.cast("string"))


def _death(m, as_of: date):
    m = m.filter(m.status == "deceased", m.event_date <= ibis.literal(as_of))
    g = m.group_by(PERSON).aggregate(died=m.event_date.min())
    return _alerts(g, "death", key=_key("death", g.person_id), event_date=g.died,
                   amount=ibis.literal(0, type="int64"),
                   detail=g.breadwinner.ifelse(ibis.literal("主要劳动力"), ibis.literal("")))


def _unemployment(m, as_of: date):
    m = m.filter(m.registered_on <= ibis.literal(as_of), m.ended_on.isnull() | (m.ended_on > ibis.literal(as_of)))
    g = m.group_by(PERSON + ["registered_on"]).aggregate(benefit=m.benefit.fill_null(0).cast("int64").max())
    return _alerts(g, "unemployment", key=_key("unemployment", g.person_id, g.registered_on),
                   event_date=g.registered_on, amount=g.benefit, detail=ibis.literal(""))


def _school(m, as_of: date):
    stages = m.stage.isin(list(SCHOOL_STAGES_NONCOMPULSORY)) | (
        m.school_compulsory & m.stage.isin([s for s in SCHOOL_STAGES_ALL if s not in SCHOOL_STAGES_NONCOMPULSORY]))
    m = m.filter(m.category.isin(list(SCHOOL_CATEGORIES)), stages, m.enrolled_on >= m.event_since,
                 m.enrolled_on <= ibis.literal(as_of), m.left_on.isnull() | (m.left_on > ibis.literal(as_of)))
    g = m.group_by(PERSON + ["stage", "enrolled_on"]).aggregate(tuition=m.tuition.fill_null(0).cast("int64").max(),
                                                                school_type=m.school_type.min())
    return _alerts(g, "school_entry", key=_key("school_entry", g.person_id, g.stage, g.enrolled_on),
                   event_date=g.enrolled_on, amount=g.tuition, detail=g.stage + ibis.literal("|") + g.school_type)


def _asset(m, as_of: date, type_code: str, on: str, value: str, when):
    m = m.filter(m.asset_alerts, m.category.isin(list(RECIPIENTS)), when(m), m[on] >= m.event_since,
                 m[on] <= ibis.literal(as_of))
    g = m.group_by(PERSON + [on]).aggregate(value=m[value].fill_null(0).cast("int64").sum(), n=m.count())
    return _alerts(g, type_code, key=_key(type_code, g.person_id, g[on]), event_date=g[on], amount=g.value,
                   detail=g.n.cast("string"))


RULES = {
    "medical_expense": lambda m, d: _medical(m, d),
    "disability": lambda m, d: _disability(m, d),
    "hukou_death": lambda m, d: _death(m, d),
    "unemployment": lambda m, d: _unemployment(m, d),
    "student": lambda m, d: _school(m, d),
    "vehicle": lambda m, d: _asset(m, d, "new_vehicle", "registered_on", "value",
                                   lambda t: t.vehicle_type.isin(["car", "truck"])),
    "real_estate": lambda m, d: _asset(m, d, "new_property", "registered_on", "price",
                                       lambda t: t.usage == "residential"),
}


def population_expr(population, terms):
    """Persons with a blind index, their terms and the breadwinner flag: the member with the highest
    declared earnings (ties: all of them), or the head when nobody earns."""
    p = population.filter(population.bidx.notnull())
    top = p.earning.max().over(ibis.window(group_by=p.household_id))
    p = p.mutate(breadwinner=((top > 0) & (p.earning == top)) | ((top <= 0) & p.is_head))
    return p.join(terms, p.policy == terms.policy).select(
        "bidx", *PERSON, *[terms[c] for c in TERMS_SCHEMA.names[1:]])


def scan_expr(pop, snaps: dict, *, as_of: date, known=None):
    parts = [RULES[code](_match(snaps[code], pop, USED[code]), as_of) for code in sorted(snaps) if code in RULES]
    if not parts:
        raise ValueError("no snapshot the monitoring rules read")
    alerts = ibis.union(*parts, distinct=False)
    if known is not None:
        alerts = alerts.anti_join(known, alerts.dedup_key == known.dedup_key)
    return alerts


def run(population, snapshots: dict, *, as_of: date, terms: pa.Table, known: pa.Table | None = None,
        engine: str = "duckdb", con=None, progress=None) -> ScanResult:
    """Scan: see the module docstring. ``progress(label, done, total)`` is called per step."""
    con = con or connect(engine)
    step = progress or (lambda *a: None)
    step("准备监测对象", 0, 4)
    p_t = read_source(con, "jz_mon_population",
                      population.cast(POPULATION_SCHEMA) if isinstance(population, pa.Table) else population)
    t_t = _register(con, "jz_mon_terms", terms.cast(TERMS_SCHEMA))
    snaps = {code: read_source(con, f"jz_mon_snap_{code}", source)
             for code, source in sorted(snapshots.items()) if code in RULES}
    pop = _materialize(con, "jz_mon_pop", population_expr(p_t, t_t))
    matched = int(pop.count().to_pyarrow().as_py())
    step("比对部门数据", 1, 4)
    candidates = _materialize(con, "jz_mon_candidates", scan_expr(pop, snaps, as_of=as_of))
    total = int(candidates.count().to_pyarrow().as_py())
    step("去除已有预警", 2, 4)
    out = candidates
    if known is not None and known.num_rows:
        k_t = _register(con, "jz_mon_known", known.select(["dedup_key"]).cast(KNOWN_SCHEMA))
        out = candidates.anti_join(k_t, candidates.dedup_key == k_t.dedup_key)
    table = out.to_pyarrow()
    step("生成预警", 3, 4)
    table = table.select(ALERTS_SCHEMA.names).cast(ALERTS_SCHEMA).sort_by([("dedup_key", "ascending")])
    step("生成预警", 4, 4)
    return ScanResult(table, matched, total)
