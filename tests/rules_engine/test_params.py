"""Dated, cited parameters: lookup by date, inheritance province → city → county, validation on load."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from jiuzhu.rules.errors import DomainError, ValidationFailed
from jiuzhu.rules.params import ParamFileError, available_policies, load_policy
from jiuzhu.rules.params.enums import ENUM_PARAMETERS
from jiuzhu.rules.policy_checks import _MAX_CHECKS, _MIN_CHECKS
from jiuzhu.rules.rigid import ASSET_PARAMETERS

SRC = "reference policy (spec/reference-policy.md §1)"


def write(directory: Path, name: str, text: str) -> None:
    (directory / f"{name}.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("as_of, expected", [
    (date(2025, 1, 1), "950"), (date(2025, 12, 31), "950"), (date(2026, 1, 1), "1000"),
    (date(2026, 6, 30), "1000"), (date(2026, 7, 1), "1040"), (date(2030, 1, 1), "1040"),
])
def test_lookup_takes_latest_start_on_or_before(as_of, expected):
    assert load_policy("reference").lookup("dibao.standard.urban", as_of) == Decimal(expected)


def test_before_first_start_names_parameter_and_date():
    with pytest.raises(ValidationFailed) as info:
        load_policy("reference").lookup("dibao.standard.rural", date(2024, 12, 31))
    assert info.value.code == "policy_not_in_force"
    assert "dibao.standard.rural" in info.value.message and "2024-12-31" in info.value.message
    assert "无有效政策" in info.value.message


def test_reference_values_are_decimal_and_cited():
    policy = load_policy("reference")
    assert "reference" in available_policies()
    for key in policy.keys():
        for item in policy.params[key]:
            assert isinstance(item.value, str if key in ENUM_PARAMETERS else Decimal), key
            assert item.source.startswith("reference policy (spec/reference-policy.md §")
            assert not item.unverified
    assert policy.lookup("dibao.method", date(2026, 7, 1)) == "gap"
    assert policy.lookup("dibao.rounding", date(2026, 7, 1)) == "yuan"
    assert policy.unverified_keys(date(2026, 7, 1)) == []
    assert policy.lookup("dibao.standard.rural", date(2026, 7, 1)) == Decimal("830")
    assert policy.lookup("income.employment_deduction_rate", date(2026, 7, 1)) == Decimal("0.2")
    assert policy.lookup("tekun.care_ratio.full", date(2026, 7, 1)) == Decimal("1.0")


def test_unknown_policy_and_parameter():
    with pytest.raises(ValidationFailed) as info:
        load_policy("no-such-policy")
    assert (info.value.code, info.value.details["field"]) == ("policy_unknown", "policy")
    with pytest.raises(DomainError) as info:
        load_policy("reference").lookup("no.such.key", date(2026, 1, 1))
    assert info.value.code == "param_unknown"


def test_region_inherits_parent_and_overrides_per_key(tmp_path):
    # given a province, a city overriding one key, and a county overriding another (no explicit inherits)
    write(tmp_path, "330000000000", f"""
parameters:
  a: [{{start: 2025-01-01, value: "1", source: "{SRC}"}}]
  b: [{{start: 2025-01-01, value: "2", source: "{SRC}"}}]
  c: [{{start: 2025-01-01, value: "3", source: "{SRC}"}}]
""")
    write(tmp_path, "330100000000", """
parameters:
  b: [{start: 2025-06-01, value: "20", source: "city doc art. 2"}]
""")
    write(tmp_path, "330127000000", """
parameters:
  c:
    - {start: 2025-01-01, value: "30", source: "county doc art. 3"}
    - {start: 2026-01-01, value: 31.5, source: "county doc art. 3 (2026)"}
""")
    # when
    county = load_policy("330127000000", tmp_path)
    # then
    assert county.chain == ("330000000000", "330100000000", "330127000000")
    assert county.lookup("a", date(2026, 1, 1)) == Decimal("1")
    assert county.lookup("b", date(2025, 6, 1)) == Decimal("20")
    assert county.lookup("c", date(2026, 1, 1)) == Decimal("31.5")
    with pytest.raises(ValidationFailed):  # the city's b starts later; the override replaces all its dates
        county.lookup("b", date(2025, 5, 31))
    # a county whose city has no file inherits the province directly
    write(tmp_path, "330281000000", "parameters: {}\n")
    assert load_policy("330281000000", tmp_path).chain == ("330000000000", "330281000000")


def test_explicit_inherits_and_cycle(tmp_path):
    write(tmp_path, "base", f'parameters: {{x: [{{start: 2025-01-01, value: "5", source: "{SRC}"}}]}}\n')
    write(tmp_path, "child", "inherits: base\nparameters: {}\n")
    assert load_policy("child", tmp_path).lookup("x", date(2025, 1, 1)) == Decimal("5")
    write(tmp_path, "loop1", "inherits: loop2\nparameters: {}\n")
    write(tmp_path, "loop2", "inherits: loop1\nparameters: {}\n")
    with pytest.raises(ParamFileError, match="循环"):
        load_policy("loop1", tmp_path)
    write(tmp_path, "orphan", "inherits: missing\nparameters: {}\n")
    with pytest.raises(ParamFileError, match="missing.yaml"):
        load_policy("orphan", tmp_path)


@pytest.mark.parametrize("items, date_text, words", [
    ('[{start: 2025-13-01, value: "1", source: "s"}]', "2025-13-01", "不是有效日期"),
    ('[{start: "01/02/2025", value: "1", source: "s"}]', "01/02/2025", "不是有效日期"),
    ('[{start: 2025-01-01, value: "1"}]', "2025-01-01", "缺少 source"),
    ('[{start: 2025-01-01, value: "1", source: "  "}]', "2025-01-01", "缺少 source"),
    ('[{start: 2025-01-01, value: "abc", source: "s"}]', "2025-01-01", "不是十进制数"),
    ('[{start: 2025-01-01, value: true, source: "s"}]', "2025-01-01", "不是十进制数"),
    ('[{start: 2025-01-01, source: "s"}]', "2025-01-01", "缺少 value"),
    ('[{start: 2025-02-01, value: "1", source: "s"}, {start: 2025-01-01, value: "2", source: "s"}]',
     "2025-01-01", "未按先后排序"),
    ('[{start: 2025-01-01, value: "1", source: "s"}, {start: 2025-01-01, value: "2", source: "s"}]',
     "2025-01-01", "重复"),
])
def test_validation_errors_name_file_key_and_date(tmp_path, items, date_text, words):
    # given a file with one bad parameter
    write(tmp_path, "bad", f"parameters:\n  dibao.standard.urban: {items}\n")
    # when
    with pytest.raises(ParamFileError) as info:
        load_policy("bad", tmp_path)
    # then
    err = info.value
    assert err.code == "param_file_invalid"
    assert err.details == {"file": "bad.yaml", "key": "dibao.standard.urban", "date": date_text}
    assert "bad.yaml" in err.message and "dibao.standard.urban" in err.message and date_text in err.message
    assert words in err.message


@pytest.mark.parametrize("text, words", [
    ("- just a list\n", "顶层应为映射"),
    ("parameters: {a: []}\n", "非空"),
    ("parameters: {a: [1]}\n", "第1项"),
    ("nonsense: 1\nparameters: {}\n", "未知顶层字段"),
    ("description: x\n", "parameters"),
    ("parameters: [\n", "YAML"),
])
def test_structural_errors_name_the_file(tmp_path, text, words):
    write(tmp_path, "broken", text)
    with pytest.raises(ParamFileError) as info:
        load_policy("broken", tmp_path)
    assert "broken.yaml" in info.value.message and words in info.value.message


# (name, as_of, input (key, YAML value), expected value or error words)
ENUM_CASES = [
    ("method gap", date(2026, 1, 1), ("dibao.method", "gap"), "gap"),
    ("method tiered", date(2026, 1, 1), ("dibao.method", "tiered"), "tiered"),
    ("method tiered, quoted", date(2026, 1, 1), ("dibao.method", '"tiered"'), "tiered"),
    ("rounding yuan", date(2026, 1, 1), ("dibao.rounding", "yuan"), "yuan"),
    ("rounding jiao", date(2026, 1, 1), ("dibao.rounding", "jiao"), "jiao"),
    ("rounding fen", date(2026, 1, 1), ("dibao.rounding", "fen"), "fen"),
    ("unknown method word", date(2026, 1, 1), ("dibao.method", "linear"), "不是有效取值"),
    ("old numeric code rejected", date(2026, 1, 1), ("dibao.method", '"1"'), "不是有效取值"),
    ("number rejected", date(2026, 1, 1), ("dibao.rounding", "2"), "不是有效取值"),
    ("Chinese word rejected", date(2026, 1, 1), ("dibao.rounding", "角"), "不是有效取值"),
    ("boolean rejected", date(2026, 1, 1), ("dibao.method", "true"), "不是有效取值"),
    ("a decimal parameter still wants a decimal", date(2026, 1, 1), ("dibao.per_capita_minimum", "tiered"),
     "不是十进制数"),
]


@pytest.mark.parametrize("name, as_of, given, expected", ENUM_CASES, ids=[c[0] for c in ENUM_CASES])
def test_enumerated_parameters(tmp_path, name, as_of, given, expected):
    # given a file that sets one enumerated (or decimal) parameter on 2026-01-01
    key, raw = given
    write(tmp_path, "enum", f"parameters:\n  {key}: [{{start: 2026-01-01, value: {raw}, source: \"doc art. 1\"}}]\n")
    if expected in ("gap", "tiered", "yuan", "jiao", "fen"):
        # when / then
        assert load_policy("enum", tmp_path).lookup(key, as_of) == expected
        return
    # when
    with pytest.raises(ParamFileError) as info:
        load_policy("enum", tmp_path)
    # then the error names file, key and date, and lists the allowed words for an enumerated key
    err = info.value
    assert err.details == {"file": "enum.yaml", "key": key, "date": "2026-01-01"}
    assert "enum.yaml" in err.message and key in err.message and "2026-01-01" in err.message
    assert expected in err.message
    if key in ENUM_PARAMETERS:
        assert all(word in err.message for word in ENUM_PARAMETERS[key])


def test_region_policies_are_live_and_unverified_values_are_listed():
    # the Zhejiang → Hangzhou → 淳安 chain is loadable as region policies
    assert {"330000000000", "330100000000", "330127000000", "reference"} <= set(available_policies())
    county = load_policy("330127000000")
    assert county.chain == ("330000000000", "330100000000", "330127000000")
    # the Hangzhou standard is a published, cited value; the county's own choices are demo values
    standard = county.entry("dibao.standard.urban", date(2026, 7, 1))
    assert (standard.value, standard.start, standard.unverified) == (Decimal("1301"), date(2025, 1, 23), False)
    assert "杭州市民政局" in standard.source and "https://" in standard.source
    unverified = county.unverified_keys(date(2026, 7, 1))
    assert {"dibao.method", "dibao.rounding", "rigid.expenditure_ratio"} <= set(unverified)
    # the county plan's own figure (年审方案 四(三)1: 低收入家庭 = 1.5 × the standard) is cited, not a demo value
    edge = county.entry("edge.multiplier", date(2026, 7, 1))
    assert edge.value == Decimal("1.5") and not edge.unverified and "edge.multiplier" not in unverified
    assert "dibao.standard.urban" not in unverified and "tekun.basic_standard.urban" not in unverified
    for key in unverified:
        assert "示例值，待核实" in county.entry(key, date(2026, 7, 1)).source
    assert "待核实" in county.description


def _documented_form(key: str) -> str:
    """dibao.tiers.2.upper_ratio → dibao.tiers.<i>.upper_ratio; graduation.months.x → graduation.months.<reason>."""
    key = re.sub(r"^dibao\.tiers\.\d+\.", "dibao.tiers.<i>.", key)
    return re.sub(r"^graduation\.months\.[a-z0-9_]+$", "graduation.months.<reason>", key)


def test_every_parameter_is_documented():
    # given docs/policy-parameters.md and every key of every policy file plus the optional keys the engine reads
    doc = (Path(__file__).resolve().parents[2] / "docs" / "policy-parameters.md").read_text(encoding="utf-8")
    keys = {k for name in available_policies() for k in load_policy(name).keys()}
    keys |= set(ASSET_PARAMETERS.values()) | {"tekun.basic_standard.urban", "tekun.basic_standard.rural"}
    keys |= {key for key, *_ in _MAX_CHECKS} | {key for key, *_ in _MIN_CHECKS}
    # then each is in the table, and the enumerated ones list their words
    missing = sorted({_documented_form(k) for k in keys if f"`{_documented_form(k)}`" not in doc
                      and not re.search(rf"`{re.escape(k.rsplit('.', 1)[0])}\.urban` / `\.rural`", doc)})
    assert not missing, f"not in docs/policy-parameters.md: {missing}"
    for key, words in ENUM_PARAMETERS.items():
        assert all(f"`{word}`" in doc for word in words), key
