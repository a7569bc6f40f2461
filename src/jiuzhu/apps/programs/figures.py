"""One set of figures per case (issue 13 §1): the declaration, what 核对 found, and what the case uses.

The comparison (``rules.declared.compare``) runs under the county's tolerance; the guard
``verification_within_tolerance`` refuses "与申报一致" when an item differs beyond it. The case page,
the 初审 proposal and the documents (附件2–5, through the engine's lookup ``case_figures``) read the
same merged figures: verified where 核对 reported an item, declared otherwise, evaluated by the
rules engine (the proposal) so the per-capita income printed is the one the decision used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jiuzhu.apps.cases import config
from jiuzhu.apps.enrollment.standard import base_policy_name, region_policy
from jiuzhu.apps.registry.declared import declared_assets_of, declared_income_of
from jiuzhu.apps.registry.models import Membership, Person
from jiuzhu.rules import declared as rules
from jiuzhu.rules.errors import DomainError, ValidationFailed
from jiuzhu.rules.income import household_income
from jiuzhu.rules.params.loader import load_policy
from jiuzhu.rules.parse import parse_facts
from jiuzhu.rules.terms import terms_for

from .proposal import propose

CENT = Decimal("0.01")


def covered_people(case) -> list[Person]:
    """Whom the case's figures cover, as the proposal reads them: the applicant for 特困, else the
    household's current co-resident members."""
    if case.program == "tekun":
        return [case.applicant]
    return [m.person for m in Membership.objects.filter(household=case.household, end_date__isnull=True,
                                                        co_resident=True).select_related("person").order_by("id")]


def verification_items(case) -> list[dict] | None:
    """The items of the latest recorded 核对 result, or None when there is none yet."""
    record = case.records.filter(kind="verification").order_by("-id").first()
    return None if record is None else list(record.data.get("items", []))


def _names(case, items) -> dict[str, str]:
    ids = {int(i["member"]) for i in items if str(i.get("member", "")).isdigit()}
    ids |= {p.pk for p in covered_people(case)}
    return {str(pk): name for pk, name in Person.objects.filter(pk__in=ids).values_list("pk", "name")}


def tolerance(case, as_of: date) -> rules.Tolerance:
    return rules.tolerance_for(region_policy(case.region_id), as_of)


def compare(case, items, as_of: date) -> tuple[list[rules.Row], rules.Tolerance]:
    declared = {str(p.pk): declared_income_of(p) for p in covered_people(case)}
    tol = tolerance(case, as_of)
    return rules.compare(declared, declared_assets_of(case.household), items, tol), tol


def _money(value: Decimal | None, count: bool) -> str:
    if value is None:
        return "—"
    return str(int(value)) if count else str(value.quantize(CENT))


def comparison_view(case, items, as_of: date) -> dict:
    """The declared-vs-verified table of a page: one row per item with names and Chinese labels."""
    items = list(items or [])
    rows, tol = compare(case, items, as_of)
    names = _names(case, items)
    out = []
    for r in rows:
        count = r.item in rules.COUNT_ASSETS
        diff = r.difference
        out.append({"name": names.get(r.member, f"成员 {r.member}") if r.member else "全户", "item": r.item,
                    "label": r.label, "declared": _money(r.declared, count), "verified": _money(r.verified, count),
                    "difference": "—" if diff is None else (f"{int(diff):+d}" if count else f"{diff.quantize(CENT):+}"),
                    "used": _money(r.used, count), "within": r.within, "verified_present": r.verified is not None})
    return {"rows": out, "tolerance": tol.text(), "tolerance_source": tol.source,
            "differing": [r for r in out if not r["within"]]}


def _usable(items) -> list[dict]:
    """The items of a form that can be compared (a half-filled row is left out; its error is on the form)."""
    out = []
    for it in items if isinstance(items, list) else []:
        if not (isinstance(it, dict) and str(it.get("member", "")).isdigit() and it.get("item")):
            continue
        try:
            amount = Decimal(str(it.get("amount"))).quantize(CENT)
        except ArithmeticError:
            continue
        if amount.is_finite():
            out.append({"member": int(it["member"]), "item": str(it["item"]), "amount": amount})
    return out


def comparison_or_none(case, items, as_of: date) -> dict | None:
    """``comparison_view`` of possibly unchecked form items; None when the region has no policy in force."""
    try:
        return comparison_view(case, _usable(items), as_of)
    except DomainError:
        return None


def verification_within_tolerance(ctx):
    """Guard of ``record_verification``: "与申报一致" only when every item verified agrees with the
    declaration within the county tolerance (R-VER-05); the error names each differing item."""
    payload = ctx.payload
    if payload is None or getattr(payload, "conclusion", None) != "consistent" or not payload.items:
        return  # listing actions, an "inconsistent" result, or nothing verified: nothing to hold back
    items = [i.model_dump(mode="json") for i in payload.items]
    view = comparison_view(ctx.case, items, ctx.today)
    bad = view["differing"]
    if bad:
        listed = "；".join(f"{r['name']} {r['label']} 申报 {r['declared']}、核对 {r['verified']}" for r in bad)
        raise ValidationFailed(
            "verification.differs_from_declaration",
            f"核对数据与申报不一致，不能记录“与申报一致”：{listed}（容差：{view['tolerance']}）",
            field="conclusion", items=[{"name": r["name"], "item": r["item"], "declared": r["declared"],
                                        "verified": r["verified"]} for r in bad])


@dataclass(frozen=True)
class CaseFigures:
    """What the documents print: the source, each covered member's monthly income by kind, the
    household's counted income and the per-capita income of the rules engine's evaluation."""

    basis: str  # whether 核对 has replaced the declaration
    income: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    assets: dict[str, Decimal] = field(default_factory=dict)
    household_income: Decimal = Decimal("0.00")
    per_capita_income: Decimal = Decimal("0.00")


def _policy(case, name: str):
    return region_policy(case.region_id) if name in ("", None, base_policy_name(case.region_id)) else load_policy(name)


def case_figures(case, on: date) -> CaseFigures | None:
    """The figures of the case's proposal (the stored 初审 one, else evaluated on ``on``); None when
    the rules engine cannot evaluate the case (no policy in force …): the documents then print the
    declaration as it is."""
    try:
        proposal = case.proposal if (case.proposal or {}).get("result") else \
            propose(case, policy=config.region_config(case.region_id).policy, as_of=on)
        request, result = proposal["request"], proposal["result"]
        facts = parse_facts(request)
        terms = terms_for(_policy(case, proposal.get("policy", "")), facts.as_of, facts.area_type)
        total = household_income(facts, terms)
    except (DomainError, KeyError, ValueError):
        return None
    items = verification_items(case)
    income = {int(m["id"]): {k: Decimal(v) for k, v in m["income"].items()} for m in request["members"]}
    assets = declared_assets_of(case.household)
    assets.update(rules.verified_assets(items or []))
    return CaseFigures(basis="申报数据（尚未核对）" if items is None else "核对后数据（核对未报告的项目按申报）", income=income, assets=assets,
                       household_income=total.quantize(CENT), per_capita_income=Decimal(result["per_capita_income"]))
