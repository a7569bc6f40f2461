"""One validation style (issue 18 §7): pydantic models and one translator to Chinese, every problem
listed with its field, the same words in services and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, Field

from jiuzhu.core.validation import error_list, field_path, validate
from jiuzhu.rules.errors import ValidationFailed


class Item(BaseModel):
    amount: int = Field(ge=0, title="金额")


class Form(BaseModel):
    name: str = Field(min_length=1, max_length=5, title="姓名")
    kind: str = Field(pattern="^(a|b)$", title="类别")
    items: list[Item] = Field(title="明细")


def test_every_problem_is_listed_under_its_field_with_the_title():
    # when a form with three problems is validated
    with pytest.raises(ValidationFailed) as exc:
        validate(Form, {"name": "", "kind": "c", "items": [{"amount": -1}]})
    # then the message names the first one, and each problem is listed with its field
    errors = exc.value.details["errors"]
    assert [e["field"] for e in errors] == ["name", "kind", "items[0].amount"]
    assert errors[0]["message"] == "姓名：不能为空"
    assert errors[2]["message"] == "金额：不能小于 0"
    assert exc.value.message == errors[0]["message"] and exc.value.details["field"] == "name"


@pytest.mark.parametrize("data, field", [({"name": "a\x00", "kind": "a", "items": []}, "name"), ([1, 2], "payload")])
def test_unstorable_text_and_non_objects_are_refused(data, field):
    with pytest.raises(ValidationFailed) as exc:
        validate(Form, data)
    assert exc.value.details["field"] == field


def test_paths_and_plain_lists_for_the_api():
    assert field_path(("items", 0, "amount")) == "items[0].amount"
    errors = error_list([{"type": "missing", "loc": ("body", "x")}], path=lambda loc: ".".join(map(str, loc)))
    assert errors == [{"field": "body.x", "message": "必填", "type": "missing"}]


def test_a_valid_form_passes_and_today_reaches_the_model():
    form = validate(Form, {"name": "张三", "kind": "a", "items": [{"amount": 3}]}, today=dt.date(2026, 12, 7))
    assert form.items[0].amount == 3
