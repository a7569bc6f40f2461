"""The asset test of a verification report uses the region's applied standard changes (R-STD-01):
the limit on financial assets is a multiple of the standard in force on the report's date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.enrollment.standard import region_policy, standard_approve, standard_propose
from jiuzhu.apps.enrollment.standard_apply import standard_apply
from jiuzhu.apps.enrollment.standard_preview import standard_preview
from jiuzhu.apps.verification.services import verification_run
from tests.apps.cases.flow import at
from tests.apps.enrollment.standard_helpers import county_checker  # noqa: F401 (fixture)
from tests.conftest import COUNTY

from .conftest import SNAP_DATE

pytestmark = pytest.mark.django_db
KEY = "dibao.standard.rural"


def _standard_in_trace(report) -> list[str]:
    return [s["step"] for s in report.data["asset_test"]["trace"] if s["rule"] == "R-AST-05"]


def test_report_uses_the_applied_standard(ingested, verifying_case, county_user, county_checker):  # noqa: F811
    old = region_policy(verifying_case.region_id).lookup(KEY, SNAP_DATE)
    before = verification_run(actor=county_user, case_id=verifying_case.pk, now=at(SNAP_DATE), pdf=False)
    assert before.data["asset_test"]["standard_changes"] == []
    assert any(f"标准 {old:,.2f}" in step or f"标准 {old:.2f}" in step for step in _standard_in_trace(before))
    # given a higher county standard from 1 November, approved by another user and applied
    new = old + Decimal("100")
    change = standard_propose(actor=county_user, region_code=COUNTY, area_type="rural", amount=str(new),
                              start_date=date(2026, 11, 1), source="县民政局关于调整城乡低保标准的通知（测试）")
    standard_preview(actor=county_user, change_id=change.pk)
    standard_approve(actor=county_checker, change_id=change.pk)
    standard_apply(actor=county_checker, change_id=change.pk)
    # when the case is verified again on 30 November
    after = verification_run(actor=county_user, case_id=verifying_case.pk, now=at(SNAP_DATE), pdf=False)
    # then its asset test names the change and compares with the new standard
    assert after.data["asset_test"]["standard_changes"] == [change.pk]
    steps = _standard_in_trace(after)
    assert any(f"标准 {new:,.2f}" in step or f"标准 {new:.2f}" in step for step in steps), steps
    assert after.data["asset_test"]["policy"] == before.data["asset_test"]["policy"]
