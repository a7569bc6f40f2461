"""The persons a verification request covers, as the batch job's input tables.

For each case: the household's co-resident members (blind index from the registry) and its legal
support obligors (R-HH-10; their ID numbers are decrypted in bulk, validated and blind-indexed here;
an obligor without a valid ID number is listed as not verifiable with the reason). Declared monthly
income and declared assets come from the registry, in integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pyarrow as pa

from jiuzhu.apps.enrollment.standard import region_policies
from jiuzhu.apps.registry.choices import ObligorRelation
from jiuzhu.apps.registry.models import Household, Membership, Obligor
from jiuzhu.batch.verification import HOUSEHOLDS_SCHEMA, PERSONS_SCHEMA
from jiuzhu.core.crypto import keyring
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import ValidationFailed

CHUNK = 2000


def fen(value) -> int:
    return int((Decimal(value or 0) * 100).to_integral_value())


@dataclass
class PersonInfo:
    role: str  # member | obligor
    ref_id: int
    name: str
    id_masked: str
    verifiable: bool
    reason: str = ""
    relation: str = ""  # obligors: relation to the supported member
    disability_kind: str = "none"
    disability_grade: int = 0


@dataclass
class Inputs:
    persons: pa.Table
    households: pa.Table
    info: dict = field(default_factory=dict)  # (case_id, role, ref_id) → PersonInfo
    policies: dict = field(default_factory=dict)  # case_id → policy key (enrollment.standard.region_policies)
    household_info: dict = field(default_factory=dict)  # case_id → {number, head_name, region, ...}
    policy_objects: dict = field(default_factory=dict)  # policy key → Policy (files + applied standard changes)


def _obligor_key(ring, token: str, as_of: date) -> tuple[str | None, str]:
    if not token:
        return None, "未登记身份证号"
    try:
        number = idcard.parse(ring.decrypt(token, purpose="id_number"), as_of=as_of).value
    except ValidationFailed as exc:
        return None, exc.message
    except Exception:  # noqa: BLE001  (unreadable ciphertext: key missing or data damaged)
        return None, "身份证号无法解密"
    return number, ""


def case_inputs(cases, *, as_of: date) -> Inputs:
    """Input tables for ``cases`` (Case objects with ``household`` loaded)."""
    ring = keyring()
    by_household = {}
    for case in cases:
        by_household.setdefault(case.household_id, []).append(case)
    region_policy = region_policies({c.region_id for c in cases})
    person_rows, household_rows, info, policies, hh_info = [], [], {}, {}, {}
    hh_ids = sorted(by_household)
    for start in range(0, len(hh_ids), CHUNK):
        chunk = hh_ids[start:start + CHUNK]
        members = {}
        for m in (Membership.objects.filter(household_id__in=chunk, end_date__isnull=True, co_resident=True)
                  .select_related("person").order_by("household_id", "id")):
            members.setdefault(m.household_id, []).append(m.person)
        obligors = {}
        for o in Obligor.objects.filter(household_id__in=chunk).order_by("household_id", "id"):
            obligors.setdefault(o.household_id, []).append(o)
        numbers = {o.pk: _obligor_key(ring, o.id_number_enc, as_of) for os_ in obligors.values() for o in os_}
        valid = sorted({n for n, _ in numbers.values() if n})
        index = dict(zip(valid, ring.blind_index_many(valid, purpose="id_number")))
        households = Household.objects.in_bulk(chunk)
        for hid in chunk:
            hh = households[hid]
            people = members.get(hid, [])
            for case in by_household[hid]:
                policy = region_policy[case.region_id][0]
                policies[case.pk] = policy
                hh_info[case.pk] = {"number": hh.number, "head_name": hh.head_name, "region": hh.region_id,
                                    "area_type": hh.area_type, "size": len(people), "address": hh.address}
                household_rows.append({
                    "case_id": case.pk, "household_id": hid, "area_type": hh.area_type, "policy": policy,
                    "size": max(len(people), 1), "financial": fen(hh.financial_assets),
                    "vehicle_count": hh.vehicle_count, "max_vehicle_value": fen(hh.max_vehicle_value),
                    "residential_properties": hh.residential_properties, "business_capital": fen(hh.business_capital)})
                for p in people:
                    ok = bool(p.id_number_bidx)
                    person_rows.append({"case_id": case.pk, "household_id": hid, "role": "member", "ref_id": p.pk,
                                        "bidx": p.id_number_bidx or None, "wage": fen(p.wage),
                                        "business": fen(p.business), "property": fen(p.property_income),
                                        "transfer": fen(p.transfer)})
                    info[(case.pk, "member", p.pk)] = PersonInfo(
                        "member", p.pk, p.name, p.id_number_masked, ok, "" if ok else "未登记身份证号",
                        disability_kind=p.disability_kind, disability_grade=p.disability_grade)
                for o in obligors.get(hid, []):
                    number, reason = numbers[o.pk]
                    person_rows.append({"case_id": case.pk, "household_id": hid, "role": "obligor", "ref_id": o.pk,
                                        "bidx": index.get(number) if number else None, "wage": 0, "business": 0,
                                        "property": 0, "transfer": 0})
                    info[(case.pk, "obligor", o.pk)] = PersonInfo(
                        "obligor", o.pk, o.name, o.id_number_masked or "—", bool(number), reason,
                        relation=ObligorRelation(o.relation).label if o.relation in ObligorRelation.values else o.relation)
    return Inputs(pa.Table.from_pylist(person_rows, schema=PERSONS_SCHEMA),
                  pa.Table.from_pylist(household_rows, schema=HOUSEHOLDS_SCHEMA), info, policies, hh_info,
                  {key: policy for key, policy in region_policy.values()})


def registry_population(households: int, *, as_of: date, seed: int = 0):
    """The registry's first ``households`` households (members and obligors with an ID number) as a
    synthetic-data population (jiuzhu.batch.synthetic_population.Population), for realistic demo files
    that match real cases."""
    import numpy as np

    from jiuzhu.batch.synthetic_population import traits

    ring = keyring()
    hh_ids = list(Household.objects.filter(minimal=False).order_by("id").values_list("id", flat=True)[:households])
    numbers, names = [], []
    for start in range(0, len(hh_ids), CHUNK):
        chunk = hh_ids[start:start + CHUNK]
        for enc, name in (Membership.objects.filter(household_id__in=chunk, end_date__isnull=True)
                          .order_by("id").values_list("person__id_number_enc", "person__name")):
            numbers.append(ring.decrypt(enc, purpose="id_number"))
            names.append(name)
        for enc, name in Obligor.objects.filter(household_id__in=chunk).exclude(id_number_enc="").order_by(
                "id").values_list("id_number_enc", "name"):
            number, _ = _obligor_key(ring, enc, as_of)
            if number:
                numbers.append(number)
                names.append(name)
    born = [idcard.parse(n).birth_date for n in numbers]
    age = np.array([(as_of - b).days // 365 for b in born], dtype=np.int64)
    sex = np.array([int(n[16]) % 2 for n in numbers], dtype=np.int8)
    population = traits(age, sex, seed)
    population.id_number = pa.array(numbers, pa.string())
    population.name = pa.array(names, pa.string())
    return population
