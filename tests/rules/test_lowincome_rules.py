"""rules/lowincome.py: the opinion from the engine's results, the 1.5× line, the validity period."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.rules import lowincome
from jiuzhu.rules.evaluate import evaluate
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.workflow.lowincome import LOWINC, lowincome_table
from jiuzhu.rules.workflow.model import WorkflowSettings
from jiuzhu.rules.workflow.tables import table_for

AS_OF = date(2026, 12, 7)


def _dibao(pci_ratio: str) -> dict:
    standard = load_policy("reference").entry("dibao.standard.rural", AS_OF).value
    wage = (standard * Decimal(pci_ratio)).quantize(Decimal("0.01"))
    return evaluate({"program": "dibao", "as_of": AS_OF.isoformat(), "area_type": "rural",
                     "members": [{"id": "1", "birth_date": "1970-01-01", "income": {"transfer": str(wage)}}],
                     "assets": {"financial": "0"}}, "reference")


def test_seed_plan_4_3_below_one_and_a_half_times_the_standard_is_a_low_income_household():
    """年审 plan 四(三)1: "家庭月人均收入…在当地最低生活保障标准1.5倍以内" (edge.multiplier = 1.5 in the
    reference policy, a dated parameter)."""
    assert load_policy("reference").entry("edge.multiplier", AS_OF).value == Decimal("1.5")
    op = lowincome.opinion(_dibao("1.49"), None)
    assert op.grant and op.category == "edge"
    at_line = _dibao("1.5")
    assert Decimal(at_line["per_capita_income"]) == Decimal(at_line["standard"]) * Decimal("1.5")  # exactly on it
    above = lowincome.opinion(at_line, None)
    assert not above.grant and above.category == "" and above.reasons


def test_below_the_standard_is_told_to_apply_for_dibao_and_an_enrolled_household_is_not_recognized():
    op = lowincome.opinion(_dibao("0.5"), None)
    assert not op.grant and "应申请最低生活保障" in op.reasons[0]
    op = lowincome.opinion(_dibao("1.2"), None, covered_by="最低生活保障")
    assert not op.grant and "已享受最低生活保障" in op.reasons[0]


def test_rigid_result_decides_only_above_the_edge_line():
    rigid_ok = {"eligible": True, "reasons": [], "rigid_expenditure": {"expenditure_total": "90000.00",
                                                                       "expenditure_ratio": "0.6"}}
    assert lowincome.opinion(_dibao("1.8"), rigid_ok).category == "rigid_expenditure"
    rigid_no = {"eligible": False, "reasons": ["RIGID_SHARE_NOT_ABOVE_RATIO"]}
    op = lowincome.opinion(_dibao("1.8"), rigid_no)
    assert not op.grant and "RIGID_SHARE_NOT_ABOVE_RATIO" in op.reasons[1]


@pytest.mark.parametrize(("start", "months", "last"), [
    (date(2026, 12, 7), 12, date(2027, 12, 6)),
    (date(2026, 1, 31), 1, date(2026, 2, 27)),
    (date(2024, 2, 29), 12, date(2025, 2, 27)),
    (date(2026, 3, 1), 6, date(2026, 8, 31)),
])
def test_validity_ends_the_day_before_the_same_day_months_later(start, months, last):
    assert lowincome.valid_until(start, months) == last


def test_validity_of_zero_months_is_refused():
    with pytest.raises(ValueError):
        lowincome.valid_until(AS_OF, 0)


def test_the_recognition_table_follows_the_dibao_steps_and_is_handed_out_by_table_for():
    """"认定程序按照低保认定程序执行": 核对, 受理, 入户调查, 认定意见, 公示, 认定 / 不予认定."""
    rows = table_for(LOWINC, WorkflowSettings())
    assert rows == lowincome_table(WorkflowSettings())
    path = [(r.action, r.to_state) for r in rows]
    for step in [("request_verification", "verifying"), ("record_verification", "verified"), ("accept", "accepted"),
                 ("record_survey", "surveyed"), ("assess_lowincome", "reviewed"), ("publish_notice", "in_notice"),
                 ("close_notice", "awaiting_confirmation"), ("recognize", "approved"), ("reject", "rejected")]:
        assert step in path
    with pytest.raises(ValueError):
        table_for(LOWINC, WorkflowSettings(), kind="recheck")
