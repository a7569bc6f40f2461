"""The registry's and the imports' pydantic input models by themselves (no database): every problem at
once with its own code and Chinese sentence, checks across members beside the fields' own, rows
numbered (issue 18 §7, docs/validation.md)."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.enrollment.ledger_rows import EnrollmentRow, MemberRow
from jiuzhu.apps.monitoring.register_validate import RegisterRow
from jiuzhu.apps.registry.inputs import clean_household, clean_member
from jiuzhu.core.validation import validate_rows
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import ValidationFailed

AS_OF = date(2026, 3, 2)
HEAD = idcard.make("330127", date(1960, 5, 1), 11)
SPOUSE = idcard.make("330127", date(1962, 7, 9), 12)


def _household(**kw):
    data = {"region_code": "330127100201", "area_type": "rural",
            "members": [{"name": "张建国", "id_number": HEAD, "relation": "head"},
                        {"name": "李秀英", "id_number": SPOUSE, "relation": "spouse"}]}
    data.update(kw)
    return data


def _problems(data, **kw):
    with pytest.raises(ValidationFailed) as exc:
        clean_household(data, as_of=AS_OF, **kw)
    return [(e["field"], e["code"]) for e in exc.value.details["errors"]]


def test_a_valid_household_is_cleaned():
    inp = clean_household(_household(bank_account="6222 0210 0000 1234"), as_of=AS_OF)
    assert inp.residence_region_code == "330127100201" and inp.bank_account == "6222021000001234"
    assert inp.members[1].birth_date == date(1962, 7, 9) and inp.members[0].disability_kind == "none"


def test_checks_across_members_are_listed_with_the_fields_own_problems():
    data = _household(bank_account="12ab")
    data["members"][1]["id_number"] = HEAD  # the same person twice
    data["members"].append("王五")  # not an object
    data["obligors"] = [{"name": "张大山", "relation": "child", "supported_id_number": SPOUSE}]
    assert _problems(data) == [("bank_account", "invalid"), ("members[2]", "invalid"),
                               ("members[1].id_number", "duplicate"), ("obligors[0].supported_id_number", "invalid")]


def test_not_an_object_is_said_in_the_registrys_words():
    with pytest.raises(ValidationFailed) as exc:
        clean_household(_household(members=[{"name": "张建国", "id_number": HEAD, "relation": "head"}, 7]),
                        as_of=AS_OF)
    assert exc.value.code == "invalid" and exc.value.message == "第2名成员格式错误"


def test_a_change_of_the_household_fields_needs_no_members():
    assert clean_household(_household(members=None), as_of=AS_OF, require_members=False).members == ()
    assert _problems(_household(members=None)) == [("members", "required")]


def test_unstorable_text_names_the_field_in_chinese():
    with pytest.raises(ValidationFailed) as exc:
        clean_member({"name": "张\x00三", "id_number": SPOUSE, "relation": "spouse"}, as_of=AS_OF)
    assert exc.value.details["field"] == "member.name" and exc.value.message.startswith("姓名：")


def test_a_person_born_after_the_day_is_refused():
    late = idcard.make("330127", date(2026, 3, 3), 13)
    with pytest.raises(ValidationFailed) as exc:
        clean_member({"name": "张小", "id_number": late, "relation": "child"}, as_of=AS_OF)
    assert exc.value.code == "id_number.birth_date" and exc.value.details["field"] == "member.id_number"


def test_ledger_row_models():
    rows = [(2, {"program": "低保", "klass": "b", "amount": "650", "start_month": "2026-01"}),
            (3, {"program": "特困", "klass": "A", "amount": "1,200.5", "start_month": "2026年2月"})]
    good, errors = validate_rows(EnrollmentRow, rows, today=AS_OF, context={"is_head": True, "members": 2})
    assert [(n, e.code, e.klass, e.persons, str(e.amount)) for n, e in good] == [(2, "dibao", "B", 2, "650.00")]
    assert [(e["row"], e["field"], e["message"]) for e in errors] == [(3, "klass", "特困人员不填分类")]
    _, errors = validate_rows(EnrollmentRow, rows[:1], today=AS_OF, context={"is_head": False, "members": 2})
    assert [e["code"] for e in errors] == ["not_head_row"]
    good, errors = validate_rows(MemberRow, [(4, {"business": "-300", "wage": "12.345", "co_resident": "否"})],
                                 today=AS_OF)
    assert good == [] and [(e["field"], e["message"]) for e in errors] == [("wage", "金额 12.345 应为不小于0的数，最多两位小数")]


def test_register_row_model():
    rows = [(2, {"household": "H00000012", "category": "低保边缘", "recognized_on": "2026-03-01"}),
            (3, {"category": "", "recognized_on": "2026-03-03", "note": "a\x07"})]
    good, errors = validate_rows(RegisterRow, rows, today=AS_OF)
    assert [(n, r.household, r.category) for n, r in good] == [(2, 12, "edge")]
    assert sorted((e["field"], e["code"]) for e in errors) == [
        ("category", "required"), ("household", "required"), ("note", "invalid"), ("recognized_on", "date_in_future")]
    assert all(e["row"] == 3 for e in errors)
