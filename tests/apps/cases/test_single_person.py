"""Issue 12 §3.8 "单人户施保 from the workflow": the rules compute single-person enrollments (重病重残 in an
edge household, R-HH-06); the confirm step enrolls just that person, with the amount from the rules,
and the payroll pays that amount."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.cases.models import Notice
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.payments.services import payroll_prepare
from jiuzhu.apps.registry.models import Person
from jiuzhu.apps.registry.services import household_create
from jiuzhu.rules.errors import ValidationFailed
from tests.conftest import AS_OF, TOWNSHIP_A

from .flow import MEETING, act, at, to_confirmation, to_surveyed

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)
CONFIRMED = date(2026, 12, 15)


@pytest.fixture
def edge_household(caseworker, household_data):
    """张建国 earns 3200 a month; his wife 李秀英 has a grade-1 physical disability: the per-capita income
    (1500) is above the demo county's rural standard (1301) and below 1.5 × — an edge household
    (R-LI-02) where she may be enrolled alone (R-HH-06)."""
    data = household_data(bank_account="6228480012345678901", bank_name="农业银行千岛湖支行")
    data["members"][1].update(disability_kind="physical", disability_grade=1)
    hh = household_create(actor=caseworker, data=data, as_of=AS_OF)
    Person.objects.filter(pk=hh.head_id).update(wage=Decimal("3200.00"))
    return hh


def _wife(household) -> Person:
    return Person.objects.get(memberships__household=household, name="李秀英")


def test_confirm_enrolls_just_the_single_person_with_the_rules_amount(people, edge_household):
    # given a dibao case of the edge household, reviewed as the rules propose (no override)
    case, d = to_confirmation(people, edge_household, DAY)
    result = case.proposal["result"]
    [single] = result["single_person_enrollments"]
    wife = _wife(edge_household)
    assert (result["status"], result["standard"], result["per_capita_income"]) == ("edge", "1301.00", "1500.00")
    assert single["member"] == str(wife.pk) and Decimal(single["monthly_amount"]) > 0
    review = case.records.get(kind="review").data
    assert review["override"] is False
    assert review["single_persons"] == [{"member": str(wife.pk), "amount": single["monthly_amount"], "name": "李秀英"}]
    # when the review-confirmation group confirms
    case = act(people["reviewer"], case, "confirm", CONFIRMED, MEETING)
    # then only she is enrolled: the person, one person for the amount, the rules' amount
    [e] = Enrollment.objects.filter(case=case)
    assert (e.person_id, e.persons, e.amount, e.household_id) == (
        wife.pk, 1, Decimal(single["monthly_amount"]), edge_household.pk)
    assert case.decided_amount == Decimal(single["monthly_amount"])
    # and the long-term notice publishes her, one person, her amount
    notice = Notice.objects.get(case=case, kind="long_term")
    assert (notice.name, notice.household_size, notice.amount, notice.enrollment_id) == ("李秀英", 1, e.amount, e.pk)


def test_the_payroll_pays_the_single_person_the_rules_amount(people, edge_household):
    # given the single-person enrollment confirmed on 2026-12-15 (paid from 2027-01)
    case, d = to_confirmation(people, edge_household, DAY)
    case = act(people["reviewer"], case, "confirm", CONFIRMED, MEETING)
    e = Enrollment.objects.get(case=case)
    # when the county prepares January's payroll
    batch = payroll_prepare(actor=people["county"], region_code=TOWNSHIP_A, month="2027-01", now=at(date(2026, 12, 20)))
    # then one line pays her amount for one person
    [line] = batch.lines.all()
    assert (line.enrollment_id, line.persons, line.amount) == (e.pk, 1, e.amount)


def test_single_person_opinion_needs_a_single_person_proposal(people, household):
    # given a household the rules find dibao-eligible as a whole (no single-person members)
    case, d = to_surveyed(people, household, DAY)
    # when the caseworker asks for 单人户施保 anyway, then it is refused naming the field
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "initial_review", d, {"opinion": "grant", "single_person": True})
    assert exc.value.code == "case.single_person" and exc.value.details["field"] == "single_person"


def test_enrolling_the_whole_edge_household_instead_is_an_override_needing_a_reason(people, edge_household):
    # given the surveyed edge household
    case, d = to_surveyed(people, edge_household, DAY)
    # when the caseworker grants the whole household instead of the single person, without a reason
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "initial_review", d,
            {"opinion": "grant", "single_person": False, "amount": "800.00"})
    # then a reason is required
    assert exc.value.details["field"] == "override_reason"
