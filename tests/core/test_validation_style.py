"""One input-validation style (issue 18 §7, docs/validation.md): every apps/*/inputs.py defines pydantic
models, nothing but core/validation.py translates pydantic's errors, no hand-written error collector
is back; and the translator's own rules, rows and later refusals keep ``{field, code, message}``."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationInfo, field_validator

import jiuzhu
from jiuzhu.core.validation import problem, refuse, validate, validate_rows
from jiuzhu.rules.errors import ValidationFailed

SRC = Path(jiuzhu.__file__).parent
TRANSLATOR = SRC / "core" / "validation.py"
INPUT_MODULES = sorted(SRC.glob("apps/*/inputs.py"))


def _sources():
    return [p for p in SRC.rglob("*.py") if p != TRANSLATOR and "migrations" not in p.parts]


def test_there_are_input_modules():
    assert {p.parent.name for p in INPUT_MODULES} >= {"registry", "care", "enrollment", "monitoring"}


@pytest.mark.parametrize("path", INPUT_MODULES, ids=lambda p: p.parent.name)
def test_every_inputs_module_defines_pydantic_models_and_no_dataclass(path):
    module = importlib.import_module(f"jiuzhu.apps.{path.parent.name}.inputs")
    own = [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__]
    assert any(issubclass(c, BaseModel) for c in own), f"{path}: no pydantic input model"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    decorated = [n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)
                 for d in n.decorator_list if "dataclass" in ast.unparse(d)]
    assert not decorated, f"{path}: input classes should be pydantic models, not dataclasses: {decorated}"


def test_no_second_error_translator():
    offenders = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        # reading pydantic's error list or mapping its error types to words belongs to core/validation.py
        if re.search(r"\.errors\((include_url|\))", text) or re.search(r"[\"'](string_too_short|int_parsing)[\"']", text):
            offenders.append(str(path.relative_to(SRC)))
        tree = ast.parse(text)
        if any(isinstance(n, ast.ClassDef) and n.name == "Errors" for n in ast.walk(tree)):
            offenders.append(f"{path.relative_to(SRC)}: class Errors")
    assert offenders == []


class Person(BaseModel):
    name: str = ""
    born: dt.date | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value):
        if not str(value or "").strip():
            raise problem("required", "姓名不能为空")
        if len(value) > 3:
            raise problem("too_long", "姓名最多3字")  # a code pydantic also uses: still ours
        return value.strip()

    @field_validator("born")
    @classmethod
    def _born(cls, value, info: ValidationInfo):
        if value and value > (info.context or {})["today"]:
            raise problem("date_in_future", f"出生日期 {value} 不能晚于今天")
        return value


def test_own_rules_keep_their_code_and_whole_sentence_under_a_prefix():
    with pytest.raises(ValidationFailed) as exc:
        validate(Person, {"name": "欧阳修远", "born": "2027-01-01"}, today=dt.date(2026, 12, 7), codes=True,
                 prefix=("member",))
    assert exc.value.code == "too_long" and exc.value.message == "姓名最多3字"
    assert exc.value.details["errors"] == [
        {"field": "member.name", "code": "too_long", "message": "姓名最多3字"},
        {"field": "member.born", "code": "date_in_future", "message": "出生日期 2027-01-01 不能晚于今天"}]


def test_rows_are_numbered_and_all_listed():
    rows = [(2, {"name": "张三"}), (3, {"name": ""}), (4, {"name": "李四", "born": "不是日期"})]
    good, errors = validate_rows(Person, rows, today=dt.date(2026, 12, 7))
    assert [(n, p.name) for n, p in good] == [(2, "张三")]
    assert [(e["row"], e["field"], e["code"]) for e in errors] == [(3, "name", "required"), (4, "born", "date_from_datetime_parsing")]
    assert errors[1]["message"] == "born：日期格式应为 YYYY-MM-DD"


def test_refusals_after_validation_have_the_same_shape():
    refuse([])  # nothing found: nothing raised
    with pytest.raises(ValidationFailed) as exc:
        refuse([("region_code", "out_of_scope", "不在您的管辖范围内"), ("residence_region_code", "unknown", "不存在")])
    assert exc.value.code == "out_of_scope" and exc.value.details["field"] == "region_code"
    assert [e["code"] for e in exc.value.details["errors"]] == ["out_of_scope", "unknown"]
