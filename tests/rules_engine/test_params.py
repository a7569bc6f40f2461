"""Dated, cited parameters: lookup by date, inheritance province → city → county, validation on load."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from jiuzhu.rules.errors import DomainError, ValidationFailed
from jiuzhu.rules.params import ParamFileError, available_policies, load_policy

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
            assert isinstance(item.value, Decimal)
            assert item.source.startswith("reference policy (spec/reference-policy.md §")
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
