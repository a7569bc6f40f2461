"""Evaluate a request for one program under a named policy and render the output of
spec/reference-policy.md §7. Pure: the date is ``as_of`` from the request, never the clock.

Programs: ``dibao`` (补差 or, where the region's ``dibao.method`` is ``tiered``, 分档), ``tekun``,
``temporary``, and the extensions ``rigid_expenditure`` and ``graduation`` (:mod:`.extensions`).
"""

from __future__ import annotations

from .assets import asset_failures
from .dibao import evaluate_dibao
from .explain import Trace
from .extensions import EXTENSION_PROGRAMS
from .income import per_capita_income
from .model import HouseholdFacts, Result
from .obligors import with_obligor_assets
from .params import Policy, load_policy
from .parse import parse_facts
from .rounding import money_text
from .tekun import evaluate_tekun
from .temporary import evaluate_temporary
from .terms import terms_for
from .tiered import METHOD_TIERED, evaluate_dibao_by_method, tier_terms_for

_PROGRAMS = {"dibao": evaluate_dibao, "tekun": evaluate_tekun, "temporary": evaluate_temporary}
UNVERIFIED_RULE = "PARAM"  # trace steps about the provenance of the parameters themselves


def note_unverified(policy: Policy, as_of, trace: Trace) -> None:
    """Say in the trace which parameters in force are demo values marked 待核实 (nothing for cited policies)."""
    keys = policy.unverified_keys(as_of)
    if keys:
        trace.add(UNVERIFIED_RULE, f"注意：政策 {policy.name} 中以下 {len(keys)} 项参数为示例值，待核实，"
                                   f"不得作为正式决定依据：{'、'.join(keys)}", "示例值，待核实")


def evaluate_facts(facts: HouseholdFacts, policy: Policy) -> Result:
    """Run the program's rules on parsed facts; every step lands in the trace in order."""
    terms = terms_for(policy, facts.as_of, facts.area_type)
    trace = Trace()
    area = "城市" if facts.area_type == "urban" else "农村"
    trace.add("R-DB-02", f"{area}低保标准（政策 {policy.name}，自 {terms.standard_start.isoformat()} 起；"
                         f"出处：{terms.standard_source}）", terms.standard)
    note_unverified(policy, facts.as_of, trace)
    pci = per_capita_income(facts, terms, trace)
    facts = with_obligor_assets(facts, terms, trace)  # 年审 plan 三(2)四: obligors' assets as the region counts them
    if facts.program in EXTENSION_PROGRAMS:  # they run their own asset test, or none
        decision = EXTENSION_PROGRAMS[facts.program](facts, pci, policy, terms, trace)
    else:
        codes = asset_failures(facts.assets, facts.size, terms, trace)
        if facts.program == "dibao" and terms.benefit_method == METHOD_TIERED:  # 分档 where the region selects it
            decision = evaluate_dibao_by_method(facts, pci, codes, terms, trace, tier_terms_for(policy, facts.as_of))
        else:
            decision = _PROGRAMS[facts.program](facts, pci, codes, terms, trace)
    return Result(facts=facts, policy=policy.name, standard=terms.standard, per_capita_income=pci,
                  decision=decision, trace=trace.steps())


def result_dict(result: Result) -> dict:
    """The §7 output document: money as two-decimal strings, reasons sorted, nulls as specified."""
    d, f = result.decision, result.facts
    out = {
        "program": f.program,
        "policy": result.policy,
        "as_of": f.as_of.isoformat(),
        "area_type": f.area_type,
        "standard": money_text(result.standard),
        "household_size": f.size,
        "per_capita_income": money_text(result.per_capita_income),
        "status": d.status,
        "eligible": d.eligible,
        "reasons": sorted(set(d.reasons)),
        "class": d.dibao_class if d.status == "dibao" else None,
        "monthly_amount": money_text(d.monthly_amount) if d.eligible else "0.00",
        "recheck_months": d.recheck_months if d.status == "dibao" else None,
        "single_person_enrollments": [
            {"member": e.member, "monthly_amount": money_text(e.monthly_amount)} for e in d.single_person_enrollments
        ] if d.status == "edge" else [],
        "care_level": d.care_level if d.status == "tekun" else None,
        "approval_level": d.approval_level if d.status == "temporary" else None,
        "trace": [step.as_dict() for step in result.trace],
    }
    if f.program in EXTENSION_PROGRAMS:  # extension programs add one block named after the program
        out = {**{k: v for k, v in out.items() if k != "trace"}, f.program: d.details, "trace": out["trace"]}
    return out


def evaluate(data, policy_name: str = "reference") -> dict:
    """Validate ``data`` (the §6 request as a dict), evaluate it under ``policy_name``, return §7 output.

    Raises ``ValidationFailed`` (code, Chinese message, ``field``) for bad input, an unknown policy
    (field ``policy``) or an ``as_of`` with no policy in force (field ``as_of``)."""
    policy = load_policy(policy_name)
    facts = parse_facts(data)
    return result_dict(evaluate_facts(facts, policy))
