"""The rules engine's proposal for a case: the registry's declaration, overridden by what
verification found, evaluated under the region's policy on the review date (R-DB-02/03, R-TK-*)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from jiuzhu.apps.enrollment.standard import region_evaluate
from jiuzhu.apps.registry.models import Household, Membership

INCOME_ITEMS = ("wage", "business", "property", "transfer")
DEDUCTION_ITEMS = ("social_insurance", "income_tax", "medical_extra")


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _verified(case) -> tuple[dict, dict]:
    """(per-member {item: total}, household {item: [amounts]}) from the latest verification report."""
    record = case.records.filter(kind="verification").order_by("-id").first()
    per_member: dict = defaultdict(lambda: defaultdict(Decimal))
    household: dict = defaultdict(list)
    for item in (record.data.get("items", []) if record else []):
        kind, amount = item["item"], Decimal(str(item["amount"]))
        if kind in INCOME_ITEMS or kind in DEDUCTION_ITEMS:
            per_member[int(item["member"])][kind] += amount
        else:
            household[kind].append(amount)
    return per_member, household


def _member(person, verified: dict, survey: dict | None) -> dict:
    declared = {"wage": person.wage, "business": person.business, "property": person.property_income,
                "transfer": person.transfer}
    found = verified.get(person.pk, {})
    income = {k: _money(found[k] if k in found else declared[k]) for k in INCOME_ITEMS}
    deductions = {k: _money(found.get(k, 0)) for k in DEDUCTION_ITEMS}
    grade = person.disability_grade if person.disability_kind != "none" else 0
    member = {
        "id": str(person.pk), "birth_date": person.birth_date.isoformat(),
        "disability": {"kind": person.disability_kind, "grade": grade} if grade else None,
        "serious_illness": person.health == "serious", "income": income, "deductions": deductions,
    }
    if survey and survey.get("adl_failed") is not None:
        member["adl_failed"] = survey["adl_failed"]
    return member


def _assets(hh: Household, found: dict) -> dict:
    if "vehicle" in found:
        vehicles = [{"kind": "car", "value": _money(v)} for v in found["vehicle"]]
    else:
        vehicles = [{"kind": "car", "value": _money(hh.max_vehicle_value if i == 0 else 0)}
                    for i in range(hh.vehicle_count)]
    return {
        "financial": _money(sum(found["financial"]) if "financial" in found else hh.financial_assets),
        "vehicles": vehicles,
        "residential_properties": len(found["residential_property"]) if "residential_property" in found
        else hh.residential_properties,
        "business_registered_capital": _money(sum(found["business_capital"]) if "business_capital" in found
                                              else hh.business_capital),
    }


def rules_request(case, as_of: date) -> dict:
    """The §6 request the rules engine evaluates for this case on ``as_of``."""
    hh = case.household
    survey_rec = case.records.filter(kind="survey").order_by("-id").first()
    survey = survey_rec.data if survey_rec else None
    per_member, household_found = _verified(case)
    if case.program == "tekun":
        people = [case.applicant]
    else:
        people = [m.person for m in Membership.objects.filter(household=hh, end_date__isnull=True, co_resident=True)
                  .select_related("person").order_by("id")]
    request = {
        "program": case.program, "as_of": as_of.isoformat(), "area_type": hh.area_type,
        "members": [_member(p, per_member, survey) for p in people],
        "assets": _assets(hh, household_found),
    }
    if case.program == "tekun":
        request["obligors_able"] = bool(survey and survey.get("obligors_able"))
    else:
        obligors = _obligors(case)
        if obligors:
            request["obligors"] = obligors
    return request


def _obligors(case) -> list[dict]:
    """The household's non-co-resident legal obligors (年审 plan 三(2)四): their household's income and
    financial assets as 核对 found them, else as declared (those without a declared income are left out)."""
    record = case.records.filter(kind="verification").order_by("-id").first()
    verified = {int(o["obligor"]): o for o in (record.data.get("obligors", []) if record else [])}
    out = []
    for o in case.household.obligors.order_by("id"):
        found = verified.get(o.pk)
        income = found["monthly_income"] if found else o.monthly_income
        if income is None:
            continue
        entry = {"id": f"o{o.pk}", "monthly_income": _money(income), "household_size": o.household_size or 1}
        if found and Decimal(str(found.get("financial") or 0)):
            entry["financial"] = _money(found["financial"])
        out.append(entry)
    return out


def propose(case, *, policy: str, as_of: date) -> dict:
    """Evaluate and keep the request beside the result, so the proposal can be re-derived."""
    request = rules_request(case, as_of)
    result = region_evaluate(request, region_code=case.region_id, policy=policy)  # applied standard changes too
    return {"policy": policy, "as_of": as_of.isoformat(), "request": request, "result": result}
