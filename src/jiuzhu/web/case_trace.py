"""The rules engine's trace as the case page shows it: members by name (not database ids), and each
step's legal basis — the documents and articles, the rule ID, and for the 待核实 note the parameters
with their Chinese names and sources — behind a 依据 disclosure instead of a raw list of keys."""

from __future__ import annotations

from datetime import date

from jiuzhu.rules.basis import (
    PARAM_RULE,
    PARAM_SPLIT,
    name_members,
    param_label,
    rule_basis,
    source_text,
    source_title,
    split_cited_source,
)
from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.params import Policy, load_policy


def _params(policy_name: str, as_of: str, keys: list[str]) -> list[dict]:
    policy: Policy | None = None
    day: date | None = None
    try:
        policy, day = load_policy(policy_name), date.fromisoformat(as_of)
    except (DomainError, ValueError, TypeError):
        policy = None
    out = []
    for key in keys:
        source = ""
        if policy is not None and day is not None:
            try:
                source = source_text(policy.entry(key, day).source)
            except DomainError:
                source = ""
        out.append({"key": key, "label": param_label(key), "source": source or "未注明出处"})
    return out


def policy_title(name: str) -> str:
    """A policy as people know it (``淳安县参数``), not its file name (``330127000000``)."""
    try:
        description = load_policy(name).description
    except DomainError:
        return name
    return description.split("（", 1)[0].strip() or name


def trace_rows(trace: list[dict], names: dict | None = None, *, policy: str = "", as_of: str = "") -> list[dict]:
    names = names or {}
    title = policy_title(policy) if policy else ""
    rows = []
    for t in trace:
        rule, step = t.get("rule", ""), t.get("step", "")
        row = {**rule_basis(rule), "step": name_members(step, names), "value": name_members(str(t.get("value", "")), names),
               "params": [], "source_note": ""}
        if rule == PARAM_RULE and PARAM_SPLIT in step:
            head, keys = step.split(PARAM_SPLIT, 1)
            row["params"] = _params(policy, as_of, [k for k in keys.split("、") if k])
            row["step"] = head + "不得作为正式决定依据（参数及出处见“依据”）"
            row["subject"] = "参数出处"
        else:  # a step citing where its figure comes from: the document title and article in front
            row["step"], cited = split_cited_source(row["step"])
            if cited:
                row["sources"] = [source_title(cited), *row["sources"]]
                row["source_note"] = source_text(cited)
        if title and policy:
            row["step"] = row["step"].replace(f"政策 {policy}", f"政策“{title}”")
        rows.append(row)
    return rows
