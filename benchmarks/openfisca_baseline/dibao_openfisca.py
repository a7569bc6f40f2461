"""The dibao reference formula (补差, spec/reference-policy.md §3) as a minimal OpenFisca tax-benefit
system: the OpenFisca-Core baseline of ``jiuzhu bench rules``.

Run by the bench in a subprocess with an interpreter that has ``openfisca-core`` (a separate venv:
its numpy pins may clash with the project's), never imported by the project:

    python dibao_openfisca.py INPUT.npz TERMS.json [--repeat 3]

INPUT.npz holds the persons' and households' columns (money in integer fen, the disability kind as
a code, the area as ``urban`` 0/1); TERMS.json the policy's terms for the date as the exact integer
literals the columnar rules use (jiuzhu.batch.dibao_terms), keyed by area type. Each repeat loads
the arrays, builds a simulation (two entities, vectorised: no per-person dicts), sets the inputs and
computes every household's amount and every single-person enrollment (单人户施保) of an edge
household. Prints one JSON line: the median seconds (wall and CPU) and the totals the bench compares
with its own (households by status, amounts, enrollments).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import NamedTuple

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import MONTH
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

PERIOD = "2026-12"
INELIGIBLE, DIBAO, EDGE = 0, 1, 2
# disability kind codes of the input (0 = none)
PHYSICAL, INTELLECTUAL, MENTAL, VISUAL = 1, 2, 3, 4
PERSON_INPUTS = ("age", "wage", "business", "property", "transfer", "social_insurance", "income_tax",
                 "medical_extra", "disability_code", "disability_grade", "serious_illness")
HOUSEHOLD_INPUTS = ("urban", "financial", "vehicle_count", "max_vehicle_value", "residential_properties",
                    "business_registered_capital")

Person = build_entity(key="person", plural="persons", label="成员", is_person=True)
Household = build_entity(key="household", plural="households", label="家庭",
                         roles=[{"key": "member", "plural": "members", "label": "成员"}])


def _input(name: str, entity, value_type=int):
    return type(name, (Variable,), {"value_type": value_type, "entity": entity, "definition_period": MONTH,
                                    "label": name})


def _area(household, period, parameters, name: str):
    """The household's value of an area-dependent term (urban or rural)."""
    p = parameters(period).dibao
    return np.where(household("urban", period), p.urban[name], p.rural[name])


class counted_income(Variable):
    value_type, entity, definition_period, label = int, Person, MONTH, "计入收入（1/income_scale 分）"

    def formula(person, period, parameters):
        p = parameters(period).dibao
        wage = person("wage", period).astype(np.int64)
        gross = (wage + np.maximum(person("business", period), 0) + person("property", period)
                 + person("transfer", period))
        minus = person("social_insurance", period) + person("income_tax", period) + person("medical_extra", period)
        return (gross - minus) * p.income_scale - np.minimum(wage * p.deduction_rate_scaled, p.deduction_cap_scaled)


class _Member(NamedTuple):
    p: object  # the dibao parameters on the period
    age: np.ndarray
    ill: np.ndarray
    code: np.ndarray
    grade: np.ndarray
    disabled: np.ndarray
    mental: np.ndarray  # intellectual or mental disability


def _member(person, period, parameters) -> _Member:
    code, grade = person("disability_code", period), person("disability_grade", period)
    disabled = (code > 0) & (grade >= 1)
    return _Member(parameters(period).dibao, person("age", period), person("serious_illness", period), code, grade,
                   disabled, disabled & ((code == INTELLECTUAL) | (code == MENTAL)))


class special_member(Variable):
    value_type, entity, definition_period, label = bool, Person, MONTH, "特殊成员（重点保障）"

    def formula(person, period, parameters):
        m = _member(person, period, parameters)
        return ((m.age >= m.p.special_age_elderly) | (m.age < m.p.special_age_minor)
                | (m.disabled & (m.grade <= m.p.special_disability_max))
                | (m.mental & (m.grade <= m.p.special_mental_max)) | (m.ill & bool(m.p.special_illness)))


class without_labour(Variable):
    value_type, entity, definition_period, label = bool, Person, MONTH, "无劳动能力"

    def formula(person, period, parameters):
        m = _member(person, period, parameters)
        return ((m.age >= m.p.labour_age_elderly) | (m.age < m.p.labour_age_child)
                | (m.mental & (m.grade <= m.p.labour_mental_max))
                | (m.disabled & (m.code == PHYSICAL) & (m.grade <= m.p.labour_physical_max))
                | (m.disabled & (m.code == VISUAL) & (m.grade <= m.p.labour_visual_max))
                | (m.ill & bool(m.p.labour_illness)))


class single_eligible(Variable):
    value_type, entity, definition_period, label = bool, Person, MONTH, "可单人户施保"

    def formula(person, period, parameters):
        m = _member(person, period, parameters)
        return ((m.disabled & (m.grade <= m.p.single_disability_max)) | (m.mental & (m.grade <= m.p.single_mental_max))
                | (m.ill & bool(m.p.single_illness)))


class per_capita_income(Variable):
    value_type, entity, definition_period, label = int, Household, MONTH, "人均收入（分，四舍五入）"

    def formula(household, period, parameters):
        s = parameters(period).dibao.income_scale
        size = household.nb_persons().astype(np.int64)
        income = household.sum(household.members("counted_income", period)).astype(np.int64)
        return (np.maximum(income, 0) * 2 + size * s) // (size * s * 2)


class asset_fail(Variable):
    value_type, entity, definition_period, label = bool, Household, MONTH, "财产超标"

    def formula(household, period, parameters):
        p = parameters(period).dibao
        size = household.nb_persons().astype(np.int64)
        return ((household("financial", period).astype(np.int64) * p.financial_den
                 > size * _area(household, period, parameters, "financial_num"))
                | (household("vehicle_count", period) > p.vehicle_count_max)
                | (household("max_vehicle_value", period) > p.vehicle_value_max_fen)
                | (household("residential_properties", period) > p.property_max)
                | (household("business_registered_capital", period) > p.capital_max_fen))


class dibao_status(Variable):
    value_type, entity, definition_period, label = int, Household, MONTH, "0 不符合 / 1 低保 / 2 低保边缘"

    def formula(household, period, parameters):
        pci = household("per_capita_income", period)
        below = pci < _area(household, period, parameters, "standard_ceil_fen")
        edge = pci < _area(household, period, parameters, "edge_ceil_fen")
        return np.where(household("asset_fail", period), INELIGIBLE, np.where(below, DIBAO, np.where(edge, EDGE, INELIGIBLE)))


class dibao_amount(Variable):
    value_type, entity, definition_period, label = int, Household, MONTH, "月低保金（分）：人均收入差额 × 人数"

    def formula(household, period, parameters):
        p = parameters(period).dibao
        q, unit = p.amount_scale, p.rounding_unit_scaled
        size = household.nb_persons().astype(np.int64)
        standard = _area(household, period, parameters, "standard_scaled")
        pci = household("per_capita_income", period).astype(np.int64)
        unable_all = household.sum(np.logical_not(household.members("without_labour", period))) == 0
        specials = household.sum(household.members("special_member", period)).astype(np.int64)
        base = np.where(unable_all, size * standard, (standard - pci * q) * size)
        total = np.maximum(base, size * p.minimum_scaled) + specials * _area(household, period, parameters, "addon_scaled")
        amount = (total * 2 + unit) // (2 * unit) * (unit // q)
        return np.where(household("dibao_status", period) == DIBAO, amount, 0)


class single_person_amount(Variable):
    value_type, entity, definition_period, label = int, Person, MONTH, "单人户施保月金额（分；0 = 不施保）"

    def formula(person, period, parameters):
        p = parameters(period).dibao
        q, unit = p.amount_scale, p.rounding_unit_scaled
        household = person.household
        own = np.maximum(person("counted_income", period).astype(np.int64), 0) * (q // p.income_scale)
        gap = np.maximum(household(_area_of("standard_scaled"), period) - own, p.minimum_scaled)
        amount = (gap + household(_area_of("addon_scaled"), period)) * 2 + unit
        amount = amount // (2 * unit) * (unit // q)
        enrolled = person("single_eligible", period) & (household("dibao_status", period) == EDGE)
        return np.where(enrolled, amount, 0)


def _area_of(name: str) -> str:
    return f"area_{name}"


def _area_variable(name: str):
    def formula(household, period, parameters):
        return _area(household, period, parameters, name)
    return type(_area_of(name), (Variable,), {"value_type": int, "entity": Household, "definition_period": MONTH,
                                               "label": name, "formula": formula})


def tax_benefit_system(terms: dict) -> TaxBenefitSystem:
    """The system with the policy's terms as dated parameters (dibao.<term>, dibao.urban/rural.<term>)."""
    system = TaxBenefitSystem([Person, Household])
    first = terms["urban"]
    data = {key: {"values": {"2000-01-01": int(value)}} for key, value in first.items() if key not in ("tiers",)}
    for area in ("urban", "rural"):
        data[area] = {key: {"values": {"2000-01-01": int(value)}} for key, value in terms[area].items()
                      if key not in ("tiers",)}
    system.parameters = ParameterNode("", data={"dibao": data})
    for name in PERSON_INPUTS:
        system.add_variable(_input(name, Person, bool if name == "serious_illness" else int))
    for name in HOUSEHOLD_INPUTS:
        system.add_variable(_input(name, Household, bool if name == "urban" else int))
    for variable in (counted_income, special_member, without_labour, single_eligible, per_capita_income,
                     asset_fail, dibao_status, dibao_amount, single_person_amount):
        system.add_variable(variable)
    for name in ("standard_scaled", "addon_scaled"):
        system.add_variable(_area_variable(name))
    return system


def run_once(system: TaxBenefitSystem, path: str) -> dict:
    data = np.load(path)
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", data["person_id"])
    households = builder.declare_entity("household", data["household_id"])
    builder.join_with_persons(households, data["person_household_id"], np.zeros(data["person_id"].size, dtype=np.int64))
    simulation = builder.build(system)
    for name in PERSON_INPUTS + HOUSEHOLD_INPUTS:
        simulation.set_input(name, PERIOD, data[name])
    status = simulation.calculate("dibao_status", PERIOD)
    amount = simulation.calculate("dibao_amount", PERIOD)
    single = simulation.calculate("single_person_amount", PERIOD)
    enrolled = single > 0
    return {"households": int(status.size), "dibao": int((status == DIBAO).sum()), "edge": int((status == EDGE).sum()),
            "amount_fen": int(amount.astype(np.int64).sum()), "single_person": int(enrolled.sum()),
            "single_person_fen": int(single.astype(np.int64).sum())}


def main(argv: list[str]) -> int:
    path, terms_path = argv[1], argv[2]
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    with open(terms_path, encoding="utf-8") as handle:
        system = tax_benefit_system(json.load(handle))
    walls, cpus, totals = [], [], {}
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        totals = run_once(system, path)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    import openfisca_core

    version = getattr(openfisca_core, "__version__", None)
    if version is None:
        from importlib.metadata import version as _version
        version = _version("openfisca-core")
    print(json.dumps({"seconds": statistics.median(walls), "cpu_seconds": statistics.median(cpus),
                      "repeat": repeat, "openfisca_core": version, "totals": totals}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
