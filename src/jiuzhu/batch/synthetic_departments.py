"""Synthetic department data at realistic volumes for a population (vectorised with numpy).

``typed_rows`` draws a dataset's rows for a :class:`Population` as snapshot-typed columns (date32,
integer fen, codes). Two outputs from it:

* ``department_file`` — what a department would send: strings in yuan, Chinese labels for half the
  codes, with a share of rows carrying an invalid ID number and a share of otherwise bad rows
  (negative or malformed amounts, impossible dates, missing values): for ``jiuzhu data generate``
  and the ingestion tests;
* ``snapshot_batches`` — snapshot tables keyed by blind index, written directly (the benchmark's
  tens of millions of rows), in batches to bound memory.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .datasets import DATASETS, Dataset, period_window
from .ingest import snapshot_schema
from .synthetic_population import EPOCH, Population

DAY0 = np.datetime64("1970-01-01", "D")


def _day(d: date) -> int:
    return (d - EPOCH).days


def _months(as_of: date, n: int = 12) -> np.ndarray:
    start, _ = period_window(as_of, n)
    return (np.datetime64(start, "M") + np.arange(n)).astype("datetime64[D]").astype(np.int64)


def _date(days) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32)).cast(pa.date32())


def _pick(rng, n, codes, p):
    return pa.array(np.array(codes)[rng.choice(len(codes), n, p=p)])


def _past(rng, n, as_of: date, earliest: date) -> np.ndarray:
    return rng.integers(_day(earliest), _day(as_of) + 1, n)


def _lognormal_fen(rng, n, median_yuan: float, sigma: float) -> np.ndarray:
    return (np.exp(rng.normal(np.log(median_yuan), sigma, n)) * 100).astype(np.int64)


def _monthly(who: np.ndarray, as_of: date, rng) -> tuple[np.ndarray, np.ndarray]:
    """(person index, month day) for 12 monthly records of each person in ``who``; some start late."""
    months = _months(as_of)
    first = np.where(rng.random(len(who)) < 0.85, 0, rng.integers(0, 12, len(who)))
    count = 12 - first
    person = np.repeat(who, count)
    offset = np.arange(len(person)) - np.repeat(np.cumsum(count) - count, count) + np.repeat(first, count)
    return person, months[offset]


def _social_insurance(pop: Population, rng, as_of):
    age = pop.age
    pensioner = np.flatnonzero((age >= 60) & (rng.random(len(age)) < 0.9))
    employee = rng.random(len(pensioner)) < 0.35
    pension = np.where(employee, _lognormal_fen(rng, len(pensioner), 3200, 0.3), rng.integers(15_000, 45_000, len(pensioner)))
    p1, m1 = _monthly(pensioner, as_of, rng)
    reps = np.bincount(np.searchsorted(pensioner, p1), minlength=len(pensioner))
    contributor = np.flatnonzero(pop.employed | ((age >= 18) & (age < 60) & (rng.random(len(age)) < 0.25)))
    base = np.maximum(pop.wage_fen[contributor], 300_000)
    p2, m2 = _monthly(contributor, as_of, rng)
    reps2 = np.bincount(np.searchsorted(contributor, p2), minlength=len(contributor))
    return np.concatenate([p1, p2]), {
        "month": _date(np.concatenate([m1, m2])),
        "kind": pa.array(["pension"] * len(p1) + ["contribution"] * len(p2)),
        "scheme": pa.array(np.concatenate([np.repeat(np.where(employee, "employee", "resident"), reps),
                                           np.repeat(np.where(pop.employed[contributor], "employee", "resident"), reps2)])),
        "amount": pa.array(np.concatenate([np.repeat(pension, reps), np.repeat(base * 105 // 1000, reps2)])),
    }


def _housing_fund(pop, rng, as_of):
    who = np.flatnonzero(pop.employed & (rng.random(len(pop)) < 0.3))
    person, month = _monthly(who, as_of, rng)
    base = pop.wage_fen[person]
    return person, {"month": _date(month), "employer": pa.array(np.array(["杭州某某有限公司", "淳安县某某厂", "某某商贸公司"])[person % 3]),
                    "base": pa.array(base), "contribution": pa.array(base * 7 // 100)}


def _real_estate(pop, rng, as_of):
    adults = np.flatnonzero(pop.age >= 22)
    count = np.minimum(rng.poisson(0.62, len(adults)), 3)
    person = np.repeat(adults, count)
    n = len(person)
    area = rng.integers(3_000, 16_000, n)  # 0.01 m²
    price = np.where(rng.random(n) < 0.6, area * rng.integers(40, 120, n), -1)
    return person, {
        "certificate_no": pa.array([f"浙(2020)淳安县不动产权第{i:07d}号" for i in range(n)]) if n < 2_000_000
        else pa.array(np.full(n, "浙(2020)淳安县不动产权第0000000号")),
        "usage": _pick(rng, n, ["residential", "commercial", "office", "garage", "other"], [0.85, 0.05, 0.02, 0.06, 0.02]),
        "area": pc.cast(pc.divide(pa.array(area, pa.float64()), 100.0), pa.decimal128(12, 2)),
        "registered_on": _date(_past(rng, n, as_of, date(1995, 1, 1))),
        "price": pa.array(np.where(price < 0, None, price * 100), pa.int64()),
    }


def _vehicle(pop, rng, as_of):
    adults = np.flatnonzero(pop.age >= 18)
    draw = rng.random(len(adults))
    count = (draw < 0.3).astype(np.int64) + (draw < 0.05)
    person = np.repeat(adults, count)
    n = len(person)
    kind = np.array(["car", "truck", "motorcycle", "disability_vehicle"])[rng.choice(4, n, p=[0.7, 0.08, 0.18, 0.04])]
    value = np.where(np.isin(kind, ["car", "truck"]), _lognormal_fen(rng, n, 60_000, 0.7), rng.integers(200_000, 1_000_000, n))
    return person, {"plate_no": pa.array(np.char.add("浙A", (rng.integers(10_000, 99_999, n)).astype(str))),
                    "vehicle_type": pa.array(kind), "registered_on": _date(_past(rng, n, as_of, date(2008, 1, 1))),
                    "value": pa.array(value)}


def _market_entity(pop, rng, as_of):
    person = np.flatnonzero((pop.age >= 20) & (rng.random(len(pop)) < 0.05))
    n = len(person)
    return person, {"entity_name": pa.array(np.array(["淳安县某某农家乐", "某某种养殖专业合作社", "杭州某某科技有限公司"])[person % 3]),
                    "credit_code": pa.array(np.char.add("91330127MA", (rng.integers(10**7, 10**8, n)).astype(str))),
                    "capacity": _pick(rng, n, ["shareholder", "proprietor", "legal_rep"], [0.5, 0.35, 0.15]),
                    "entity_type": _pick(rng, n, ["company", "individual", "cooperative"], [0.4, 0.5, 0.1]),
                    "subscribed_capital": pa.array(_lognormal_fen(rng, n, 80_000, 1.0)),
                    "status": _pick(rng, n, ["active", "revoked", "cancelled"], [0.85, 0.05, 0.1]),
                    "registered_on": _date(_past(rng, n, as_of, date(2000, 1, 1)))}


def _tax(pop, rng, as_of):
    wage_earners = np.flatnonzero(pop.employed & (rng.random(len(pop)) < 0.5))
    p1, m1 = _monthly(wage_earners, as_of, rng)
    others = np.flatnonzero((pop.age >= 18) & (rng.random(len(pop)) < 0.06))
    months = _months(as_of)
    p2 = np.repeat(others, 3)
    m2 = months[rng.integers(0, 12, len(p2))]
    kind2 = np.array(["labor", "business", "rental", "interest"])[rng.choice(4, len(p2), p=[0.4, 0.3, 0.2, 0.1])]
    income = np.concatenate([pop.wage_fen[p1], _lognormal_fen(rng, len(p2), 2500, 0.8)])
    return np.concatenate([p1, p2]), {
        "month": _date(np.concatenate([m1, m2])),
        "income_type": pa.array(np.concatenate([np.full(len(p1), "wage"), kind2])),
        "income": pa.array(income), "tax_paid": pa.array(np.maximum(income - 500_000, 0) * 3 // 100)}


def _bank_deposit(pop, rng, as_of):
    adults = np.flatnonzero((pop.age >= 16) & (rng.random(len(pop)) < 0.9))
    count = rng.integers(1, 5, len(adults))
    person = np.repeat(adults, count)
    n = len(person)
    return person, {"institution": _pick(rng, n, ["中国农业银行", "中国工商银行", "浙江农商银行", "中国邮政储蓄银行"], [0.3, 0.25, 0.3, 0.15]),
                    "account_tail": pa.array(np.char.zfill(rng.integers(0, 10_000, n).astype(str), 4)),
                    "product": _pick(rng, n, ["deposit", "wealth", "fund", "securities", "insurance"], [0.75, 0.1, 0.07, 0.04, 0.04]),
                    "balance": pa.array(_lognormal_fen(rng, n, 6000, 1.3)), "balance_date": _date(np.full(n, _day(as_of)))}


def _medical_expense(pop, rng, as_of):
    sick = np.flatnonzero(rng.random(len(pop)) < np.where(pop.age >= 60, 0.55, 0.28))
    person = np.repeat(sick, rng.poisson(3.0, len(sick)) + 1)
    n = len(person)
    start, _ = period_window(as_of, 12)
    total = _lognormal_fen(rng, n, 900, 1.1)
    return person, {"settled_on": _date(rng.integers(_day(start), _day(as_of) + 1, n)),
                    "hospital": pa.array(np.array(["淳安县第一人民医院", "千岛湖镇卫生院", "浙江省人民医院"])[person % 3]),
                    "total_cost": pa.array(total), "self_paid": pa.array(total * rng.integers(15, 45, n) // 100)}


def _disability(pop, rng, as_of):
    person = np.flatnonzero(rng.random(len(pop)) < 0.06)
    n = len(person)
    return person, {"kind": _pick(rng, n, ["physical", "intellectual", "mental", "visual", "hearing", "speech", "multiple"],
                                  [0.45, 0.1, 0.1, 0.12, 0.15, 0.03, 0.05]),
                    "grade": pa.array(rng.integers(1, 5, n)), "certified_on": _date(_past(rng, n, as_of, date(2010, 1, 1)))}


def _hukou_death(pop, rng, as_of):
    n = len(pop)
    person = np.arange(n)
    return person, {"hukou_region": pa.array(np.char.add("330127", np.char.zfill((100 + person % 20).astype(str), 3)).astype(object) + "201000"),
                    "status": _pick(rng, n, ["normal", "deceased", "cancelled", "moved_out"], [0.985, 0.008, 0.002, 0.005]),
                    "event_date": _date(_past(rng, n, as_of, date(2000, 1, 1)))}


def _unemployment(pop, rng, as_of):
    person = np.flatnonzero((pop.age >= 18) & (pop.age < 60) & ~pop.employed & (rng.random(len(pop)) < 0.08))
    n = len(person)
    registered = _past(rng, n, as_of, date(as_of.year - 2, 1, 1))
    ended = np.where(rng.random(n) < 0.4, np.minimum(registered + rng.integers(30, 400, n), _day(as_of)), -1)
    return person, {"registered_on": _date(registered), "ended_on": pa.array(np.where(ended < 0, None, ended), pa.int32()).cast(pa.date32()),
                    "benefit": pa.array(np.where(rng.random(n) < 0.7, rng.integers(150_000, 200_000, n), 0))}


def _student(pop, rng, as_of):
    age = pop.age
    share = np.select([(age >= 3) & (age < 6), (age >= 6) & (age < 18), (age >= 18) & (age < 23)], [0.6, 0.97, 0.4], 0.0)
    person = np.flatnonzero(rng.random(len(pop)) < share)
    a = age[person]
    stage = np.select([a < 6, a < 12, a < 15, a < 18], ["preschool", "primary", "junior", "senior"], "college")
    private = rng.random(len(person)) < 0.1
    tuition = np.where(private, rng.integers(1_000_000, 8_000_000, len(person)), np.where(stage == "college", 550_000, 0))
    return person, {"school": pa.array(np.array(["千岛湖镇中心小学", "淳安县中学", "浙江某某学院"])[person % 3]),
                    "stage": pa.array(stage), "school_type": pa.array(np.where(private, "private", "public")),
                    "tuition": pa.array(tuition), "enrolled_on": _date(_past(rng, len(person), as_of, date(as_of.year - 3, 9, 1))),
                    "left_on": pa.nulls(len(person), pa.date32())}


def _prison(pop, rng, as_of):
    person = np.flatnonzero((pop.age >= 18) & (pop.age < 70) & (rng.random(len(pop)) < 0.002))
    n = len(person)
    start = _past(rng, n, as_of, date(as_of.year - 8, 1, 1))
    end = start + rng.integers(180, 3650, n)
    end = np.where(end <= _day(as_of), end, -1)  # still serving: no end date yet
    return person, {"start_on": _date(start),
                    "end_on": pa.array(np.where(end < 0, None, end), pa.int32()).cast(pa.date32()),
                    "court": pa.array(np.array(["淳安县人民法院", "杭州市中级人民法院"])[person % 2])}


GENERATORS = {"social_insurance": _social_insurance, "housing_fund": _housing_fund, "real_estate": _real_estate,
              "vehicle": _vehicle, "market_entity": _market_entity, "tax": _tax, "bank_deposit": _bank_deposit,
              "medical_expense": _medical_expense, "disability": _disability, "hukou_death": _hukou_death,
              "unemployment": _unemployment, "student": _student, "prison": _prison}
# The generator's random stream per dataset: the first twelve in name order, later datasets appended, so
# that adding one leaves the others' synthetic rows unchanged.
SEED_ORDER = ("bank_deposit", "disability", "housing_fund", "hukou_death", "market_entity", "medical_expense",
              "real_estate", "social_insurance", "student", "tax", "unemployment", "vehicle", "prison")


def typed_rows(code: str, pop: Population, *, as_of: date, seed: int = 0) -> tuple[np.ndarray, dict]:
    """(person index per row, snapshot-typed value columns) for dataset ``code``."""
    rng = np.random.default_rng([seed, SEED_ORDER.index(code)])
    person, cols = GENERATORS[code](pop, rng, as_of)
    return np.asarray(person, dtype=np.int64), cols


def snapshot_batches(code: str, pop: Population, *, as_of: date, seed: int = 0, batch: int = 500_000):
    """Snapshot tables (blind index, row number, value columns) for ``pop`` (which has ``bidx``),
    drawn ``batch`` persons at a time."""
    ds, schema = DATASETS[code], snapshot_schema(DATASETS[code])
    row_no = 0
    for start in range(0, len(pop), batch):
        part = _slice(pop, start, start + batch)
        person, cols = typed_rows(code, part, as_of=as_of, seed=seed * 100_003 + start)
        n = len(person)
        arrays = [part.bidx.take(pa.array(person)), pa.array(np.arange(row_no + 1, row_no + n + 1, dtype=np.int64))]
        arrays += [pc.cast(cols[c.name], f.type) for c, f in zip(ds.value_columns, list(schema)[2:])]
        row_no += n
        yield pa.Table.from_arrays(arrays, schema=schema)


def _slice(pop: Population, start: int, stop: int) -> Population:
    def cut(v):
        return None if v is None else v[start:stop]

    return Population(age=pop.age[start:stop], sex=pop.sex[start:stop], employed=pop.employed[start:stop],
                      wage_fen=pop.wage_fen[start:stop], id_number=cut(pop.id_number), bidx=cut(pop.bidx),
                      name=cut(pop.name))


def _yuan(fen) -> pa.Array:
    fen = pc.cast(fen, pa.int64())
    whole = pc.cast(pc.divide(fen, 100), pa.string())
    cents = pc.utf8_lpad(pc.cast(pc.subtract(fen, pc.multiply(pc.divide(fen, 100), 100)), pa.string()), 2, "0")
    return pc.binary_join_element_wise(whole, cents, ".")


def department_file(code: str, pop: Population, *, as_of: date, seed: int = 0, invalid_id_share: float = 0.005,
                    bad_share: float = 0.005) -> pa.Table:
    """The dataset as a department would send it for ``pop`` (which has ``id_number``): string columns
    named as declared, amounts in yuan, half the codes as Chinese labels, some invalid and bad rows."""
    ds: Dataset = DATASETS[code]
    person, cols = typed_rows(code, pop, as_of=as_of, seed=seed)
    n = len(person)
    rng = np.random.default_rng([seed, 99, len(code)])
    idx = pa.array(person)
    out = {"id_number": pop.id_number.take(idx), "name": pop.name.take(idx) if pop.name is not None else pa.nulls(n, pa.string())}
    for c in ds.value_columns:
        value = cols[c.name]
        if c.type == "money":
            text = _yuan(value)
        elif c.type == "enum":
            labels = pc.take(pa.array([label for _, label in c.choices]),
                             pc.index_in(value, value_set=pa.array([code_ for code_, _ in c.choices])))
            text = pc.if_else(pa.array(rng.random(n) < 0.5), labels, value)
        else:
            text = pc.cast(value, pa.string())
        out[c.name] = text
    table = pa.table(out)
    invalid = rng.random(n) < invalid_id_share
    if invalid.any():
        ids = table.column("id_number").to_numpy(zero_copy_only=False).astype(object)
        ids[invalid] = [v[:17] + ("0" if v[17] != "0" else "1") for v in ids[invalid]]
        table = table.set_column(0, "id_number", pa.array(ids, pa.string()))
    bad = np.flatnonzero(rng.random(n) < bad_share)
    if len(bad):
        table = _spoil(ds, table, bad, rng)
    return table


def _spoil(ds: Dataset, table: pa.Table, rows: np.ndarray, rng) -> pa.Table:
    """Make ``rows`` bad in one required value column each: a negative or malformed amount, an
    impossible date, a blank required value, or an unknown code."""
    candidates = [c for c in ds.value_columns if c.required]
    which = rng.integers(0, len(candidates), len(rows))
    for k, col in enumerate(candidates):
        hit = rows[which == k]
        if not len(hit):
            continue
        bad_values = {"money": ["-12.50", "壹佰元", "12.345"], "date": ["2026-02-30", "2026-13-01", "昨天"],
                      "enum": ["未知", "?"], "int": ["-1", "九"], "decimal": ["-3", "abc"]}.get(col.type, [""])
        values = table.column(col.name).to_numpy(zero_copy_only=False).astype(object)
        values[hit] = [bad_values[i % len(bad_values)] for i in range(len(hit))]
        table = table.set_column(table.column_names.index(col.name), col.name, pa.array(values, pa.string()))
    return table


def write_snapshots(codes, pop: Population, folder, *, as_of: date, seed: int) -> int:
    """Write one Parquet snapshot per dataset code to ``folder/<code>.parquet`` (batch by batch, so a
    population of millions never sits in memory at once); returns the number of rows written."""
    import pyarrow.parquet as pq

    rows = 0
    for code in sorted(codes):
        writer = None
        for table in snapshot_batches(code, pop, as_of=as_of, seed=seed):
            writer = writer or pq.ParquetWriter(f"{folder}/{code}.parquet", table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1 << 20)
            rows += table.num_rows
        writer.close()
    return rows
