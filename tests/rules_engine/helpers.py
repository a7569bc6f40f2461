"""Builders for evaluation requests and a YAML loader that keeps dates and decimals as text."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


class TextLoader(yaml.SafeLoader):
    """Dates stay "YYYY-MM-DD" strings and decimals stay strings, exactly as in a JSON request."""


TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_cases(name: str) -> list[dict]:
    return yaml.load((HERE / name).read_text(encoding="utf-8"), Loader=TextLoader)  # noqa: S506


def member(member_id="m1", birth_date="1986-01-10", **extra) -> dict:
    out = {"id": member_id, "birth_date": birth_date}
    out.update(extra)
    return out


def request(program="dibao", as_of="2026-12-01", area_type="urban", members=None, **extra) -> dict:
    out = {"program": program, "as_of": as_of, "area_type": area_type,
           "members": members if members is not None else [member()]}
    out.update(copy.deepcopy(extra))
    return out


def is_subset(expected, actual) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and is_subset(v, actual[k]) for k, v in expected.items())
    return expected == actual
