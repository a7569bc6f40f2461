"""From the report to the case: record_verification with the report's items (both orders of the
workflow), county only, once, only the latest report; batch runs for a region."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.verification.models import VerificationReport, VerificationRequest
from jiuzhu.apps.verification.selectors import pending_cases
from jiuzhu.apps.verification.services import verification_run, verification_run_batch, verification_submit
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound
from tests.apps.cases.flow import act, at, submit, workflow_setting
from tests.conftest import VILLAGE_A

from .conftest import SNAP_DATE

pytestmark = pytest.mark.django_db


def _run(case, actor):
    return verification_run(actor=actor, case_id=case.pk, now=at(SNAP_DATE), pdf=False)


def test_submit_records_verification_on_the_case(ingested, verifying_case, county_user):
    # given a report for a case in 核对中 (先核对后受理, the seed path)
    report = _run(verifying_case, county_user)
    # when the county submits it
    case = verification_submit(actor=county_user, report_id=report.pk, now=at(SNAP_DATE + timedelta(days=1)))
    # then the case is verified and its verification record holds the report's items
    assert case.state == "verified"
    record = case.records.get(kind="verification")
    assert record.data["conclusion"] == "inconsistent"
    items = {(i["member"], i["item"], i["source"]): Decimal(i["amount"]) for i in record.data["items"]}
    head, spouse = case.household.head_id, [m.person_id for m in case.household.memberships.all()
                                            if m.person_id != case.household.head_id][0]
    assert items[(head, "wage", "税务")] == Decimal("2000.00")  # tax, not the provident-fund base
    assert (head, "wage", "住房公积金") not in items
    assert items[(spouse, "transfer", "社保/养老金")] == Decimal("300.00")
    assert items[(head, "vehicle", "机动车")] == Decimal("80000.00")
    assert all(i["member"] in (head, spouse) for i in record.data["items"])  # obligors never as members
    assert "不可核对：张小红" in record.data["note"] and report.number in record.data["note"]
    assert VerificationReport.objects.get(pk=report.pk).submitted_at is not None
    # and the proposal side sees the verified wage
    from jiuzhu.apps.programs.proposal import rules_request
    member = [m for m in rules_request(case, SNAP_DATE)["members"] if m["id"] == str(head)][0]
    assert member["income"]["wage"] == "2000.00"


def test_submit_on_the_national_order_after_acceptance(ingested, ver_household, caseworker, county_user):
    # given 先受理后核对 (verify_before_accept = false): accept → request_verification
    workflow_setting(VILLAGE_A, verify_first=False)
    day = SNAP_DATE - timedelta(days=3)
    case = submit(caseworker, ver_household, day=day)
    case = act(caseworker, case, "accept", day + timedelta(days=1))
    case = act(caseworker, case, "request_verification", day + timedelta(days=2))
    assert case.pk in pending_cases(actor=county_user)
    report = _run(case, county_user)
    case = verification_submit(actor=county_user, report_id=report.pk, now=at(SNAP_DATE))
    assert case.records.filter(kind="verification").exists()
    assert case.pk not in pending_cases(actor=county_user)


def test_submit_only_by_county_once_and_latest(ingested, verifying_case, county_user, caseworker, outsider):
    first = _run(verifying_case, caseworker)  # a township pre-check
    second = _run(verifying_case, county_user)
    with pytest.raises(Forbidden):
        verification_submit(actor=caseworker, report_id=second.pk, now=at(SNAP_DATE))
    with pytest.raises(NotFound):
        verification_submit(actor=outsider, report_id=second.pk, now=at(SNAP_DATE))
    with pytest.raises(Conflict) as exc:
        verification_submit(actor=county_user, report_id=first.pk, now=at(SNAP_DATE))
    assert exc.value.code == "verification.stale"
    verification_submit(actor=county_user, report_id=second.pk, now=at(SNAP_DATE))
    with pytest.raises(Conflict) as exc:
        verification_submit(actor=county_user, report_id=second.pk, now=at(SNAP_DATE))
    assert exc.value.code == "verification.already_submitted"
    assert Case.objects.get(pk=verifying_case.pk).state == "verified"


def test_batch_run_one_report_per_case_same_as_single(ingested, verifying_case, county_user, household,
                                                      caseworker):
    other = act(caseworker, submit(caseworker, household, day=SNAP_DATE - timedelta(days=2)),
                "request_verification", SNAP_DATE - timedelta(days=1))
    ids = pending_cases(actor=county_user)
    assert ids == sorted([verifying_case.pk, other.pk])
    request = verification_run_batch(actor=county_user, case_ids=ids, now=at(SNAP_DATE))
    assert request.kind == VerificationRequest.Kind.BATCH and request.cases == 2 and request.items_path
    single = _run(verifying_case, county_user)
    in_batch = request.reports.get(case=verifying_case)
    assert in_batch.digest == single.digest
    assert request.reports.get(case=other).data["not_verifiable"] == []


def test_batch_refuses_cases_outside_scope(ingested, verifying_case, outsider):
    with pytest.raises(NotFound):
        verification_run_batch(actor=outsider, case_ids=[verifying_case.pk], now=at(SNAP_DATE))
