"""The verification report of one case, built from the batch job's tables: every item with its source
and date, totals, the region's asset test (rules engine, with its trace), differences to the
declaration and the persons who could not be verified (不可核对). Plain JSON; its SM3 digest over
the canonical form identifies the content (same request on the same snapshots → same digest)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

from jiuzhu.batch.datasets import (
    ASSET_ITEMS,
    DATASETS,
    INCOME_ITEMS,
    ITEM_LABELS,
    MONTHLY_LABEL,
    PAYLOAD_ITEMS,
    category_of,
)
from jiuzhu.batch.verification import MONTHLY, TOLERANCE_FEN
from jiuzhu.core.crypto import sm3_hex
from jiuzhu.rules.assets import asset_failures
from jiuzhu.rules.explain import Trace
from jiuzhu.rules.model import Assets, Vehicle
from jiuzhu.rules.terms import terms_for

NOTE_MAX = 480
ROLE_LABELS = {"member": "家庭成员", "obligor": "赡(抚、扶)养义务人"}
AST_LABELS = {"AST_FINANCIAL": "人均金融资产超过上限", "AST_VEHICLE": "机动车超过规定",
              "AST_PROPERTY": "住房套数超过上限", "AST_BUSINESS": "市场主体出资超过上限"}
DISABILITY = {"physical": "肢体", "intellectual": "智力", "mental": "精神", "visual": "视力", "hearing": "听力",
              "speech": "言语", "multiple": "多重", "none": "无"}
DECLARED_ASSETS = (("financial", "v_financial", "金融资产（元）", True), ("vehicle_count", "v_vehicle_count", "机动车（辆）", False),
                   ("max_vehicle_value", "v_max_vehicle_value", "最高车辆价值（元）", True),
                   ("residential_properties", "v_residential", "住房（套）", False),
                   ("business_capital", "v_business_capital", "市场主体出资（元）", True))


def yuan(fen_value: int) -> str:
    sign = "-" if fen_value < 0 else ""
    fen_value = abs(int(fen_value))
    return f"{sign}{fen_value // 100}.{fen_value % 100:02d}"


def digest(data: dict) -> str:
    return sm3_hex(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())


def _detail(code: str, rule_no: int, detail: str) -> str:
    rule = DATASETS[code].rules[rule_no]
    if not detail:
        return ""
    parts = []
    for col, value in zip(rule.detail, detail.split("|")):
        column = DATASETS[code].column(col)
        label = dict(column.choices).get(value, value) if column.choices else value
        if col == "grade" and value:
            label = f"{value}级"
        if label:
            parts.append(label)
    return " ".join(parts)


def _item_row(r: dict, info) -> dict:
    code, rule_no = r["source"], r["rule_no"]
    rule = DATASETS[code].rules[rule_no]
    person = info[(r["case_id"], r["role"], r["ref_id"])]
    note = rule.excluded[2] if rule.excluded and not r["counted"] and rule.counted else ""
    return {"role": r["role"], "ref": r["ref_id"], "name": person.name, "source": code,
            "source_name": DATASETS[code].name, "item": r["item"], "item_label": ITEM_LABELS[r["item"]],
            "category": category_of(r["item"]), "amount": yuan(r["amount_fen"]),
            "basis": MONTHLY_LABEL if rule.mode == "period" else "", "as_of": r["as_of"].isoformat(),
            "records": r["records"], "counted": bool(r["counted"]), "group": r["grp"], "rule": rule.rule,
            "detail": _detail(code, rule_no, r["detail"]), "note": note}


def _asset_test(key: str, policy, as_of: date, hh: dict, size: int) -> dict:
    """The asset test under ``policy`` (the region's policy files with its applied standard changes;
    ``key`` is its name, ``+`` the change ids when there are any)."""
    terms = terms_for(policy, as_of, hh["area_type"])
    vehicles = tuple(Vehicle("car", Decimal(v) / 100) for v in hh["vehicle_values"])
    assets = Assets(financial=Decimal(hh["v_financial"]) / 100, vehicles=vehicles,
                    residential_properties=hh["v_residential"],
                    business_registered_capital=Decimal(hh["v_business_capital"]) / 100)
    trace = Trace()
    codes = asset_failures(assets, size, terms, trace)
    name, _, changes = key.partition("+")
    return {"policy": name, "standard_changes": [int(c) for c in changes.split(".") if c], "failures": codes, "failure_labels": [AST_LABELS[c] for c in codes],
            "trace": [s.as_dict() for s in trace.steps()]}


def build_reports(result, inputs, *, as_of: date, months: int, snapshots: list[dict]) -> dict[int, dict]:
    """case_id → report content (no ids of the request or report: those are not part of the digest)."""
    items_by_case = defaultdict(list)
    for r in result.items.to_pylist():
        items_by_case[r["case_id"]].append(r)
    persons_by_case = defaultdict(list)
    for r in result.persons.to_pylist():
        persons_by_case[r["case_id"]].append(r)
    reports = {}
    for hh in result.households.to_pylist():
        case_id = hh["case_id"]
        raw = items_by_case.get(case_id, [])
        items = [_item_row(r, inputs.info) for r in raw]
        hh["vehicle_values"] = [r["amount_fen"] for r in raw if r["role"] == "member" and r["item"] == "vehicle"
                                and r["counted"]]
        reports[case_id] = _report(case_id, hh, items, persons_by_case.get(case_id, []), inputs, as_of=as_of,
                                   months=months, snapshots=snapshots)
    return reports


def _differences(hh: dict, persons: list[dict], items: list[dict], inputs, case_id: int) -> list[dict]:
    out = []
    for p in persons:
        if p["role"] != "member" or not p["verifiable"]:
            continue
        name = inputs.info[(case_id, "member", p["ref_id"])].name
        for k in INCOME_ITEMS:
            if abs(p[k] - p[f"declared_{k}"]) > TOLERANCE_FEN:
                out.append({"name": name, "ref": p["ref_id"], "item": ITEM_LABELS[k] + "（元/月）",
                            "declared": yuan(p[f"declared_{k}"]), "verified": yuan(p[k]),
                            "difference": yuan(p[k] - p[f"declared_{k}"])})
    for declared, verified, label, money in DECLARED_ASSETS:
        if hh[declared] != hh[verified]:
            fmt = yuan if money else str
            out.append({"name": "全户", "ref": None, "item": label, "declared": fmt(hh[declared]),
                        "verified": fmt(hh[verified]),
                        "difference": yuan(hh[verified] - hh[declared]) if money else str(hh[verified] - hh[declared])})
    for it in items:
        if it["role"] != "member":
            continue
        if it["item"] in ("deceased", "hukou_cancelled"):
            out.append({"name": it["name"], "ref": it["ref"], "item": it["item_label"], "declared": "共同生活成员",
                        "verified": f"{it['item_label']}（{it['as_of']}）{it['detail']}".strip(), "difference": "—"})
        elif it["item"] == "disability":
            person = inputs.info[(case_id, "member", it["ref"])]
            declared = f"{DISABILITY.get(person.disability_kind, person.disability_kind)}{person.disability_grade or ''}"
            if person.disability_kind == "none" or f"{person.disability_grade}级" not in it["detail"]:
                out.append({"name": it["name"], "ref": it["ref"], "item": "残疾类别、等级",
                            "declared": declared if person.disability_kind != "none" else "无",
                            "verified": it["detail"], "difference": "—"})
    return out


def _report(case_id, hh, items, persons, inputs, *, as_of, months, snapshots) -> dict:
    info = inputs.household_info[case_id]
    people = [inputs.info[(case_id, p["role"], p["ref_id"])] for p in persons]
    monthly = {(p["role"], p["ref_id"]): {k: yuan(p[k]) for k in MONTHLY if p[k]} for p in persons}
    not_verifiable = [{"role": p.role, "role_label": ROLE_LABELS[p.role], "name": p.name, "id_masked": p.id_masked,
                       "reason": p.reason} for p in people if not p.verifiable]
    differences = _differences(hh, persons, items, inputs, case_id)
    members_unverifiable = any(p.role == "member" and not p.verifiable for p in people)
    consistent = not differences and not members_unverifiable
    totals = {k: yuan(hh[f"v_{k}"]) for k in INCOME_ITEMS + ("social_insurance", "income_tax", "medical_extra")}
    size = max(hh["size"], 1)
    return {
        "case": case_id, "as_of": as_of.isoformat(), "period_months": months,
        "household": {"number": info["number"], "head_name": info["head_name"], "region": info["region"],
                      "area_type": info["area_type"], "size": info["size"], "address": info["address"]},
        "snapshots": snapshots,
        "persons": [{"role": p.role, "role_label": ROLE_LABELS[p.role], "ref": p.ref_id, "name": p.name,
                     "id_masked": p.id_masked, "relation": p.relation, "verifiable": p.verifiable,
                     "reason": p.reason, "monthly": monthly[(p.role, p.ref_id)]} for p in people],
        "items": items,
        "totals": {"monthly": totals, "net_monthly": yuan(hh["net_monthly"]),
                   "per_capita_monthly": yuan(hh["net_monthly"] // size if hh["net_monthly"] >= 0 else -(-hh["net_monthly"] // size)),
                   "financial": yuan(hh["v_financial"]), "vehicles": hh["v_vehicle_count"],
                   "max_vehicle_value": yuan(hh["v_max_vehicle_value"]), "residential_properties": hh["v_residential"],
                   "business_capital": yuan(hh["v_business_capital"])},
        "asset_test": _asset_test(inputs.policies[case_id], inputs.policy_objects[inputs.policies[case_id]],
                                  as_of, hh, size),
        "asset_flags": {"AST_FINANCIAL": hh["ast_financial"], "AST_VEHICLE": hh["ast_vehicle"],
                        "AST_PROPERTY": hh["ast_property"], "AST_BUSINESS": hh["ast_business"]},
        "differences": differences,
        "not_verifiable": not_verifiable,
        "conclusion": "consistent" if consistent else "inconsistent",
    }


def payload(report: dict, number: str) -> dict:
    """The record_verification payload (apps/cases/payloads.py VerificationPayload) from a report:
    members' counted items only; an income seen by two departments (same group) is sent once, from
    the source with the larger amount, so the case's totals add up as the report's."""
    chosen = {}
    assets = []
    for it in report["items"]:
        if it["role"] != "member" or not it["counted"] or it["item"] not in PAYLOAD_ITEMS:
            continue
        entry = {"member": it["ref"], "source": it["source_name"][:60], "item": it["item"], "amount": it["amount"],
                 "as_of": it["as_of"]}
        if it["item"] in ASSET_ITEMS:
            assets.append(entry)
            continue
        key = (it["ref"], it["item"], it["group"])
        if key not in chosen or Decimal(it["amount"]) > Decimal(chosen[key]["amount"]):
            chosen[key] = entry
    items = [chosen[k] for k in sorted(chosen, key=lambda k: (k[0], k[1], k[2]))] + assets
    out = {"items": items, "conclusion": report["conclusion"], "note": note(report, number)}
    obligors = _obligors(report)
    if obligors:
        out["obligors"] = obligors
    return out


def _obligors(report: dict) -> list[dict]:
    """Verifiable non-co-resident obligors' monthly income and financial assets (年审 plan 三(2)四)."""
    financial: dict = defaultdict(int)
    for it in report["items"]:
        if it["role"] == "obligor" and it["counted"] and it["item"] == "financial":
            financial[it["ref"]] += int(Decimal(it["amount"]) * 100)
    return [{"obligor": p["ref"], "as_of": report["as_of"],
             "monthly_income": yuan(sum(int(Decimal(p["monthly"].get(k, "0")) * 100) for k in INCOME_ITEMS)),
             "financial": yuan(financial.get(p["ref"], 0))}
            for p in report["persons"] if p["role"] == "obligor" and p["verifiable"]]


def note(report: dict, number: str) -> str:
    """A short summary for the case record (the full report stays here, its number is first)."""
    parts = [f"核对报告 {number}（基准日 {report['as_of']}，收入按近 {report['period_months']} 个月月均，"
             f"{len(report['snapshots'])} 个部门数据）"]
    if report["not_verifiable"]:
        parts.append("不可核对：" + "、".join(f"{p['name']}（{p['role_label']}，{p['reason']}）"
                                          for p in report["not_verifiable"]))
    if report["asset_test"]["failures"]:
        parts.append("财产：" + "、".join(report["asset_test"]["failure_labels"]))
    if report["differences"]:
        parts.append("差异：" + "；".join(f"{d['name']} {d['item']} 申报 {d['declared']}，核对 {d['verified']}"
                                        for d in report["differences"]))
    obligors = [(p["name"], sum(int(Decimal(p["monthly"].get(k, "0")) * 100) for k in INCOME_ITEMS))
                for p in report["persons"] if p["role"] == "obligor" and p["verifiable"]]
    if obligors:
        parts.append("义务人月收入：" + "、".join(f"{n} {yuan(v)} 元" for n, v in obligors))
    text = "。".join(parts)
    # the case engine copies the note into the event's and the audit log's reason (max 500 characters)
    return text if len(text) <= NOTE_MAX else text[:NOTE_MAX - 2] + "……"
