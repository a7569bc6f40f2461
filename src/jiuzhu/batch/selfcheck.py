"""自查自纠 checks over the whole caseload (issue 15 §5; rules in jiuzhu.rules.selfcheck): enrolled
persons × department snapshots → hits. One definition in Ibis, run on DuckDB (default) or PySpark.

Inputs:

* ``population`` (:data:`POPULATION_SCHEMA`): one row per (live enrollment, covered person) — the
  co-resident members of an enrolled household, or the one person of a single-person enrollment —
  with the HMAC blind index of the ID number (null: not matchable), the enrollment's first month and
  the region's policy name;
* ``snapshots``: dataset code → Parquet path (or Arrow table); a check whose dataset is missing is
  skipped (and reported as such by the caller);
* ``terms`` (:data:`TERMS_SCHEMA`): one row per policy (:func:`terms_table`).

Output (:data:`HITS_SCHEMA`): one row per (check, enrollment, person), sorted, with the evidence
(event date, amount in fen, a short detail). The database checks (``above_line``, ``late_approval``)
are produced by the app in the same schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ibis
import pyarrow as pa

from jiuzhu.rules.selfcheck import CHECKS, PUBLIC_EMPLOYER_MARKERS, SelfCheckTerms

from .engines import connect
from .verification import _materialize, _register

POPULATION_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("person_id", pa.int64()), ("household_id", pa.int64()), ("region", pa.string()),
    ("bidx", pa.string()), ("started", pa.date32()), ("policy", pa.string()),
])
TERMS_SCHEMA = pa.schema([("policy", pa.string()), ("deposit_threshold_fen", pa.int64()),
                          ("salary_since", pa.date32())])
HITS_SCHEMA = pa.schema([
    ("check", pa.string()), ("enrollment_id", pa.int64()), ("person_id", pa.int64()), ("household_id", pa.int64()),
    ("region", pa.string()), ("event_date", pa.date32()), ("amount_fen", pa.int64()), ("detail", pa.string()),
])
PERSON = ["enrollment_id", "person_id", "household_id", "region"]
USED = {"vehicle": ("vehicle_type", "registered_on", "value", "plate_no"),
        "market_entity": ("entity_name", "status", "subscribed_capital", "registered_on"),
        "housing_fund": ("month", "employer", "base"),
        "real_estate": ("usage", "registered_on", "price"),
        "hukou_death": ("status", "event_date"),
        "bank_deposit": ("balance", "balance_date"),
        "prison": ("start_on", "end_on", "court")}


@dataclass(frozen=True)
class CheckResult:
    hits: pa.Table  # HITS_SCHEMA
    matched: int  # covered persons with a blind index
    skipped: tuple[str, ...]  # checks asked for whose dataset was not given


def terms_table(terms: list[SelfCheckTerms]) -> pa.Table:
    rows = [{"policy": t.policy, "deposit_threshold_fen": t.deposit_threshold_fen, "salary_since": t.salary_since}
            for t in terms]
    return pa.Table.from_pylist(rows, schema=TERMS_SCHEMA)


def _hits(t, code: str, *, event_date, amount, detail):
    return t.select(check=ibis.literal(code), enrollment_id=t.enrollment_id, person_id=t.person_id,
                    household_id=t.household_id, region=t.region, event_date=event_date.cast("date"),
                    amount_fen=amount.cast("int64"), detail=detail.cast("string"))


def _per_person(snap, pop, **aggregates):
    """Aggregate the snapshot rows per blind index first (one key: cheap), then join the covered persons
    (a person in two enrollments gets a hit in each)."""
    g = snap.group_by("bidx").aggregate(**{k: f(snap) for k, f in aggregates.items()})
    return g.join(pop, g.bidx == pop.bidx).select(*PERSON, "started", *TERMS_SCHEMA.names[1:], *aggregates)


def _vehicle(snap, pop, as_of):
    snap = snap.filter(snap.vehicle_type.isin(["car", "truck"]), snap.registered_on <= ibis.literal(as_of))
    g = _per_person(snap, pop, n=lambda t: t.count(), value=lambda t: t.value.fill_null(0).cast("int64").sum(),
                    last=lambda t: t.registered_on.max(), plate=lambda t: t.plate_no.fill_null("").max())
    return _hits(g, "vehicle", event_date=g.last, amount=g.value,
                 detail=g.n.cast("string") + ibis.literal("辆 ") + g.plate)


def _business(snap, pop, as_of):
    snap = snap.filter(snap.status == "active", snap.registered_on <= ibis.literal(as_of))
    g = _per_person(snap, pop, n=lambda t: t.count(),
                    capital=lambda t: t.subscribed_capital.fill_null(0).cast("int64").sum(),
                    last=lambda t: t.registered_on.max(), name=lambda t: t.entity_name.max())
    return _hits(g, "business", event_date=g.last, amount=g.capital,
                 detail=g.n.cast("string") + ibis.literal("户 ") + g.name)


def _public_salary(snap, pop, as_of):
    employer = snap.employer.fill_null("")
    public = ibis.literal(False)
    for marker in PUBLIC_EMPLOYER_MARKERS:
        public = public | employer.contains(marker)
    snap = snap.filter(snap.month <= ibis.literal(as_of), public)
    # the latest public-employer month decides (on or after the policy's look-back start)
    g = _per_person(snap, pop, base=lambda t: t.base.fill_null(0).cast("int64").max(), last=lambda t: t.month.max(),
                    employer=lambda t: t.employer.max())
    g = g.filter(g.last >= g.salary_since)
    return _hits(g, "public_salary", event_date=g.last, amount=g.base, detail=g.employer)


def _property(snap, pop, as_of):
    snap = snap.filter(snap.usage == "residential", snap.registered_on <= ibis.literal(as_of)).select(
        "bidx", "registered_on", "price")
    m = snap.join(pop, snap.bidx == pop.bidx)
    m = m.filter(m.registered_on >= m.started)
    g = m.group_by(PERSON).aggregate(n=m.count(), price=m.price.fill_null(0).cast("int64").sum(),
                                     last=m.registered_on.max())
    return _hits(g, "property_purchase", event_date=g.last, amount=g.price, detail=g.n.cast("string") + ibis.literal("套住宅"))


def _death(snap, pop, as_of):
    snap = snap.filter(snap.status == "deceased", snap.event_date <= ibis.literal(as_of))
    g = _per_person(snap, pop, died=lambda t: t.event_date.min())
    return _hits(g, "death", event_date=g.died, amount=ibis.literal(0, type="int64"), detail=ibis.literal("死亡登记"))


def _deposit(snap, pop, as_of):
    snap = snap.filter(snap.balance_date <= ibis.literal(as_of))
    g = _per_person(snap, pop, total=lambda t: t.balance.fill_null(0).cast("int64").sum(),
                    last=lambda t: t.balance_date.max(), n=lambda t: t.count())
    g = g.filter(g.total > g.deposit_threshold_fen)
    return _hits(g, "large_deposit", event_date=g.last, amount=g.total, detail=g.n.cast("string") + ibis.literal("个账户"))


def _prison(snap, pop, as_of):
    """A sentence begun on or before ``as_of`` and not ended before the enrollment's first month."""
    snap = snap.filter(snap.start_on <= ibis.literal(as_of))
    m = snap.join(pop, snap.bidx == pop.bidx)
    m = m.filter(m.end_on.isnull() | (m.end_on >= m.started))
    g = m.group_by(PERSON).aggregate(began=m.start_on.max(), court=m.court.fill_null("").max(),
                                     serving=(m.end_on.isnull() | (m.end_on >= ibis.literal(as_of))).any())
    state = ibis.ifelse(g.serving, ibis.literal("服刑中 "), ibis.literal("保障期间曾服刑 "))
    return _hits(g, "prison", event_date=g.began, amount=ibis.literal(0, type="int64"), detail=state + g.court)


RULES = {"vehicle": _vehicle, "business": _business, "public_salary": _public_salary,
         "property_purchase": _property, "death": _death, "large_deposit": _deposit,
         "prison": _prison}


def checks_expr(pop, snaps: dict, checks: list[str], *, as_of: date):
    parts = []
    for code in checks:
        dataset = CHECKS[code].dataset
        if code in RULES and dataset in snaps:
            parts.append(RULES[code](snaps[dataset].select("bidx", *USED[dataset]), pop, as_of))
    return ibis.union(*parts, distinct=False) if parts else None


def run(population: pa.Table, snapshots: dict, *, checks: list[str], as_of: date, terms: pa.Table,
        engine: str = "duckdb", con=None, progress=None) -> CheckResult:
    """The department checks among ``checks``: see the module docstring. ``progress(label, done, total)``."""
    con = con or connect(engine)
    step = progress or (lambda *a: None)
    wanted = [c for c in checks if c in RULES]
    skipped = tuple(c for c in wanted if CHECKS[c].dataset not in snapshots)
    step("准备在保对象", 0, 3)
    p_t = _register(con, "jz_sc_population", population.cast(POPULATION_SCHEMA))
    t_t = _register(con, "jz_sc_terms", terms.cast(TERMS_SCHEMA))
    p_t = p_t.filter(p_t.bidx.notnull())
    pop = _materialize(con, "jz_sc_pop", p_t.join(t_t, p_t.policy == t_t.policy).select(
        "bidx", *PERSON, "started", *[t_t[c] for c in TERMS_SCHEMA.names[1:]]))
    matched = int(pop.count().to_pyarrow().as_py())
    snaps = {}
    for code, source in sorted(snapshots.items()):
        if code not in USED or not any(CHECKS[c].dataset == code for c in wanted):
            continue
        snaps[code] = (con.read_parquet(str(source), table_name=f"jz_sc_snap_{code}")
                       if isinstance(source, (str, Path)) else _register(con, f"jz_sc_snap_{code}", source))
    step("比对部门数据", 1, 3)
    expr = checks_expr(pop, snaps, wanted, as_of=as_of)
    table = expr.to_pyarrow() if expr is not None else HITS_SCHEMA.empty_table()
    step("整理疑点", 2, 3)
    table = table.select(HITS_SCHEMA.names).cast(HITS_SCHEMA).sort_by(
        [("check", "ascending"), ("enrollment_id", "ascending"), ("person_id", "ascending")])
    step("整理疑点", 3, 3)
    return CheckResult(table, matched, skipped)
