"""New cases use the applied standard (R-STD-01): once a new dated standard is applied, a case's rules
proposal on a date in or after its start month evaluates with it; before that month, with the old one.

County policy 330127000000 (分档): a two-person rural household with 100 yuan per person gets tier 1,
0.9 × standard × 2 — 2341.80 under 1301, 2430.00 under the new 1350 from 2026-07-01.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.cases.config import region_config
from jiuzhu.apps.enrollment.standard import region_evaluate, standard_approve, standard_propose
from jiuzhu.apps.enrollment.standard_apply import standard_apply
from jiuzhu.apps.enrollment.standard_preview import standard_preview
from jiuzhu.apps.programs.proposal import propose
from tests.apps.cases.flow import submit, to_reviewed

from .lifecycle_helpers import people  # noqa: F401  (fixture)
from .standard_helpers import COUNTY, START, county_checker, hh_factory  # noqa: F401

SOURCE = "淳安县民政局、淳安县财政局《关于调整最低生活保障标准的通知》（淳民〔2026〕8号）第一条"


def apply_new_standard(maker, checker, amount="1350"):
    change = standard_propose(actor=maker, region_code=COUNTY, program="dibao", area_type="rural", amount=amount,
                              start_date=START, source=SOURCE)
    standard_preview(actor=maker, change_id=change.pk)
    standard_approve(actor=checker, change_id=change.pk)
    standard_apply(actor=checker, change_id=change.pk)
    return change


def amount(proposal: dict) -> tuple[str, str]:
    return proposal["result"]["monthly_amount"], proposal["result"]["standard"]


def test_proposal_uses_the_applied_standard_from_its_start_month(people, county_checker, hh_factory):
    # given a case of a household with 100 yuan per person, and the county's policy name
    hh = hh_factory(incomes=(100, 100))
    case = submit(people["caseworker"], hh, day=date(2026, 6, 10))
    policy = region_config(case.region_id).policy
    assert amount(propose(case, policy=policy, as_of=date(2026, 7, 15))) == ("2341.80", "1301.00")
    # when a rural standard of 1350 from 2026-07-01 is applied
    apply_new_standard(people["county"], county_checker)
    # then a proposal in July uses it, one in June the old standard
    assert amount(propose(case, policy=policy, as_of=date(2026, 7, 15))) == ("2430.00", "1350.00")
    assert amount(propose(case, policy=policy, as_of=date(2026, 7, 1))) == ("2430.00", "1350.00")
    assert amount(propose(case, policy=policy, as_of=date(2026, 6, 30))) == ("2341.80", "1301.00")
    # and the trace cites the standard's source
    july = propose(case, policy=policy, as_of=date(2026, 7, 15))
    assert any("1350" in str(step) and "淳民〔2026〕8号" in str(step) for step in july["result"]["trace"])


def test_initial_review_in_the_new_month_proposes_the_new_amount(people, county_checker, hh_factory):
    # given the new standard applied
    apply_new_standard(people["county"], county_checker)
    # when a case is reviewed in July 2026
    case, _ = to_reviewed(people, hh_factory(incomes=(100, 100)), date(2026, 7, 6))
    # then the proposal and the decided amount follow 1350
    assert case.proposal["result"]["standard"] == "1350.00"
    assert case.decided_amount == Decimal("2430.00")


def test_explicit_other_policy_is_not_overlaid(people, county_checker, hh_factory):
    apply_new_standard(people["county"], county_checker)
    request = {"program": "dibao", "as_of": "2026-07-15", "area_type": "rural", "members": [],
               "assets": {"financial": "0.00", "vehicles": [], "residential_properties": 1,
                          "business_registered_capital": "0.00"}}
    request["members"] = [{"id": "1", "birth_date": "1970-01-01", "income": {"wage": "100.00"}}]
    own = region_evaluate(request, region_code=COUNTY)
    reference = region_evaluate(request, region_code=COUNTY, policy="reference")
    assert own["standard"] == "1350.00" and reference["policy"] == "reference"


pytestmark = pytest.mark.django_db


def test_graduation_on_a_recheck_uses_the_applied_standard(people, county_checker, hh_factory):
    from types import SimpleNamespace

    from jiuzhu.apps.programs.recheck import _graduation
    from jiuzhu.rules.errors import ValidationFailed

    # given a household whose income per person (1320) lies between the old (1301) and new (1350) standard
    hh = hh_factory(incomes=(1320, 1320))
    case = submit(people["caseworker"], hh, day=date(2026, 6, 10))
    policy = region_config(case.region_id).policy
    enrollment = SimpleNamespace(amount=Decimal("300.00"))
    # then, under the old standard, it is above the standard and may graduate (渐退)
    proposal = propose(case, policy=policy, as_of=date(2026, 7, 15))
    assert _graduation(proposal, "graduate_employment", enrollment, policy, case.region_id) > 0
    # when the new standard is applied, the same July recheck finds it below the standard
    apply_new_standard(people["county"], county_checker)
    proposal = propose(case, policy=policy, as_of=date(2026, 7, 15))
    with pytest.raises(ValidationFailed) as exc:
        _graduation(proposal, "graduate_employment", enrollment, policy, case.region_id)
    assert exc.value.code == "recheck.graduation_below"
