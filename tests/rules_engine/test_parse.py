"""Input validation (spec §6): every rejection has a code, a Chinese message and the field path."""

from __future__ import annotations

import re

import pytest

from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.evaluate import evaluate
from jiuzhu.rules.parse import parse_facts

from .helpers import member, request


def _with(path_value: tuple, data=None):
    """``request()`` with one value replaced at a dotted path ("members.0.birth_date")."""
    data = data or request(members=[member(), member("m2", "1990-02-02")])
    path, value = path_value
    target = data
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    for key in keys[:-1]:
        if isinstance(key, str) and key not in target:
            target[key] = {}
        target = target[key]
    target[keys[-1]] = value
    return data


BAD = [
    ("program", "lottery", "invalid_choice", "program"),
    ("program", None, "required", "program"),
    ("as_of", "2026-02-30", "invalid_date", "as_of"),
    ("as_of", "2026/02/01", "invalid_date", "as_of"),
    ("as_of", 20260201, "invalid_date", "as_of"),
    ("area_type", "suburban", "invalid_choice", "area_type"),
    ("members", [], "empty_members", "members"),
    ("members", {"id": "m1"}, "invalid_type", "members"),
    ("members.1", "m2", "invalid_type", "members[1]"),
    ("members.0.birth_date", "1986-1-10", "invalid_date", "members[0].birth_date"),
    ("members.1.birth_date", None, "required", "members[1].birth_date"),
    ("members.1.birth_date", "2027-01-01", "birth_after_as_of", "members[1].birth_date"),
    ("members.0.income.wage", "-1", "negative_money", "members[0].income.wage"),
    ("members.0.income.transfer", "12,000", "invalid_money", "members[0].income.transfer"),
    ("members.0.income.transfer", "1e3", "invalid_money", "members[0].income.transfer"),
    ("members.0.income.transfer", "NaN", "invalid_money", "members[0].income.transfer"),
    ("members.0.income.transfer", True, "invalid_money", "members[0].income.transfer"),
    ("members.0.income.property", [], "invalid_money", "members[0].income.property"),
    ("members.0.income.salary", "100", "unknown_field", "members[0].income.salary"),
    ("members.0.deductions.income_tax", "-5", "negative_money", "members[0].deductions.income_tax"),
    ("members.0.disability", {"kind": "physical", "grade": 5}, "out_of_range", "members[0].disability.grade"),
    ("members.0.disability", {"kind": "physical", "grade": 0}, "out_of_range", "members[0].disability.grade"),
    ("members.0.disability", {"kind": "physical", "grade": "2"}, "invalid_type", "members[0].disability.grade"),
    ("members.0.disability", {"kind": "emotional", "grade": 2}, "invalid_choice", "members[0].disability.kind"),
    ("members.0.disability", {"grade": 2}, "required", "members[0].disability.kind"),
    ("members.0.disability", "grade 2", "invalid_type", "members[0].disability"),
    ("members.0.serious_illness", "yes", "invalid_type", "members[0].serious_illness"),
    ("members.0.adl_failed", 7, "out_of_range", "members[0].adl_failed"),
    ("members.0.adl_failed", 1.5, "invalid_type", "members[0].adl_failed"),
    ("members.1.id", "m1", "duplicate_member_id", "members[1].id"),
    ("members.1.id", 7, "invalid_type", "members[1].id"),
    ("members.0.name", "张三", "unknown_field", "members[0].name"),
    ("assets.financial", "-0.01", "negative_money", "assets.financial"),
    ("assets.vehicles", [{"kind": "boat", "value": "1"}], "invalid_choice", "assets.vehicles[0].kind"),
    ("assets.vehicles", [{"kind": "car", "value": "-1"}], "negative_money", "assets.vehicles[0].value"),
    ("assets.vehicles", {"kind": "car"}, "invalid_type", "assets.vehicles"),
    ("assets.residential_properties", -1, "out_of_range", "assets.residential_properties"),
    ("assets.residential_properties", "1", "invalid_type", "assets.residential_properties"),
    ("assets.business_registered_capital", "x", "invalid_money", "assets.business_registered_capital"),
    ("obligors_able", "false", "invalid_type", "obligors_able"),
    ("temporary", {"type": "whim", "need": "1"}, "invalid_choice", "temporary.type"),
    ("temporary", {"type": "emergency", "need": "-1"}, "negative_money", "temporary.need"),
    ("household_id", "h1", "unknown_field", "household_id"),
]


@pytest.mark.parametrize("path, value, code, field", BAD, ids=[f"{b[3]}={b[1]!r}" for b in BAD])
def test_bad_input_names_field(path, value, code, field):
    # given
    data = _with((path, value))
    # when
    with pytest.raises(ValidationFailed) as info:
        parse_facts(data)
    # then
    assert info.value.code == code
    assert info.value.details["field"] == field
    assert re.search(r"[\u4e00-\u9fff]", info.value.message), "message must be Chinese"
    assert field in info.value.message, "message must name the field path"


def test_tekun_needs_exactly_one_member():
    with pytest.raises(ValidationFailed) as info:
        parse_facts(request(program="tekun", members=[member(), member("m2")]))
    assert (info.value.code, info.value.details["field"]) == ("tekun_one_member", "members")


def test_temporary_needs_request():
    with pytest.raises(ValidationFailed) as info:
        parse_facts(request(program="temporary"))
    assert info.value.details["field"] == "temporary"


def test_not_an_object():
    with pytest.raises(ValidationFailed) as info:
        parse_facts(["program", "dibao"])
    assert (info.value.code, info.value.details["field"]) == ("invalid_type", "$")


def test_defaults_and_business_loss_allowed():
    # given a minimal member: missing income fields count as 0, null disability, a business loss
    facts = parse_facts(request(members=[member(disability=None, income={"business": "-300.50"})]))
    # then
    m = facts.members[0]
    assert str(m.income.business) == "-300.50" and str(m.income.wage) == "0"
    assert m.disability is None and m.adl_failed == 0 and facts.assets.vehicles == ()


def test_missing_ids_get_positional_ids():
    facts = parse_facts(request(members=[{"birth_date": "1980-01-01"}, {"birth_date": "1981-01-01"}]))
    assert [m.id for m in facts.members] == ["m1", "m2"]


def test_unknown_policy_names_policy():
    with pytest.raises(ValidationFailed) as info:
        evaluate(request(), "utopia")
    assert info.value.details["field"] == "policy"
