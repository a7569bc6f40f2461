"""一门受理 region lists and the lasting-hardship rule (rules/intake.py; issue 14 §3–4; R-TA-06)."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.intake import INTAKE_DEPARTMENTS, NEEDS, intake_terms, lasting_hardship
from jiuzhu.rules.params.loader import load_policy

DAY = date(2026, 12, 7)


def _policy(tmp_path, body: str):
    (tmp_path / "local.yaml").write_text("description: 测试\ninherits: null\nparameters:\n" + body, encoding="utf-8")
    return load_policy("local", directory=tmp_path)


def test_defaults_offer_every_need_and_department():
    terms = intake_terms(None, DAY)
    assert list(terms.needs) == list(NEEDS) and list(terms.departments) == list(INTAKE_DEPARTMENTS)
    assert terms.due_wd == 10 and terms.lasting_min_cases == 2 and terms.lasting_window_months == 12
    assert "待核实" in terms.sources["intake.referral_due_wd"]["source"]


def test_region_list_and_deadline_are_dated_parameters(tmp_path):
    policy = _policy(tmp_path, """
  intake.department.charity:
    - {start: 2026-01-01, value: "0", source: "某县 某号文"}
  intake.need.housing:
    - {start: 2026-01-01, value: "0", source: "某县 某号文"}
  intake.referral_due_wd:
    - {start: 2026-01-01, value: "10", source: "某县 某号文"}
    - {start: 2026-12-01, value: "5", source: "某县 某号文 第二条"}
""")
    assert intake_terms(policy, date(2026, 11, 30)).due_wd == 10
    terms = intake_terms(policy, DAY)
    assert terms.due_wd == 5 and terms.sources["intake.referral_due_wd"]["source"] == "某县 某号文 第二条"
    assert "charity" not in terms.departments and "housing" not in terms.needs and "medical" in terms.departments


def test_bad_parameter_is_named(tmp_path):
    policy = _policy(tmp_path, """
  intake.referral_due_wd:
    - {start: 2026-01-01, value: "2.5", source: "x"}
""")
    with pytest.raises(ValidationFailed) as exc:
        intake_terms(policy, DAY)
    assert exc.value.details["field"] == "intake.referral_due_wd"


def test_lasting_hardship_by_count_or_flag():
    """R-TA-06 跟进救助: at least N cases in the window, or the decision's flag."""
    terms = intake_terms(None, DAY)
    assert lasting_hardship(1, False, terms) == ""
    assert "2 次" in lasting_hardship(2, False, terms)
    assert "长期性" in lasting_hardship(1, True, terms)
