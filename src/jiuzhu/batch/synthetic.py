"""Synthetic columnar rules input (spec/interfaces.md "Columnar rules input"), vectorised with numpy.

Values are drawn around the policy's limits for ``as_of`` so that every dibao status and class
occurs and the asset and income boundaries (and 分档 tier edges) are hit exactly (at the limit and
one fen beyond).
Used by the parity test and the ``rules`` benchmark.
"""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction

import numpy as np
import pyarrow as pa

from jiuzhu.rules.model import AREA_TYPES, DISABILITY_KINDS
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.terms import terms_for
from jiuzhu.rules.tiered import METHOD_TIERED, tier_terms_for

PERSONS_SCHEMA = pa.schema([
    ("person_id", pa.int64()), ("household_id", pa.int64()), ("role", pa.int32()), ("age", pa.int32()),
    ("wage", pa.int32()), ("business", pa.int32()), ("property", pa.int32()), ("transfer", pa.int32()),
    ("social_insurance", pa.int32()), ("income_tax", pa.int32()), ("medical_extra", pa.int32()),
    ("disability_kind", pa.string()), ("disability_grade", pa.int32()), ("serious_illness", pa.bool_()),
])
HOUSEHOLDS_SCHEMA = pa.schema([
    ("household_id", pa.int64()), ("area_type", pa.string()), ("financial", pa.int32()),
    ("vehicle_count", pa.int32()), ("max_vehicle_value", pa.int32()), ("residential_properties", pa.int32()),
    ("business_registered_capital", pa.int32()),
])


def _fen(value) -> Fraction:
    return Fraction(value) * 100


def generate(n: int, *, as_of: date, policy: str = "reference", seed: int = 0) -> tuple[pa.Table, pa.Table]:
    """``(persons, households)`` Arrow tables with ``n`` households of 1–6 members."""
    rng = np.random.default_rng(seed)
    loaded = load_policy(policy)
    terms = [terms_for(loaded, as_of, area) for area in AREA_TYPES]
    tiers = tier_terms_for(loaded, as_of).tiers if terms[0].benefit_method == METHOD_TIERED else ()
    # 分档 tier edges (pci exactly at and one fen below upper × standard), one row per tier
    tier_edges = np.array([[math.ceil(_fen(t.standard) * Fraction(tier.upper_ratio)) for t in terms]
                           for tier in tiers], dtype=np.int64).reshape(len(tiers), len(terms))
    std = np.array([math.floor(_fen(t.standard)) for t in terms], dtype=np.int64)
    edge = np.array([math.ceil(_fen(t.standard) * Fraction(t.edge_multiplier)) for t in terms], dtype=np.int64)
    half = np.array([math.ceil(_fen(t.standard) * Fraction(t.class_c_ratio)) for t in terms], dtype=np.int64)
    fin = np.array([math.floor(_fen(t.standard) * Fraction(t.financial_months)) for t in terms], dtype=np.int64)
    t0 = terms[0]
    veh_limit = math.floor(_fen(t0.vehicle_value_limit))
    cap_limit = math.floor(_fen(t0.business_capital_limit))
    prop_limit = int(t0.residential_property_limit)

    area = rng.integers(0, len(AREA_TYPES), n)
    hstd = std[area]
    size = rng.choice(np.arange(1, 7), n, p=[0.3, 0.25, 0.2, 0.12, 0.08, 0.05])
    boundary = rng.random(n) < 0.06  # single working-age adult with pci exactly at a boundary
    size[boundary] = 1
    level = (rng.random(n) * 1.9 * hstd).astype(np.int64)  # target per-capita income, fen

    # persons
    hidx = np.repeat(np.arange(n), size)
    m = hidx.size
    first = np.r_[0, np.cumsum(size)[:-1]]
    role = np.ones(m, dtype=np.int32)
    role[first] = 0
    age = np.where(rng.random(m) < 0.4, rng.integers(18, 60, m), rng.integers(0, 96, m))
    target = level[hidx]
    working = (age >= 16) & (age < 70)
    wage = np.where(working & (rng.random(m) < 0.6), rng.integers(0, 2 * target + 1), 0)
    transfer = np.where(rng.random(m) < 0.5, rng.integers(0, target + 1), 0)
    prop = np.where(rng.random(m) < 0.15, rng.integers(0, target // 2 + 1), 0)
    business = np.where(rng.random(m) < 0.12, rng.integers(-50_000, 2 * target + 1), 0)
    social = np.where(wage > 0, rng.integers(0, wage // 8 + 1), 0)
    tax = np.where(rng.random(m) < 0.05, rng.integers(0, 20_000, m), 0)
    medical = np.where(rng.random(m) < 0.1, rng.integers(0, 60_000, m), 0)
    disabled = rng.random(m) < 0.18
    kinds = np.array(["none", *DISABILITY_KINDS], dtype=object)
    kind = np.where(disabled, kinds[rng.integers(1, len(kinds), m)], "none")
    grade = np.where(disabled, rng.integers(1, 5, m), 0)
    ill = rng.random(m) < 0.05

    # boundary households: one adult aged 30–50, income only from transfer, pci on a boundary
    b = boundary[hidx]
    hb = area[hidx][b]
    choices = np.stack([std[hb] - 1, std[hb], edge[hb] - 1, edge[hb], half[hb] - 1, half[hb], np.zeros_like(hb),
                        *(row[hb] for row in tier_edges), *(row[hb] - 1 for row in tier_edges)])
    pick = choices[rng.integers(0, choices.shape[0], hb.size), np.arange(hb.size)]
    age[b] = rng.integers(30, 51, hb.size)
    transfer[b] = pick
    for arr in (wage, prop, business, social, tax, medical, grade):
        arr[b] = 0
    kind[b] = "none"
    ill[b] = False

    # assets around each limit
    limit = fin[area] * size
    financial = rng.integers(0, (limit * 1.15).astype(np.int64) + 1)
    r = rng.random(n)
    financial = np.where(r < 0.03, limit, np.where(r < 0.05, limit + 1, financial))
    vehicle_count = rng.choice([0, 1, 2], n, p=[0.6, 0.36, 0.04])
    value = rng.integers(1, veh_limit * 6 // 5, n)
    r = rng.random(n)
    value = np.where(r < 0.1, veh_limit, np.where(r < 0.13, veh_limit + 1, value))
    max_vehicle_value = np.where(vehicle_count > 0, value, 0)
    residential = rng.choice([0, prop_limit, prop_limit + 1], n, p=[0.3, 0.67, 0.03])
    r = rng.random(n)
    capital = np.where(r < 0.9, 0, rng.integers(0, cap_limit * 6 // 5, n))
    capital = np.where(r < 0.03, cap_limit, np.where(r < 0.05, cap_limit + 1, capital))

    household_id = np.arange(1, n + 1, dtype=np.int64) * 10
    persons = pa.table({
        "person_id": np.arange(1, m + 1, dtype=np.int64),
        "household_id": household_id[hidx],
        "role": role,
        "age": age.astype(np.int32),
        "wage": wage.astype(np.int32),
        "business": business.astype(np.int32),
        "property": prop.astype(np.int32),
        "transfer": transfer.astype(np.int32),
        "social_insurance": social.astype(np.int32),
        "income_tax": tax.astype(np.int32),
        "medical_extra": medical.astype(np.int32),
        "disability_kind": kind.astype(str),
        "disability_grade": grade.astype(np.int32),
        "serious_illness": ill,
    }, schema=PERSONS_SCHEMA)
    households = pa.table({
        "household_id": household_id,
        "area_type": np.array(AREA_TYPES, dtype=object)[area].astype(str),
        "financial": financial.astype(np.int32),
        "vehicle_count": vehicle_count.astype(np.int32),
        "max_vehicle_value": max_vehicle_value.astype(np.int32),
        "residential_properties": residential.astype(np.int32),
        "business_registered_capital": capital.astype(np.int32),
    }, schema=HOUSEHOLDS_SCHEMA)
    return persons, households


def yuan_text(fen: int) -> str:
    """Integer fen as a yuan string with two decimals ("-12.05")."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def birth_date_for(age: int, as_of: date, offset_days: int = 0) -> date:
    """A birth date giving ``age`` whole years on ``as_of``: the birthday falls 0–364 days before."""
    from datetime import timedelta

    anniversary = date(as_of.year - age, as_of.month, min(as_of.day, 28))
    return anniversary - timedelta(days=offset_days % 300)


def single_case_requests(persons: pa.Table, households: pa.Table, *, as_of: date) -> dict[int, dict]:
    """The equivalent §6 dibao JSON request of every household (same values; money in yuan)."""
    requests: dict[int, dict] = {}
    for h in households.to_pylist():
        vehicles = []
        if h["vehicle_count"]:
            vehicles = [{"kind": "car", "value": yuan_text(h["max_vehicle_value"])}]
            vehicles += [{"kind": "truck", "value": yuan_text(h["max_vehicle_value"] // (i + 2))}
                         for i in range(h["vehicle_count"] - 1)]
        vehicles.append({"kind": "motorcycle", "value": "90000.00"})  # never counted
        requests[h["household_id"]] = {
            "program": "dibao", "as_of": as_of.isoformat(), "area_type": h["area_type"], "members": [],
            "assets": {"financial": yuan_text(h["financial"]), "vehicles": vehicles,
                       "residential_properties": h["residential_properties"],
                       "business_registered_capital": yuan_text(h["business_registered_capital"])},
            "obligors_able": False, "temporary": None,
        }
    for p in persons.to_pylist():
        kind, grade = p["disability_kind"], p["disability_grade"]
        requests[p["household_id"]]["members"].append({
            "id": f"p{p['person_id']}",
            "birth_date": birth_date_for(p["age"], as_of, p["person_id"]).isoformat(),
            "disability": None if kind == "none" or not grade else {"kind": kind, "grade": grade},
            "serious_illness": p["serious_illness"],
            "income": {"wage": yuan_text(p["wage"]), "business": yuan_text(p["business"]),
                       "property": yuan_text(p["property"]), "transfer": yuan_text(p["transfer"]),
                       "assistance": "123.45", "awards": "0"},
            "deductions": {"social_insurance": yuan_text(p["social_insurance"]),
                           "income_tax": yuan_text(p["income_tax"]),
                           "medical_extra": yuan_text(p["medical_extra"])},
        })
    return requests
